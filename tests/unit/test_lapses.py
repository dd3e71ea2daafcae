"""The two rules time applies (events/lapses.py) against a fold written here from docs/design.md: a person
lapses to inactive on the last day anyone saw them (identification, a contact, a return to the list) plus N,
if they are still active; a handoff expires on requested_on plus N if it is still requested. Once, whatever
the day the job runs, and never before the due day."""

from datetime import date, timedelta
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from events import lapses
from events.dates import today
from events.handoff import Handoff
from events.person import Person
from events.pii import PII

WHO = {"actor": "system:inactivity-sweep", "agency": "partnership"}
START = today() - timedelta(days=400)

#: (day offset from START, what happens): a contact, leaving the list (inactive for another reason) or coming back.
STEPS = st.lists(st.tuples(st.integers(0, 380), st.sampled_from(["contact", "leave", "return"])), max_size=12)


def _person(steps: list[tuple[int, str]]) -> Person:
    person_id = uuid4()
    person = Person.identify(
        id=person_id,
        attributes={"household_type": "single_adult", "veteran": "no"},
        pii={"first_name": PII("Jo", person_id)},
        effective_on=START,
        **WHO,
    )
    for offset, kind in sorted(steps):
        day = START + timedelta(days=offset)
        if kind == "contact":
            person.record_contact(effective_on=day, **WHO)
        elif kind == "leave" and person.status == "active":
            person.mark_inactive(reason="left_area", effective_on=day, **WHO)
        elif kind == "return" and person.status == "inactive":
            person.return_from_inactive(effective_on=day, **WHO)
    return person


def _expected(steps: list[tuple[int, str]], after_days: int, on: date) -> date | None:
    """The oracle: replay the steps as the definitions say, and give the day the person lapses, if by `on`."""
    active, seen = True, START
    for offset, kind in sorted(steps):
        day = START + timedelta(days=offset)
        if kind == "contact":
            seen = max(seen, day)
        elif kind == "leave" and active:
            active = False
        elif kind == "return" and not active:
            active, seen = True, max(seen, day)
    due = seen + timedelta(days=after_days)
    return due if active and due <= on else None


@settings(max_examples=200, deadline=None)
@given(STEPS, st.sampled_from([1, 30, 90]), st.integers(0, 60))
def test_a_person_lapses_exactly_when_and_as_of_the_day_the_definition_says(steps, after_days, days_ago):
    on = today() - timedelta(days=days_ago)
    person = _person(steps)
    person.collect_events()
    expected = _expected(steps, after_days, on)
    assert lapses.lapse(person, after_days=after_days, today=on, **WHO) is (expected is not None)
    marked = [e for e in person.collect_events() if type(e).__name__ == "MarkedInactive"]
    assert [(m.effective_on, m.reason) for m in marked] == ([(expected, "no_contact")] if expected else [])
    # Run again, on the same day or later: nothing more.
    assert lapses.lapse(person, after_days=after_days, today=today(), **WHO) is (
        expected is None and _expected(steps, after_days, today()) is not None
    )


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 100), st.sampled_from([None, "accepted", "rejected", "cancelled"]), st.integers(1, 60))
def test_a_handoff_expires_exactly_when_still_requested_n_days_after_its_request(requested_ago, answer, after_days):
    requested_on = today() - timedelta(days=requested_ago)
    handoff = Handoff.request(
        person_id=uuid4(),
        from_service_id=None,
        to_service_id=uuid4(),
        episode_id=None,
        requested_on=requested_on,
        due_on=requested_on + timedelta(days=14),
        priority="routine",
        note=None,
        effective_on=requested_on,
        **WHO,
    )
    if answer == "accepted":
        handoff.transition(to="accepted", effective_on=requested_on, **WHO)
    elif answer is not None:
        handoff.transition(to=answer, reason="other", effective_on=requested_on, **WHO)
    handoff.collect_events()
    due = requested_on + timedelta(days=after_days)
    expires = answer is None and due <= today()
    assert lapses.expire(handoff, after_days=after_days, today=today(), **WHO) is expires
    cancelled = [(e.effective_on, e.reason) for e in handoff.collect_events() if type(e).__name__ == "Cancelled"]
    assert cancelled == ([(due, "expired")] if expires else [])
    assert lapses.expire(handoff, after_days=after_days, today=today(), **WHO) is False
