"""Read models for the reports: person timelines and profiles, daily population flows, handoff gaps.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
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


def upgrade() -> None:
    op.create_table(
        "person_facts",
        sa.Column("person_id", ID, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("attributes", sa.JSON),
    )
    op.create_table(
        "person_profiles",
        sa.Column("person_id", ID, primary_key=True),
        sa.Column("race_ethnicity", sa.String(24), nullable=False),
        sa.Column("sex", sa.String(10), nullable=False),
        sa.Column("birth_year", sa.Integer),
        sa.Column("household_type", sa.String(16), nullable=False),
        sa.Column("veteran", sa.String(8), nullable=False),
        sa.Column("chronic", sa.Boolean, nullable=False),
    )
    op.create_table(
        "population_days",
        sa.Column("population", sa.String(16), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        *(sa.Column(flow, sa.Integer, nullable=False) for flow in FLOWS),
        sa.Column("days_to_housing", sa.Integer, nullable=False),
    )
    op.create_table(
        "gap_handoffs",
        sa.Column("handoff_id", ID, primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("episode_id", ID, nullable=False, index=True),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("from_service_id", ID),
        sa.Column("to_service_id", ID, nullable=False),
        sa.Column("requested_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("accepted_on", sa.Date),
        sa.Column("closed_on", sa.Date),
        sa.Column("closed_as", sa.String(16)),
        sa.Column("in_error", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    for table in ("gap_handoffs", "population_days", "person_profiles", "person_facts"):
        op.drop_table(table)
