"""The populations projector also keeps each person's flows per spell (`person_flows`), which the cuts of
monthly metrics and live counts by race/ethnicity, sex and age band add up, and the equity view reads.

The populations read model is emptied and its position set to 0, so the projector rebuilds it from the event
log, the new table with it, on its next catch-up; the downgrade drops the table and does the same.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

ID = sa.String(32)
FLOWS = (
    "newly_identified",
    "returned_from_housing",
    "returned_from_inactive",
    "housing_placements",
    "moved_to_inactive",
    "no_longer_meets_population_criteria",
)
#: The populations projector's tables before this revision.
REBUILT = ("person_facts", "person_profiles", "population_days")


def upgrade() -> None:
    _rewind()
    op.create_table(
        "person_flows",
        sa.Column("person_id", ID, primary_key=True),
        sa.Column("spell", sa.Integer, primary_key=True),
        sa.Column("population", sa.String(16), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        *(sa.Column(flow, sa.Integer, nullable=False) for flow in FLOWS),
        sa.Column("days_to_housing", sa.Integer, nullable=False),
    )
    op.create_index("ix_person_flows_day", "person_flows", ["day"])


def downgrade() -> None:
    op.drop_index("ix_person_flows_day", "person_flows")
    op.drop_table("person_flows")
    _rewind()


def _rewind() -> None:
    for table in REBUILT:
        op.execute(sa.table(table).delete())
    positions = sa.table("projection_positions", sa.column("name"), sa.column("position"))
    op.execute(positions.update().where(positions.c.name == "populations").values(position=0))
