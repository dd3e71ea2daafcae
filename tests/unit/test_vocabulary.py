"""The vocabulary has one owner: for every event class of Person and Handoff, found on the aggregate classes
themselves, what the aggregate, each projector and the timeline fold derive from it equals what the
aggregate's table says (events/person_vocabulary.py, events/handoff_vocabulary.py).

Each case builds a short, valid history ending with the event, projects it with the real projectors into
SQLite, and compares the rows before and after the last event with the table's entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from sqlalchemy import func, select

from events.dates import today
from events.handoff import Handoff
from events.handoff_vocabulary import EXPIRY_REASON, HANDOFF_EVENTS
from events.person import Person
from events.person_vocabulary import PERSON_EVENTS
from events.vocabulary import HANDOFF_STATUSES, PERSON_STATUSES
from projections.db import Database
from projections.handoff_gaps_projector import handoff_gaps_projector
from projections.list_projector import lists_projector
from projections.outcomes_projector import outcomes_projector
from projections.populations_projector import fact_of, populations_projector
from projections.tables import FLOWS, gap_handoffs, handoffs, persons, population_days
from projections.timeline import fold
from tests.projection_support import read_models

WHO = {"actor": "t", "agency": "harbor"}
START = today() - timedelta(days=40)


def on(day: int) -> date:
    return START + timedelta(days=day)


def event_classes(aggregate: type[Aggregate]) -> list[type]:
    """The aggregate's event classes, from the class itself: its nested Aggregate.Event subclasses, leaving
    out those named as in Aggregate (Event and Created: the library's bases, redefined on every aggregate)."""
    return [
        value
        for name, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, Aggregate.Event) and not hasattr(Aggregate, name)
    ]


# -- histories: the commands that end with each event, after the aggregate is created ---------------------------

Steps = Callable[[Any], None]


def _house(p: Person) -> None:
    p.house(destination=410, effective_on=on(2), **WHO)


def _mark_inactive(p: Person) -> None:
    p.mark_inactive(reason="left_area", effective_on=on(2), **WHO)


def _record_consent(p: Person) -> None:
    p.record_consent(consent_id="c1", agencies=["gateway"], expires_on=None, effective_on=on(1), **WHO)


PERSON_HISTORIES: dict[str, Steps] = {
    "Identified": lambda p: None,
    "ContactRecorded": lambda p: p.record_contact(effective_on=on(3), **WHO),
    "OutcomeRecorded": lambda p: p.record_outcome(
        indicator="employment", met=True, source="wage_record", effective_on=on(3), **WHO
    ),
    "Housed": _house,
    "MarkedInactive": _mark_inactive,
    "ReturnedFromHousing": lambda p: (_house(p), p.return_from_housing(effective_on=on(3), **WHO)),
    "ReturnedFromInactive": lambda p: (_mark_inactive(p), p.return_from_inactive(effective_on=on(3), **WHO)),
    # Joins the veterans population: flows there, none in "all".
    "AttributesChanged": lambda p: p.change_attributes(
        attributes={"veteran": "yes"}, pii={}, effective_on=on(3), **WHO
    ),
    "Erased": lambda p: p.erase(effective_on=on(3), **WHO),
    "ConsentRecorded": _record_consent,
    "ConsentRevoked": lambda p: (_record_consent(p), p.revoke_consent(consent_id="c1", effective_on=on(3), **WHO)),
    "EnteredInError": lambda p: p.enter_in_error(reason="duplicate_record", effective_on=on(3), **WHO),
    # A contact voided: the status and the flows stay.
    "EntryVoided": lambda p: (
        p.record_contact(effective_on=on(3), **WHO),
        p.void_entry(voids=2, reason="entered_in_error", note=None, effective_on=on(4), **WHO),
    ),
}


def _accept(h: Handoff) -> None:
    h.accept(effective_on=on(2), **WHO)


