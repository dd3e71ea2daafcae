"""Property: for any valid history, the monthly flows add up to the active counts, agree with an oracle
written here from the events alone, and come out the same projected page by page or in one rebuild; and the
list's stored populations and statuses are each person's own, however the log is paged.

Histories are drawn as plans and run on real Person aggregates: several persons interleaved in the log,
valid status transitions dated on or after the latest one, attribute changes dated on any day of the pool
whatever was recorded before (back-dated before other changes and status transitions, before
identification, on the same day, or tomorrow), outcome milestones dated on any such day, voids of contacts,
attribute changes, outcomes and the latest status transition, persons entered in error, and dates drawn from a
small pool so that many events share a day.
"""

import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from coord.config import Config
from coord.service.corrections import void_entry
from coord.service.outcomes import record_outcome
from coord.service.principal import Principal
from coord.wiring import open_coord
from events.crypto import MasterKey
from events.dates import today
from events.person import Person
from events.populations import POPULATIONS
from events.signing import SigningKey
from events.vocabulary import PERSON_STATUSES
from projections import list_queries
from projections.db import Database
from projections.list_projector import lists_projector
from projections.populations_projector import populations_projector
from projections.reports.counts import live_counts
from projections.reports.monthly import monthly
from projections.reports.months import month_end, month_of, months_between
from projections.tables import FLOWS, INFLOWS, OUTFLOWS
from tests.projection_support import Log, dump, project, read_models

WHO = {"actor": "t", "agency": "harbor"}
ORIGIN = date(2025, 9, 1)
MAX_PERSONS = 5

HOUSEHOLDS = st.sampled_from(("single_adult", "family", "youth"))
VETERAN = st.sampled_from(("yes", "no", "unknown"))
#: What report cuts read (race/ethnicity, sex, age): no population depends on them.
RACES = st.sampled_from((["asian"], ["white"], ["white", "black_af_american"], ["unknown"]))
SEXES = st.sampled_from(("female", "male", "unknown"))
IDENTITIES = st.fixed_dictionaries(
    {"household_type": HOUSEHOLDS, "veteran": VETERAN, "chronic": st.booleans()},
    optional={"race_ethnicity": RACES, "sex": SEXES, "birth_year": st.sampled_from((1950, 1990, 2003, 2020))},
)
CHANGES = st.fixed_dictionaries(
    {}, optional={"household_type": HOUSEHOLDS, "veteran": VETERAN, "chronic": st.booleans(), "sex": SEXES}
).filter(bool)
#: Days an attribute change may be dated on besides the pool: before anyone's identification, and tomorrow.
EXTRA_CHANGE_DAYS = (ORIGIN - timedelta(days=30), today() + timedelta(days=1))
REASONS = st.sampled_from(("no_contact", "institution", "left_area", "not_literally_homeless", "deceased"))
#: The valid status transitions from each status, by the command that makes them.
TRANSITIONS = {
    "active": ["house", "mark_inactive", "enter_in_error"],
    "housed": ["return_from_housing", "enter_in_error"],
    "inactive": ["return_from_inactive", "enter_in_error"],
    "entered_in_error": [],
}
TRANSITION_COMMANDS = {command for commands in TRANSITIONS.values() for command in commands}
CORRECTION_REASONS = st.sampled_from(("entered_in_error", "wrong_person", "wrong_date", "duplicate_record"))
#: Events a void may name at any time; a status transition only while it is the latest one in force.
ANY_TIME = ("ContactRecorded", "AttributesChanged", "OutcomeRecorded")
OUTCOMES = st.fixed_dictionaries(
    {
        "indicator": st.sampled_from(("early_grade_reading", "employment")),
        "met": st.booleans(),
        "source": st.sampled_from(("state_assessment", "self_report")),
    }
)


