"""External anchoring of the audit: the access log is chained (each entry carries SHA-256 of the previous
entry's hash and its own content) and a signed head covers the access log's end as well as the event chain's.

Entries written before this revision are chained here, in id order. The hash below is frozen as of this
revision (coord/service/access_log.py computes the same).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import hashlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
CONTENT = ("at", "actor", "role", "agency", "person_id", "fields", "purpose")
PAGE = 1000


def upgrade() -> None:
    with _batch("access_log") as batch:
        batch.add_column(sa.Column("hash", sa.String(64)))
    _chain_existing_entries()
    with _batch("access_log") as batch:
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)
    with _batch("audit_checkpoints") as batch:
        batch.add_column(sa.Column("access_id", sa.BigInteger))
        batch.add_column(sa.Column("access_hash", sa.String(64)))


def downgrade() -> None:
    with _batch("audit_checkpoints") as batch:
        batch.drop_column("access_hash")
        batch.drop_column("access_id")
    with _batch("access_log") as batch:
        batch.drop_column("hash")


def _chain_existing_entries() -> None:
    entries = sa.table("access_log", sa.column("id"), sa.column("at", sa.DateTime(timezone=True)), sa.column("hash"))
    for name in CONTENT[1:]:
        entries.append_column(sa.column(name))
    bind, previous, after = op.get_bind(), GENESIS, 0
    while rows := bind.execute(sa.select(entries).where(entries.c.id > after).order_by(entries.c.id).limit(PAGE)).all():
        for row in rows:
            previous = _hash(previous, row._mapping)
            bind.execute(entries.update().where(entries.c.id == row.id).values(hash=previous))
        after = rows[-1].id


def _hash(previous: str, row: Any) -> str:
    parts = []
    for name in CONTENT:
        value = row[name]
        if value is None:
            parts.append(b"\xff" * 8)
            continue
        if isinstance(value, datetime):
            value = (value.astimezone(UTC) if value.tzinfo else value).replace(tzinfo=None)
            value = value.isoformat(timespec="microseconds")
        data = str(value).encode("utf-8", "surrogatepass")
        parts.append(len(data).to_bytes(8, "big") + data)
    return hashlib.sha256(bytes.fromhex(previous) + b"".join(parts)).hexdigest()


def _batch(table: str) -> Any:
    return op.batch_alter_table(table)
