"""What the handoff-gap cuts read of a person: the age at t0 from the birth month the dob gave (unchanged by
erasure), the attributes in force today (a change dated tomorrow is not current until tomorrow), and
nothing at all of a person entered in error."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest

from events.dates import today
from events.errors import RuleError
from events.person import Person
from events.pii import PII
from projections import populations_projector as populations_module
from projections.db import Database
from projections.reports.handoff_gaps import age_at, age_band, handoff_gaps
from projections.runner import CatchUp
from tests.integration.test_handoff_gaps import (  # noqa: F401 - db is a fixture
    WHO,
    Partnership,
    d,
    db,
    projectors,
    report,
)
from tests.projection_support import project

#: A log with no new events: a catch-up then only refreshes what depends on the day.
NO_NEW_EVENTS = SimpleNamespace(recorder=SimpleNamespace(select_notifications=lambda **_: []))


def identify(partnership: Partnership, dob: str | None = None, **attributes: Any) -> Person:
    person_id = uuid4()
    person = Person.identify(
        id=person_id,
        attributes={"household_type": "single_adult", "veteran": "no", "sex": "female", **attributes},
        pii={"dob": PII(dob, person_id)} if dob else {},
        effective_on=d(1, 5),
        **WHO,
    )
    partnership.log.record(person)
    return person


def test_the_age_at_t0_counts_from_the_birth_month() -> None:
    assert [age_at(None, "2007-03", day) for day in (d(2, 28), d(3, 1), d(3, 31))] == [17, 18, 18]
    assert age_at(2007, None, d(1, 1)) == 18, "without a birth month: the age at the birthday in t0's year"
    assert (age_at(None, None, d(1, 1)), age_at(None, "2025-04", d(3, 1))) == (None, None)
    assert age_band(None) == "unknown"


def test_a_dob_records_its_birth_year_and_month_and_a_contradicting_birth_year_is_refused() -> None:
    person = Person.identify(
        id=(person_id := uuid4()),
        attributes={"household_type": "single_adult", "veteran": "no"},
        pii={"dob": PII("2007-03-20", person_id)},
        effective_on=d(1, 5),
        **WHO,
    )
    assert (person.attributes["birth_year"], person.attributes["birth_month"]) == (2007, "2007-03")

    with pytest.raises(RuleError, match="dob contradicts birth_year"):
        person.change_attributes(
            attributes={"birth_year": 2006}, pii={"dob": PII("2007-04-02", person_id)}, effective_on=d(2, 1), **WHO
        )
    changed = person.change_attributes(
        attributes={}, pii={"dob": PII("2006-11-02", person_id)}, effective_on=d(2, 1), **WHO
    )
    assert changed == ["birth_year", "dob"]
    assert person.attributes_on(d(2, 1))["birth_month"] == "2006-11"
    # A birth year stated alone that the birth month contradicts: the month no longer holds.
    person.change_attributes(attributes={"birth_year": 2005}, pii={}, effective_on=d(3, 1), **WHO)
    assert (person.attributes["birth_year"], person.attributes["birth_month"]) == (2005, None)


def test_a_cut_by_age_band_uses_the_birth_month_and_erasure_changes_nothing(
    db: Database,  # noqa: F811 - the fixture
) -> None:
    p = Partnership()
    turning_18 = identify(p, dob="2007-03-20")
    p.request(d(3, 2), person=turning_18.id)  # 18 from the first of March, the birth month
    turning_18_later = identify(p, dob="2007-04-01")
    p.request(d(3, 3), person=turning_18_later.id)  # still 17 in March
    before = report(db, p, by="age_band", suppress_below=1)

    for person in (turning_18, turning_18_later):
        person.erase(effective_on=d(5, 1), **WHO)
        p.log.record(person)
    project(db, projectors(), p.log.events[-2:])
    with db.read() as connection:
        after = handoff_gaps(connection, first=d(3, 1), last=d(3, 1), as_of=d(6, 30), by="age_band", suppress_below=1)

    assert [(row["age_band"], row["episodes"]) for row in before if row["episodes"]] == [("5-17", 1), ("18-24", 1)]
    assert after == before


def test_a_person_entered_in_error_has_no_episodes(db: Database) -> None:  # noqa: F811 - the fixture
    p = Partnership()
    duplicate = identify(p)
    p.request(d(3, 2), person=duplicate.id)
    p.request(d(3, 3), person=identify(p).id)
    duplicate.transition(to="entered_in_error", reason="duplicate_record", effective_on=d(4, 1), **WHO)
    p.log.record(duplicate)

    (row,) = report(db, p)

    assert row["episodes"] == 1


def test_a_change_dated_tomorrow_moves_the_cut_by_population_only_tomorrow(
    db: Database,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = Partnership()
    person = identify(p)
    p.request(d(3, 2), person=person.id)
    tomorrow = today() + timedelta(days=1)
    person.change_attributes(attributes={"veteran": "yes"}, pii={}, effective_on=tomorrow, **WHO)
    p.log.record(person)

    def populations() -> list[str]:
        with db.read() as connection:
            rows = handoff_gaps(
                connection, first=d(3, 1), last=d(3, 1), as_of=d(6, 30), by="population", suppress_below=1
            )
        return [row["population"] for row in rows if row["episodes"]]  # every population is listed, 0 or not

    project(db, projectors(), p.log.events)
    assert populations() == ["all", "single_adults"]

    monkeypatch.setattr(populations_module, "today", lambda: tomorrow)
    CatchUp(NO_NEW_EVENTS, db, projectors()).run()
    assert populations() == ["all", "single_adults", "veterans"]
