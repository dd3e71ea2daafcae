"""Report cuts read the profile in force today: the person's birth month (derived from the date of birth, so
the age at t0 is exact to the month and unchanged by erasure), whether the person was entered in error (none
of their handoff episodes counts), and the next day a change dated ahead starts to apply.

The populations read model is emptied and its position set to 0, so the projector rebuilds it from the event
log on its next catch-up; the downgrade does the same for the old code. Persons identified before this
revision have no birth month (their dob was written without one): their age is counted by birth year.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: The populations projector's tables, as of this revision.
REBUILT = ("person_facts", "person_profiles", "population_days")


def upgrade() -> None:
    _rewind()
    with _batch("person_profiles") as batch:
        batch.add_column(sa.Column("birth_month", sa.String(7)))
        batch.add_column(sa.Column("in_error", sa.Boolean, nullable=False))
        batch.add_column(sa.Column("pending_on", sa.Date))
        batch.create_index("ix_person_profiles_pending_on", ["pending_on"])


def downgrade() -> None:
    _rewind()
    with _batch("person_profiles") as batch:
        batch.drop_index("ix_person_profiles_pending_on")
        batch.drop_column("pending_on")
        batch.drop_column("in_error")
        batch.drop_column("birth_month")


def _rewind() -> None:
    for table in REBUILT:
        op.execute(sa.table(table).delete())
    positions = sa.table("projection_positions", sa.column("name"), sa.column("position"))
    op.execute(positions.update().where(positions.c.name == "populations").values(position=0))


def _batch(table: str) -> Any:
    """Alter an emptied table (SQLite copies it)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    return op.batch_alter_table(table, recreate="always" if sqlite else "auto")