def _hold(h: Handoff) -> None:
    _accept(h)
    h.put_on_hold(reason="client_unavailable", effective_on=on(3), **WHO)


HANDOFF_HISTORIES: dict[str, Steps] = {
    "Requested": lambda h: None,
    "Accepted": _accept,
    "Rejected": lambda h: h.reject(reason="no_capacity", effective_on=on(2), **WHO),
    "Cancelled": lambda h: h.cancel(reason="no_longer_needed", effective_on=on(2), **WHO),
    "Started": lambda h: (_accept(h), h.start(effective_on=on(3), **WHO)),
    "PutOnHold": _hold,
    "Resumed": lambda h: (_hold(h), h.resume(effective_on=on(4), **WHO)),
    "Completed": lambda h: (
        _accept(h),
        h.start(effective_on=on(3), **WHO),
        h.complete(outcome="enrolled", effective_on=on(4), **WHO),
    ),
    "Failed": lambda h: (_accept(h), h.fail(reason="lost_contact", effective_on=on(3), **WHO)),
    "EnteredInError": lambda h: (_accept(h), h.enter_in_error(reason="duplicate_referral", effective_on=on(3), **WHO)),
}


def person_history(name: str) -> tuple[UUID, list[Any]]:
    person = Person.identify(
        id=uuid4(), attributes={"household_type": "single_adult", "veteran": "no"}, pii={}, effective_on=on(0), **WHO
    )
    PERSON_HISTORIES[name](person)
    return person.id, person.collect_events()


def handoff_history(name: str, cancel_reason: str | None = None) -> tuple[UUID, list[Any]]:
    person_id, events = person_history("Identified")
    handoff = Handoff.request(
        person_id=person_id,
        from_service_id=uuid4(),
        to_service_id=uuid4(),
        episode_id=None,
        requested_on=on(1),
        due_on=on(15),
        effective_on=on(1),
        **WHO,
    )
    if cancel_reason:
        handoff.cancel(reason=cancel_reason, effective_on=on(2), **WHO)
    else:
        HANDOFF_HISTORIES[name](handoff)
    return handoff.id, [*events, *handoff.collect_events()]


# -- what the read models say about one aggregate ----------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    db = read_models(tmp_path)
    yield db
    db.dispose()


PROJECTORS = (lists_projector(), populations_projector(), handoff_gaps_projector(), outcomes_projector())


def project(db: Database, events: list[Any], first_position: int) -> None:
    page = list(enumerate(events, start=first_position))
    with db.write() as connection:
        for projector in PROJECTORS:
            projector.apply_page(connection, page)


def read(db: Database, aggregate_id: UUID) -> dict[str, Any]:
    """The aggregate's list row, its gap row and the flows of population "all" (where membership never
    changes, so every flow there is a status move)."""
    with db.read() as connection:
        listed = connection.execute(select(persons.c.status).where(persons.c.id == aggregate_id.hex)).first()
        handoff = connection.execute(
            select(handoffs.c.status, handoffs.c.awaiting_answer).where(handoffs.c.id == aggregate_id.hex)
        ).first()
        gap = connection.execute(
            select(gap_handoffs.c.accepted_on, gap_handoffs.c.closed_as, gap_handoffs.c.in_error).where(
                gap_handoffs.c.handoff_id == aggregate_id.hex
            )
        ).first()
        flows = connection.execute(
            select(*(func.coalesce(func.sum(population_days.c[flow]), 0) for flow in FLOWS)).where(
                population_days.c.population == "all"
            )
        ).one()
    return {
        "status": listed.status if listed else handoff.status if handoff else None,
        "awaiting_answer": handoff.awaiting_answer if handoff else None,
        "gap": gap._asdict() if gap else None,
        "flows": dict(zip(FLOWS, flows, strict=True)),
    }