def draw_history(data: st.DataObject) -> list[Any]:
    """Run a drawn plan of valid commands; the events in log order."""
    offsets = data.draw(st.sets(st.integers(0, 250), min_size=2, max_size=8), label="day offsets")
    pool = sorted(ORIGIN + timedelta(days=offset) for offset in offsets)
    persons: list[Person] = []
    log = Log()
    for _ in range(data.draw(st.integers(1, 30), label="steps")):
        if not persons or (len(persons) < MAX_PERSONS and data.draw(st.booleans(), label="identify")):
            persons.append(
                Person.identify(
                    id=UUID(int=len(persons) + 1),
                    attributes=data.draw(IDENTITIES, label="attributes"),
                    pii={},
                    effective_on=data.draw(st.sampled_from(pool), label="identified on"),
                    **WHO,
                )
            )
            log.record(persons[-1])
            continue
        person = persons[data.draw(st.integers(0, len(persons) - 1), label="person")]
        run_command(data, person, pool, [e for e in log.events if e.originator_id == person.id])
        log.record(person)
    return log.events


def voidable_versions(history: Sequence[Any]) -> list[int]:
    """From the person's events so far: the versions of entries in force that a void may name."""
    voided = {e.voids for e in history if type(e).__name__ == "EntryVoided"}
    in_force = [e for e in history if e.originator_version not in voided]
    transitions = [e for e in in_force if type(e).__name__ in (*STATUS_AFTER, "EnteredInError")][1:]
    # A person entered in error stays so: their latest transition is no longer voidable.
    latest = [e.originator_version for e in transitions[-1:] if type(e).__name__ != "EnteredInError"]
    return [e.originator_version for e in in_force if type(e).__name__ in ANY_TIME] + latest


def run_command(data: st.DataObject, person: Person, pool: list[date], history: Sequence[Any]) -> None:
    commands = ["change_attributes", "record_contact", "record_outcome", *TRANSITIONS[person.status], "void"]
    if person.status == "inactive" and person.inactive_reason == "deceased":
        commands.remove("return_from_inactive")
    command = data.draw(st.sampled_from(commands), label="command")
    if command == "void":
        voidable = voidable_versions(history)
        if voidable:
            voids = data.draw(st.sampled_from(voidable), label="voids")
            person.void_entry(voids=voids, reason=data.draw(CORRECTION_REASONS), note=None, effective_on=today(), **WHO)
            return
        command = "record_contact"
    # Status transitions: on or after the latest one; attribute changes: any day; anything else: on or after
    # identification.
    earliest = person.last_transition_on if command in TRANSITION_COMMANDS else person.identified_on
    on = data.draw(st.sampled_from(sorted({earliest, *(d for d in pool if d >= earliest)})), label="on")
    if command == "change_attributes":
        on = data.draw(st.sampled_from(sorted({*pool, *EXTRA_CHANGE_DAYS})), label="changed on")
        person.change_attributes(attributes=data.draw(CHANGES, label="changes"), pii={}, effective_on=on, **WHO)
    elif command == "record_outcome":
        on = data.draw(st.sampled_from(sorted({*pool, *EXTRA_CHANGE_DAYS})), label="assessed on")
        person.record_outcome(**data.draw(OUTCOMES, label="outcome"), effective_on=on, **WHO)
    elif command == "house":
        person.house(destination=data.draw(st.sampled_from((410, 435)), label="destination"), effective_on=on, **WHO)
    elif command == "mark_inactive":
        person.mark_inactive(reason=data.draw(REASONS, label="reason"), effective_on=on, **WHO)
    elif command == "enter_in_error":
        person.enter_in_error(reason=data.draw(CORRECTION_REASONS, label="reason"), effective_on=on, **WHO)
    else:
        getattr(person, command)(effective_on=on, **WHO)


# -- the oracle: each person's status and attributes replayed by effective date, ties by log order ----------
# A change dated before identification counts on the identification day, after identification's own values
# and in order of its own date (docs/reports.md, "The timeline of attributes").

