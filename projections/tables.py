"""Read-model tables. Alembic (migrations/) creates them; these objects only describe them for queries.

No column holds personal data: names, dates of birth and notes stay sealed in the event log.
"""

from sqlalchemy import BigInteger, Boolean, Column, Date, Integer, MetaData, String, Table

metadata = MetaData()

projection_positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

persons = Table(
    "persons",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("agency", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("identified_on", Date, nullable=False),
    Column("last_contact_on", Date, nullable=False),
    Column("last_transition_on", Date, nullable=False),
    Column("household_type", String(16), nullable=False),
    Column("veteran", String(8), nullable=False),
    Column("chronic", Boolean, nullable=False),
    Column("erased", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

services = Table(
    "services",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("handoff_window_days", Integer, nullable=False),
    Column("version", Integer, nullable=False),
)

handoffs = Table(
    "handoffs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("person_id", String(32), nullable=False),
    Column("episode_id", String(32), nullable=False),
    Column("from_service_id", String(32)),
    Column("to_service_id", String(32), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("last_transition_on", Date, nullable=False),
    Column("version", Integer, nullable=False),
)