def flows_added(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {flow: after[flow] - before[flow] for flow in FLOWS if after[flow] != before[flow]}


def folded_flow(events: list[Any]) -> dict[str, int]:
    """The flows of population "all" that the timeline fold adds for the last event."""
    facts = [fact for fact in map(fact_of, events) if fact is not None]
    facts_before = [fact for fact in map(fact_of, events[:-1]) if fact is not None]

    def totals(folded: list[Any]) -> dict[str, int]:
        flows = fold(folded)
        return {flow: sum(c[flow] for (population, _day), c in flows.items() if population == "all") for flow in FLOWS}

    return flows_added(totals(facts_before), totals(facts))


def replay(events: list[Any], aggregate_id: UUID) -> Any:
    aggregate = None
    for stored in (e for e in events if e.originator_id == aggregate_id):
        aggregate = stored.mutate(aggregate)
    return aggregate


# -- the tests ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "aggregate, table, statuses",
    [(Person, PERSON_EVENTS, PERSON_STATUSES), (Handoff, HANDOFF_EVENTS, HANDOFF_STATUSES)],
    ids=["Person", "Handoff"],
)
def test_the_table_covers_every_event_class_and_status(aggregate: type, table: dict, statuses: tuple) -> None:
    assert {cls.__name__ for cls in event_classes(aggregate)} == set(table)
    named = {meaning.leads_to for meaning in table.values()} | {s for m in table.values() for s in m.follows}
    assert named - {None} == set(statuses)


CASES = [
    *((Person, cls.__name__) for cls in event_classes(Person)),
    *((Handoff, cls.__name__) for cls in event_classes(Handoff)),
]


@pytest.mark.parametrize("aggregate, name", CASES, ids=[f"{a.__name__}.{n}" for a, n in CASES])
def test_every_reader_derives_what_the_table_says(db: Database, aggregate: type, name: str) -> None:
    if aggregate is Person:
        aggregate_id, events = person_history(name)
        meaning = PERSON_EVENTS[name]
    else:
        aggregate_id, events = handoff_history(name)
        meaning = HANDOFF_EVENTS[name]
    last = events[-1]
    assert type(last) is getattr(aggregate, name)

    project(db, events[:-1], first_position=1)
    before = read(db, aggregate_id)
    project(db, [last], first_position=len(events))
    after = read(db, aggregate_id)

    status = meaning.leads_to or before["status"]
    assert replay(events, aggregate_id).status == status  # the aggregate
    assert after["status"] == status  # the list projector
    flow = getattr(meaning, "flow", None)
    expected_flows = {flow: 1} if flow else {}
    if aggregate is Person and meaning.strikes_out:
        # Every flow the person counted in is taken back.
        expected_flows = {name: -count for name, count in before["flows"].items() if count}
    assert flows_added(before["flows"], after["flows"]) == expected_flows  # the populations projector
    assert folded_flow(events) == expected_flows  # the timeline fold

    if aggregate is Handoff:
        assert after["awaiting_answer"] == (meaning.awaits_answer if meaning.leads_to else before["awaiting_answer"])
        gap_before = before["gap"] or {"accepted_on": None, "closed_as": None, "in_error": False}
        assert after["gap"] == {
            "accepted_on": last.effective_on if meaning.picks_up else gap_before["accepted_on"],
            "closed_as": meaning.closed_as(getattr(last, "reason", None)) or gap_before["closed_as"],
            "in_error": meaning.strikes_out or gap_before["in_error"],
        }
    else:
        assert after["gap"] is None


def test_a_cancellation_with_the_expiry_code_counts_as_expired(db: Database) -> None:
    handoff_id, events = handoff_history("Cancelled", cancel_reason=EXPIRY_REASON)
    project(db, events, first_position=1)
    assert read(db, handoff_id)["gap"]["closed_as"] == HANDOFF_EVENTS["Cancelled"].closed_as(EXPIRY_REASON) == "expired"
    assert HANDOFF_EVENTS["Cancelled"].closed_as("withdrawn") == "cancelled"