STATUS_AFTER = {
    "Identified": "active",
    "Housed": "housed",
    "MarkedInactive": "inactive",
    "ReturnedFromHousing": "active",
    "ReturnedFromInactive": "active",
}
ENTERS = {
    "Identified": "newly_identified",
    "AttributesChanged": "newly_identified",
    "ReturnedFromHousing": "returned_from_housing",
    "ReturnedFromInactive": "returned_from_inactive",
}
LEAVES = {
    "Housed": "housing_placements",
    "MarkedInactive": "moved_to_inactive",
    "AttributesChanged": "no_longer_meets_population_criteria",
}


def populations(attributes: dict[str, Any]) -> set[str]:
    household = attributes["household_type"]
    return {"all"} | {
        population
        for population, member in (
            ("single_adults", household == "single_adult"),
            ("veterans", attributes["veteran"] == "yes"),
            ("chronic", attributes["chronic"] is True),
            ("youth", household == "youth"),
            ("families", household == "family"),
        )
        if member
    }


def counted_in(status: str | None, attributes: dict[str, Any]) -> set[str]:
    """The populations whose active count includes a person in this state."""
    return populations(attributes) if status == "active" else set()


def timelines(events: Sequence[Any]) -> list[list[tuple[date, Any]]]:
    """Each person's (day counted on, event) by effective date, and in log order on one date."""
    by_person: dict[Any, list[tuple[tuple[date, date, int], Any]]] = {}
    identified_on = {e.originator_id: e.effective_on for e in events if type(e).__name__ == "Identified"}
    for position, event in enumerate(events):
        start = identified_on[event.originator_id]
        own = date.min if type(event).__name__ == "Identified" else event.effective_on
        by_person.setdefault(event.originator_id, []).append(((max(event.effective_on, start), own, position), event))
    return [[(key[0], e) for key, e in sorted(items, key=lambda i: i[0])] for items in by_person.values()]


def in_force(events: Sequence[Any]) -> list[Any]:
    """The log without voids and the entries they void (a voided entry counts as never recorded), and
    without any event of a person entered in error (they were never on the list)."""
    voided = {(e.originator_id, e.voids) for e in events if type(e).__name__ == "EntryVoided"}
    struck = {e.originator_id for e in events if type(e).__name__ == "EnteredInError"}
    return [
        e
        for e in events
        if type(e).__name__ != "EntryVoided"
        and (e.originator_id, e.originator_version) not in voided
        and e.originator_id not in struck
    ]


class Oracle:
    def __init__(self, events: Sequence[Any], keep: Callable[[list[Any]], bool] = lambda _timeline: True) -> None:
        """The oracle of the persons whose timeline `keep` keeps (by default everyone)."""
        self.timelines = [timeline for timeline in timelines(in_force(events)) if keep(timeline)]
        #: (population, month) -> flow -> count, plus "days" and "placed" for the average days to housing.
        self.flows: dict[tuple[str, date], Counter[str]] = {}
        for timeline in self.timelines:
            self._classify(timeline)

    def _classify(self, timeline: list[Any]) -> None:
        status, attributes, started_on = None, {}, None
        for day, event in timeline:
            kind = type(event).__name__
            before = counted_in(status, attributes)
            if kind == "Housed":
                for population in before:
                    self._count(population, day, "days", (day - started_on).days)
            if kind in ("Identified", "ReturnedFromHousing", "ReturnedFromInactive"):
                started_on = day
            if kind in ("Identified", "AttributesChanged"):
                attributes = {**attributes, **event.attributes}
            status = STATUS_AFTER.get(kind, status)
            after = counted_in(status, attributes)
            for population in after - before:
                self._count(population, day, ENTERS[kind])
            for population in before - after:
                self._count(population, day, LEAVES[kind])

    def _count(self, population: str, day: date, name: str, amount: int = 1) -> None:
        self.flows.setdefault((population, month_of(day)), Counter())[name] += amount

    def active(self, population: str, day: date) -> int:
        """Persons active and in `population` at the end of `day`."""
        count = 0
        for timeline in self.timelines:
            status, attributes = None, {}
            for counted_on, event in timeline:
                if counted_on > day:
                    break
                attributes = {**attributes, **getattr(event, "attributes", {})}
                status = STATUS_AFTER.get(type(event).__name__, status)
            count += population in counted_in(status, attributes)
        return count

    def expected(self, population: str, month: date) -> dict[str, Any]:
        counts = self.flows.get((population, month), Counter())
        placed = counts["housing_placements"]
        return {
            "actively_homeless": self.active(population, month_end(month)),
            **{name: counts[name] for name in FLOWS},
            "inflow": sum(counts[name] for name in INFLOWS),
            "outflow": sum(counts[name] for name in OUTFLOWS),
            "avg_days_to_housing": round(counts["days"] / placed, 1) if placed else None,
        }


