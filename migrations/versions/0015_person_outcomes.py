"""The outcomes read model: one row per cradle-to-career outcome milestone in force. The outcomes projector
starts at the beginning of the log (its position is new), so existing logs fill it on the next catch-up.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ID = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "person_outcomes",
        sa.Column("person_id", ID, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("indicator", sa.String(32), nullable=False),
        sa.Column("met", sa.Boolean, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
    )
    op.create_index("ix_person_outcomes_indicator_effective_on", "person_outcomes", ["indicator", "effective_on"])


def downgrade() -> None:
    op.drop_index("ix_person_outcomes_indicator_effective_on", "person_outcomes")
    op.drop_table("person_outcomes")
    positions = sa.table("projection_positions", sa.column("name"))
    op.execute(positions.delete().where(positions.c.name.in_(("outcomes", "rebuild_outcomes"))))
