"""Notifications (coord/notify/): each agency's webhooks (the secret sealed with a key the master key wraps), its
intake email address, and the outbox of notifications to deliver. A store that already holds events starts the
outbox at the head of its log: the notifier tells what happens from now on, not the whole history again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: The outbox's position in `projection_positions` (coord/notify/outbox.py).
OUTBOX = "outbox"


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("agency", sa.String(64), nullable=False, index=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("sealed_secret", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "agency_contacts",
        sa.Column("agency", sa.String(64), primary_key=True),
        sa.Column("intake_email", sa.String(320), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False, index=True),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.String(64)),
    )
    op.create_index("ix_notifications_state_next_attempt_at", "notifications", ["state", "next_attempt_at"])
    head = _head_of_log()
    if head:
        op.execute(
            sa.text("INSERT INTO projection_positions (name, position) VALUES (:name, :head)").bindparams(
                name=OUTBOX, head=head
            )
        )


def _head_of_log() -> int:
    """The last position of the event store (the eventsourcing library's table), 0 when it has none yet."""
    connection = op.get_bind()
    tables = set(sa.inspect(connection).get_table_names())
    if connection.dialect.name == "sqlite":
        query = "SELECT MAX(rowid) FROM stored_events" if "stored_events" in tables else None
    else:
        query = "SELECT MAX(notification_id) FROM coord_events" if "coord_events" in tables else None
    return (connection.execute(sa.text(query)).scalar() or 0) if query else 0


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM projection_positions WHERE name = :name").bindparams(name=OUTBOX))
    op.drop_index("ix_notifications_state_next_attempt_at", "notifications")
    op.drop_table("notifications")
    op.drop_table("agency_contacts")
    op.drop_table("webhooks")
