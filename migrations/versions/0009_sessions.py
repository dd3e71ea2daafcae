"""Dashboard sessions, and starter tokens marked as such.

The dashboard's cookie held the bearer token itself; it now holds a random session id, stored here only as
its SHA-256 hash, bound to the token that signed in. `make run`'s starter tokens were found by their label
(any token labelled "make-run" was revoked): they are now marked by the `starter` column. Tokens made before
this revision are not starters; the next `coord users starter` leaves them alone (revoke them by id).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_dashboard_sessions_token_id", "dashboard_sessions", ["token_id"])
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("starter", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("starter")
    op.drop_index("ix_dashboard_sessions_token_id", "dashboard_sessions")
    op.drop_table("dashboard_sessions")
