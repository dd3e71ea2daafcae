"""Indexes for the handoff-gaps report: it reads the handoffs of the months asked for in request order, and asks
of each episode whether a handoff began it earlier, so its work grows with the months read, not the whole log.
The episode index is now the first column of the second one.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03
"""

from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_gap_handoffs_requested_on_position", "gap_handoffs", ["requested_on", "position"])
    op.create_index(
        "ix_gap_handoffs_episode_id_requested_on", "gap_handoffs", ["episode_id", "requested_on", "in_error"]
    )
    op.drop_index("ix_gap_handoffs_episode_id", "gap_handoffs")


def downgrade() -> None:
    op.create_index("ix_gap_handoffs_episode_id", "gap_handoffs", ["episode_id"])
    op.drop_index("ix_gap_handoffs_episode_id_requested_on", "gap_handoffs")
    op.drop_index("ix_gap_handoffs_requested_on_position", "gap_handoffs")
