"""Listed persons show the attributes in force today: the list read model keeps each statement of a person's
membership attributes and the next day a statement dated ahead starts to apply (events/attributes.py).

The list read model is emptied and its position set to 0, so the projector rebuilds it from the event log
on its next catch-up (the only way to fill the statements); the downgrade does the same for the old code.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: The list projector's tables, as of this revision.
REBUILT = ("persons", "person_populations", "services", "handoffs")


def upgrade() -> None:
    _rewind()
    with _batch("persons") as batch:
        batch.add_column(sa.Column("pending_on", sa.Date))
        batch.create_index("ix_persons_pending_on", ["pending_on"])
    op.create_table(
        "person_statements",
        sa.Column("person_id", sa.String(32), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("identification", sa.Boolean, nullable=False),
        sa.Column("attributes", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("person_statements")
    _rewind()
    with _batch("persons") as batch:
        batch.drop_index("ix_persons_pending_on")
        batch.drop_column("pending_on")


def _rewind() -> None:
    for table in REBUILT:
        op.execute(sa.table(table).delete())
    positions = sa.table("projection_positions", sa.column("name"), sa.column("position"))
    op.execute(positions.update().where(positions.c.name == "lists").values(position=0))


def _batch(table: str) -> Any:
    """Alter an emptied table (SQLite copies it)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    return op.batch_alter_table(table, recreate="always" if sqlite else "auto")
