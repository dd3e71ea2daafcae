"""Replay snapshots: the populations read model of the log up to a position, kept compressed, so a replay of a
past moment folds only what was recorded after the newest snapshot before it (coord/service/replay_snapshots.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replay_snapshots",
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("events", sa.BigInteger, nullable=False),
        sa.Column("latest_recorded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("earliest_recorded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("format", sa.Integer, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("replay_snapshots")
