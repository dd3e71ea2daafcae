"""Outcome milestones: the Person's rule for recording one, its void, the periods of the report and the fold that
decides who was assessed and who met a milestone in a period (docs/reports.md, "Outcomes")."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest

from coord.workspace.history import history
from events.dates import today
from events.errors import DateRuleError, RuleError
from events.outcomes import Outcome
from events.person import Person
from projections.reports.outcomes import assess
from projections.reports.periods import parse_period, period_end, period_label, period_of, periods_between

WHO = {"actor": "t", "agency": "harbor"}
START = today() - timedelta(days=60)
GOOD = {"indicator": "high_school_graduation", "met": True, "source": "school_record"}


def person() -> Person:
    return Person.identify(
        id=uuid4(), attributes={"household_type": "youth", "veteran": "no"}, pii={}, effective_on=START, **WHO
    )


def replayed(p: Person) -> Person:
    aggregate = None
    for stored in p.collect_events():
        aggregate = stored.mutate(aggregate)
    return aggregate


def test_an_outcome_is_recorded_with_its_stamp_and_replays_to_the_same_state() -> None:
    p = person()
    p.record_outcome(**GOOD, effective_on=START + timedelta(days=3), **WHO)
    p.record_outcome(indicator="employment", met=False, source="wage_record", effective_on=START, **WHO)
    events = p.collect_events()
    recorded = events[1]
    assert type(recorded).__name__ == "OutcomeRecorded"
    assert (recorded.indicator, recorded.met, recorded.source) == ("high_school_graduation", True, "school_record")
    assert (recorded.effective_on, recorded.actor, recorded.agency) == (START + timedelta(days=3), "t", "harbor")
    assert {v: (e.data, e.effective_on) for v, e in p.outcomes.items()} == {
        2: (Outcome("high_school_graduation", True, "school_record"), START + timedelta(days=3)),
        3: (Outcome("employment", False, "wage_record"), START),
    }
    aggregate = None
    for stored in events:
        aggregate = stored.mutate(aggregate)
    assert aggregate == p
    assert p.status == "active" and p.last_contact_on == START, "an outcome is neither a move nor a contact"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"indicator": "reading"}, "^indicator must be one of: kindergarten_readiness, early_grade_reading,"),
        ({"indicator": None}, "^indicator must be one of"),
        ({"met": 1}, "^met must be true or false$"),
        ({"met": "true"}, "^met must be true or false$"),
        ({"met": None}, "^met must be true or false$"),
        ({"source": "hmis:export-1"}, "^source must be one of: school_record, state_assessment,"),
    ],
)
def test_an_outcome_outside_the_vocabulary_is_refused(change: dict, message: str) -> None:
    p = person()
    with pytest.raises(RuleError, match=message):
        p.record_outcome(**{**GOOD, **change}, effective_on=START, **WHO)
    assert p.collect_events()[1:] == []


def test_an_outcome_may_be_dated_before_identification_but_not_after_tomorrow() -> None:
    p = person()
    p.record_outcome(**GOOD, effective_on=date(2001, 6, 15), **WHO)
    p.record_outcome(**GOOD, effective_on=today() + timedelta(days=1), **WHO)
    with pytest.raises(DateRuleError, match="is more than one day in the future"):
        p.record_outcome(**GOOD, effective_on=today() + timedelta(days=2), **WHO)
    with pytest.raises(RuleError, match="^effective_on must be a date$"):
        p.record_outcome(**GOOD, effective_on=datetime(2025, 1, 1), **WHO)
    assert len(p.outcomes) == 2


def test_an_outcome_is_voidable_at_any_time_and_leaves_the_record() -> None:
    p = person()
    p.record_outcome(**GOOD, effective_on=START, **WHO)
    p.house(destination=410, effective_on=START + timedelta(days=2), **WHO)
    p.void_entry(voids=2, reason="wrong_person", note=None, effective_on=today(), **WHO)
    assert p.outcomes == {}
    assert p.status == "housed", "voiding an outcome leaves the status as it is"
    voided = p.collect_events()[-1]
    assert voided.row == {"status": "housed", "last_transition_on": START + timedelta(days=2), "last_contact_on": START}
    with pytest.raises(RuleError, match="already voided"):
        p.void_entry(voids=2, reason="wrong_person", note=None, effective_on=today(), **WHO)


def test_a_voided_outcome_stays_voided_on_replay() -> None:
    p = person()
    p.record_outcome(**GOOD, effective_on=START, **WHO)
    p.record_outcome(**{**GOOD, "met": False}, effective_on=START, **WHO)
    p.void_entry(voids=2, reason="duplicate_record", note=None, effective_on=today(), **WHO)
    again = replayed(p)
    assert list(again.outcomes) == [3] and again.outcomes[3].data.met is False


# -- periods ---------------------------------------------------------------------------------------------------


def test_a_school_year_runs_from_july_1_to_june_30() -> None:
    assert period_of("school_year", date(2026, 6, 30)) == date(2025, 7, 1)
    assert period_of("school_year", date(2026, 7, 1)) == date(2026, 7, 1)
    assert period_end(date(2025, 7, 1)) == date(2026, 6, 30)
    assert period_label("school_year", date(1999, 7, 1)) == "1999-00"
    assert period_label("school_year", date(2025, 7, 1)) == "2025-26"
    assert period_of("calendar_year", date(2026, 6, 30)) == date(2026, 1, 1)
    assert (period_label("calendar_year", date(2026, 1, 1)), period_end(date(2026, 1, 1))) == (
        "2026",
        date(2026, 12, 31),
    )
    assert periods_between(date(2023, 7, 1), date(2025, 7, 1)) == [date(2023, 7, 1), date(2024, 7, 1), date(2025, 7, 1)]


def test_a_period_label_is_read_back_only_when_it_names_a_period() -> None:
    assert parse_period("school_year", "2025-26") == date(2025, 7, 1)
    assert parse_period("school_year", "1999-00") == date(1999, 7, 1)
    assert parse_period("calendar_year", "2025") == date(2025, 1, 1)
    assert [parse_period("school_year", t) for t in ("2025-27", "2025", "2025-2026", "", "2025-26\n")] == [None] * 5
    assert [parse_period("calendar_year", t) for t in ("2025-26", "25", "x")] == [None] * 3


# -- the fold ---------------------------------------------------------------------------------------------------


def test_a_person_assessed_twice_in_a_period_counts_once_and_the_latest_decides() -> None:
    a, b = "a", "b"
    reading = "early_grade_reading"
    decided = assess(
        [
            # a: not met in the fall, met in the spring of 2025-26; then met, then (same day, later entry) not met
            (a, reading, date(2025, 10, 1), 2, False),
            (a, reading, date(2026, 4, 1), 3, True),
            (a, reading, date(2026, 9, 1), 4, True),
            (a, reading, date(2026, 9, 1), 5, False),
            # b: a later entry back-dated before an earlier one: the earlier entry's day is later, it decides
            (b, reading, date(2026, 5, 1), 2, True),
            (b, reading, date(2025, 8, 1), 3, False),
            (b, "employment", date(2025, 8, 1), 4, True),
        ],
        "school_year",
    )
    assert decided == {
        (reading, date(2025, 7, 1), a): (True, date(2026, 4, 1), ()),
        (reading, date(2026, 7, 1), a): (False, date(2026, 9, 1), ()),
        (reading, date(2025, 7, 1), b): (True, date(2026, 5, 1), ()),
        ("employment", date(2025, 7, 1), b): (True, date(2025, 8, 1), ()),
    }


def test_the_workspace_history_says_an_outcome_and_its_void_in_plain_words() -> None:
    p = person()
    p.record_outcome(indicator="employment", met=False, source="wage_record", effective_on=START, **WHO)
    p.void_entry(voids=2, reason="wrong_person", note=None, effective_on=today(), **WHO)
    lines = history(p.collect_events(), {})
    assert [line.what for line in lines[:2]] == [
        f"Correction: entry #2 (Outcome recorded of {START.isoformat()}) was entered in error; reason: wrong person",
        "Outcome recorded: employment, not met (wage record)",
    ]
    assert lines[1].voided_by == 3
