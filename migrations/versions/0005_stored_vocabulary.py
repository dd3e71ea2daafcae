"""Read models store what their queries need: each listed person's populations, whether a handoff still awaits
an answer, each profile's populations (instead of the attributes they were derived from at query time); person
timelines name their facts by event.

The list and populations read models are emptied and their positions set to 0, so the projectors rebuild
them from the event log on their next catch-up: read models are rebuildable by design, and a rebuild is the
only way to fill the new columns and rename the stored facts. The downgrade does the same for the old code.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Projector name -> its tables, as of this revision.
REBUILT = {
    "lists": ("persons", "services", "handoffs"),
    "populations": ("person_facts", "person_profiles", "population_days"),
}
#: The attribute columns a profile kept before it stored populations.
PROFILE_ATTRIBUTES = {"household_type": sa.String(16), "veteran": sa.String(8), "chronic": sa.Boolean}


def upgrade() -> None:
    _rewind()
    with _batch("handoffs") as batch:
        batch.add_column(sa.Column("awaiting_answer", sa.Boolean, nullable=False))
    with _batch("person_profiles") as batch:
        batch.add_column(sa.Column("populations", sa.JSON, nullable=False))
        for name in PROFILE_ATTRIBUTES:
            batch.drop_column(name)
    op.create_table(
        "person_populations",
        sa.Column("population", sa.String(16), primary_key=True),
        sa.Column("person_id", sa.String(32), primary_key=True, index=True),
    )


def downgrade() -> None:
    op.drop_table("person_populations")
    _rewind()
    with _batch("person_profiles") as batch:
        batch.drop_column("populations")
        for name, kind in PROFILE_ATTRIBUTES.items():
            batch.add_column(sa.Column(name, kind, nullable=False))
    with _batch("handoffs") as batch:
        batch.drop_column("awaiting_answer")


def _rewind() -> None:
    for tables in REBUILT.values():
        for table in tables:
            op.execute(sa.table(table).delete())
    positions = sa.table("projection_positions", sa.column("name"), sa.column("position"))
    op.execute(positions.update().where(positions.c.name.in_(list(REBUILT))).values(position=0))


def _batch(table: str) -> Any:
    """Alter an emptied table; SQLite cannot add a NOT NULL column without a default, even to an empty
    table, so there the table is copied instead."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    return op.batch_alter_table(table, recreate="always" if sqlite else "auto")