# -- projecting -----------------------------------------------------------------------------------------------


def draw_sizes(data: st.DataObject, events: Sequence[Any]) -> list[int]:
    sizes: list[int] = []
    while sum(sizes) < len(events):
        sizes.append(data.draw(st.integers(1, 6), label="page size"))
    return sizes


def project_in_pages(db: Database, events: Sequence[Any], sizes: Sequence[int], projector: Any = None) -> None:
    """Project page by page, each of the next size in `sizes`, each page in its own transaction."""
    projector, positioned, start = projector or populations_projector(), list(enumerate(events, start=1)), 0
    for size in sizes:
        with db.write() as connection:
            projector.apply_page(connection, positioned[start : start + size])
        start += size
    assert start >= len(positioned)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_monthly_flows_add_up_match_the_oracle_and_rebuild_equals_incremental(data: st.DataObject) -> None:
    events = draw_history(data)
    sizes = draw_sizes(data, events)
    days = [event.effective_on for event in events]
    first, last = month_of(min(days)), month_of(max(days))
    oracle = Oracle(events)

    with tempfile.TemporaryDirectory() as folder:
        rebuilt, incremental = read_models(Path(folder), "rebuilt"), read_models(Path(folder), "incremental")
        try:
            project(rebuilt, [populations_projector()], events, page_size=len(events))
            project_in_pages(incremental, events, sizes)
            assert dump(incremental, [populations_projector()]) == dump(rebuilt, [populations_projector()])
            with incremental.read() as connection:
                rows = monthly(connection, first=first, last=last)
                ends = {month: live_counts(connection, on=month_end(month)) for month in months_between(first, last)}
        finally:
            rebuilt.dispose()
            incremental.dispose()

    assert len(rows) == len(POPULATIONS) * len(ends)
    previous = dict.fromkeys(POPULATIONS, 0)  # nobody is active before the first identification
    for row in rows:
        population, month = row["population"], row["month"]
        active = ends[month][population]
        assert previous[population] + row["inflow"] - row["outflow"] == active == row["actively_homeless"], row
        assert {name: row[name] for name in oracle.expected(population, month)} == oracle.expected(population, month), (
            population,
            month,
        )
        previous[population] = active


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_list_stores_each_persons_populations_and_status_page_by_page(data: st.DataObject) -> None:
    """An attribute change carries only what it changes: the list projector must combine it with the row's
    other values, whether they were written in an earlier page or earlier in the same one."""
    events = draw_history(data)
    persons: dict[UUID, Any] = {}
    for event in events:
        persons[event.originator_id] = event.mutate(persons.get(event.originator_id))
    with tempfile.TemporaryDirectory() as folder:
        db = read_models(Path(folder))
        try:
            project_in_pages(db, events, draw_sizes(data, events), lists_projector())
            for population in (None, *POPULATIONS):
                for status in (None, *PERSON_STATUSES):
                    listed = list_queries.person_ids(db, population=population, status=status, limit=100)
                    assert listed == sorted(
                        (
                            person_id
                            for person_id, person in persons.items()
                            if population in (None, *person.populations)
                            # Persons entered in error are listed only by that status.
                            and (person.status == status if status else person.status != "entered_in_error")
                        ),
                        key=lambda person_id: person_id.hex,
                    ), (population, status)
        finally:
            db.dispose()


# -- the same histories recorded through the application service --------------------------------------------

CASE_MANAGER = Principal("property", "case_manager", "harbor")


