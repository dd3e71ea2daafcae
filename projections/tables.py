"""Read-model tables. Alembic (migrations/) creates them; these objects only describe them for queries.

No column holds personal data: names, dates of birth and notes stay sealed in the event log.
"""

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, Index, Integer, MetaData, String, Table

metadata = MetaData()
#: The copies a rebuild fills aside (projections/rebuild.py): never in the migrations, created and dropped by it.
aside_metadata = MetaData()

#: What a rebuild puts before the name of each table, and each position, it builds aside.
ASIDE_PREFIX = "rebuild_"

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
    Column("agency", String(64), nullable=False, index=True),
    Column("status", String(16), nullable=False, index=True),
    Column("identified_on", Date, nullable=False),
    Column("last_contact_on", Date, nullable=False),
    Column("last_transition_on", Date, nullable=False),
    Column("household_type", String(16), nullable=False),
    Column("veteran", String(8), nullable=False),
    Column("chronic", Boolean, nullable=False),
    Column("erased", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    #: The next day a stated value starts to apply (a change dated ahead): the row is derived again then.
    Column("pending_on", Date, index=True),
)

#: Each statement of a listed person's membership attributes, from which the row's values in force are derived.
person_statements = Table(
    "person_statements",
    metadata,
    Column("person_id", String(32), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("effective_on", Date, nullable=False),
    #: Identification's values, which rank below every change applying from the same day.
    Column("identification", Boolean, nullable=False),
    Column("attributes", JSON, nullable=False),
)

#: The populations each listed person belongs to now (events/populations.py), so the list filters on them.
person_populations = Table(
    "person_populations",
    metadata,
    Column("population", String(16), primary_key=True),
    Column("person_id", String(32), primary_key=True, index=True),
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
    Column("person_id", String(32), nullable=False, index=True),
    Column("episode_id", String(32), nullable=False, index=True),
    Column("from_service_id", String(32)),
    Column("to_service_id", String(32), nullable=False, index=True),
    Column("agency", String(64), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    #: Still waiting for the receiving service's answer (events/handoff_vocabulary.py): overdue past due_on.
    Column("awaiting_answer", Boolean, nullable=False),
    Column("priority", String(10), nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("last_transition_on", Date, nullable=False),
    Column("version", Integer, nullable=False),
)

# -- populations: the timeline of clear facts per person, folded into daily flows per population --------

person_facts = Table(
    "person_facts",
    metadata,
    Column("person_id", String(32), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("effective_on", Date, nullable=False),
    #: The name of the event (e.g. "Housed"), whose meaning events/person_vocabulary.py gives.
    Column("kind", String(24), nullable=False),
    #: The clear attributes the fact sets (never PII); null for status changes.
    Column("attributes", JSON),
)

person_profiles = Table(
    "person_profiles",
    metadata,
    Column("person_id", String(32), primary_key=True),
    #: One HMIS category, or "multiple", "unknown", "refused": a single value to cut reports by.
    Column("race_ethnicity", String(24), nullable=False),
    Column("sex", String(10), nullable=False),
    Column("birth_year", Integer),
    #: YYYY-MM, derived from the date of birth when one was written: the age at any day, to the month.
    Column("birth_month", String(7)),
    #: The populations the person belongs to (events/populations.py), in the order of POPULATIONS.
    Column("populations", JSON, nullable=False),
    #: The person was entered in error: none of their handoffs counts either.
    Column("in_error", Boolean, nullable=False),
    #: The next day a change dated ahead starts to apply: the profile is made again on that day.
    Column("pending_on", Date, index=True),
)

FLOWS = (
    "newly_identified",
    "returned_from_housing",
    "returned_from_inactive",
    "housing_placements",
    "moved_to_inactive",
    "no_longer_meets_population_criteria",
)
INFLOWS = FLOWS[:3]
OUTFLOWS = FLOWS[3:]

population_days = Table(
    "population_days",
    metadata,
    Column("population", String(16), primary_key=True),
    Column("day", Date, primary_key=True),
    *(Column(flow, Integer, nullable=False) for flow in FLOWS),
    #: Sum over the day's housing placements of days from identification or latest return.
    Column("days_to_housing", Integer, nullable=False),
)

#: The same flows per person and spell (projections/timeline.py `fold_spells`): what cuts by race, sex and age
#: band add up, and the units their suppression moves (projections/reports/cut_units.py).
person_flows = Table(
    "person_flows",
    metadata,
    Column("person_id", String(32), primary_key=True),
    Column("spell", Integer, primary_key=True),
    Column("population", String(16), primary_key=True),
    Column("day", Date, primary_key=True),
    *(Column(flow, Integer, nullable=False) for flow in FLOWS),
    Column("days_to_housing", Integer, nullable=False),
    Index("ix_person_flows_day", "day"),
)

# -- handoff gaps: one row per handoff, grouped into episodes by the report -------------------------

gap_handoffs = Table(
    "gap_handoffs",
    metadata,
    Column("handoff_id", String(32), primary_key=True),
    #: The log position of the request: orders handoffs of one episode requested on the same day.
    Column("position", BigInteger, nullable=False),
    Column("episode_id", String(32), nullable=False),
    Column("person_id", String(32), nullable=False),
    Column("from_service_id", String(32)),
    Column("to_service_id", String(32), nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("accepted_on", Date),
    Column("closed_on", Date),
    #: rejected, cancelled, expired (cancelled with the expiry reason code), completed or failed
    Column("closed_as", String(16)),
    Column("in_error", Boolean, nullable=False),
    # The report reads the months asked for in request order, and asks of each episode whether it began earlier.
    Index("ix_gap_handoffs_requested_on_position", "requested_on", "position"),
    Index("ix_gap_handoffs_episode_id_requested_on", "episode_id", "requested_on", "in_error"),
)

# -- outcomes: one row per outcome milestone in force (a voided one leaves) ------------------------------

person_outcomes = Table(
    "person_outcomes",
    metadata,
    Column("person_id", String(32), primary_key=True),
    #: The version of the person's entry that recorded it: what a void names.
    Column("version", Integer, primary_key=True),
    Column("indicator", String(32), nullable=False),
    Column("met", Boolean, nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("source", String(32), nullable=False),
    # The report reads one indicator's outcomes over a range of days.
    Index("ix_person_outcomes_indicator_effective_on", "indicator", "effective_on"),
)


#: The tables a rebuild builds aside and switches in (the audit chain is never rebuilt: it is the evidence).
REBUILT = (
    persons,
    person_statements,
    person_populations,
    services,
    handoffs,
    person_facts,
    person_profiles,
    population_days,
    person_flows,
    gap_handoffs,
    person_outcomes,
)
for _table in REBUILT:
    _copy = _table.to_metadata(aside_metadata, name=ASIDE_PREFIX + _table.name)
    for _index in _copy.indexes:
        # An index named in full keeps its name in a copy: give it the copy's, as the generated names have.
        if _index.name and _table.name in _index.name and _copy.name not in _index.name:
            _index.name = _index.name.replace(_table.name, _copy.name, 1)


def aside(table: Table) -> Table:
    """The copy of a read-model table a rebuild fills aside: the same columns and indexes, another name."""
    return aside_metadata.tables[ASIDE_PREFIX + table.name]


# -- audit: the hash chain over the stored events (its signed heads: coord/tables.py) -----------------

audit_chain = Table(
    "audit_chain",
    metadata,
    Column("position", BigInteger, primary_key=True),
    #: SHA-256 (hex) of the previous position's hash and this event's canonical stored bytes.
    Column("hash", String(64), nullable=False),
)