def record_through_the_service(service: Any, events: Sequence[Any], catch_up_after: set[int]) -> None:
    """Make each drawn event's command through the application service, in the drawn (log) order, catching
    every read model up after the writes whose index is in `catch_up_after`."""
    ids: dict[UUID, UUID] = {}
    for index, event in enumerate(events):
        kind, on = type(event).__name__, event.effective_on
        if kind == "Identified":
            attributes = {name: event.attributes[name] for name in ("household_type", "veteran", "chronic")}
            person = service.identify_person(CASE_MANAGER, attributes=attributes, pii={}, effective_on=on)
            ids[event.originator_id] = person.id
        elif kind == "AttributesChanged":
            service.change_person(
                CASE_MANAGER, ids[event.originator_id], attributes=event.attributes, pii={}, effective_on=on
            )
        elif kind == "EntryVoided":
            void_entry(service, CASE_MANAGER, ids[event.originator_id], voids=event.voids, reason=event.reason)
        elif kind == "EnteredInError":
            service.transition_person(
                CASE_MANAGER, ids[event.originator_id], to="entered_in_error", reason=event.reason, effective_on=on
            )
        elif kind == "ContactRecorded":
            service.record_contact(CASE_MANAGER, ids[event.originator_id], effective_on=on)
        elif kind == "OutcomeRecorded":
            outcome = {name: getattr(event, name) for name in ("indicator", "met", "source")}
            record_outcome(service, CASE_MANAGER, ids[event.originator_id], **outcome, effective_on=on)
        else:
            details = {"destination": getattr(event, "destination", None), "reason": getattr(event, "reason", None)}
            to = STATUS_AFTER[kind]
            service.transition_person(CASE_MANAGER, ids[event.originator_id], to=to, effective_on=on, **details)
        if index in catch_up_after:
            service.projections.run()
    service.projections.run()


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_histories_recorded_through_the_service_match_the_oracle_and_a_rebuild(data: st.DataObject) -> None:
    events = draw_history(data)
    catch_up_after = data.draw(st.sets(st.integers(0, len(events) - 1)), label="catch up after")
    first, last = month_of(min(e.effective_on for e in events)), month_of(max(e.effective_on for e in events))
    oracle = Oracle(events)
    with tempfile.TemporaryDirectory() as folder:
        config = Config.from_env(
            {
                "COORD_DATA_DIR": folder,
                "COORD_DATABASE_URL": f"sqlite:///{folder}/coord.db",
                "COORD_MASTER_KEY": MasterKey.generate().to_base64(),
                "COORD_AUDIT_SIGNING_KEY": SigningKey.generate().to_base64(),
            }
        )
        coord = open_coord(config)
        try:
            service = coord.service
            record_through_the_service(service, events, catch_up_after)
            projectors = service.projections.projectors
            incremental = dump(coord.db, projectors)
            with coord.db.read() as connection:
                rows = monthly(connection, first=first, last=last)
            service.projections.reset()
            service.projections.run()
            assert dump(coord.db, projectors) == incremental
        finally:
            coord.close()
    # The outcomes in force: each recorded outcome no void names, whoever the person is.
    voided = {(e.originator_id, e.voids) for e in events if type(e).__name__ == "EntryVoided"}
    recorded = [e for e in events if type(e).__name__ == "OutcomeRecorded"]
    in_force_outcomes = [e for e in recorded if (e.originator_id, e.originator_version) not in voided]
    stored = [(row[2], row[3], row[4], row[5]) for row in incremental["person_outcomes"]]
    assert sorted(stored) == sorted((e.indicator, e.met, e.effective_on, e.source) for e in in_force_outcomes)
    previous = dict.fromkeys(POPULATIONS, 0)
    for row in rows:
        population, month = row["population"], row["month"]
        expected = oracle.expected(population, month)
        assert {name: row[name] for name in expected} == expected, (population, month)
        assert previous[population] + row["inflow"] - row["outflow"] == row["actively_homeless"], row
        previous[population] = row["actively_homeless"]
