"""Worked examples of the Built for Zero monthly metrics and live counts, each computed by hand in comments.

Histories are built with the Person aggregate's own commands, projected by the populations projector into
a SQLite file, and read back through the report queries, as the app does.
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from events.person import Person
from projections.db import Database
from projections.populations_projector import populations_projector
from projections.reports.counts import live_counts
from projections.reports.monthly import monthly
from tests.projection_support import Log, project, read_models

WHO = {"actor": "t", "agency": "harbor"}
SINGLE_ADULT = {"household_type": "single_adult", "veteran": "no"}


def day(month: int, dom: int) -> date:
    return date(2026, month, dom)


def identify(on: date, **attributes: Any) -> Person:
    return Person.identify(id=uuid4(), attributes={**SINGLE_ADULT, **attributes}, pii={}, effective_on=on, **WHO)


def change(person: Person, on: date, **attributes: Any) -> None:
    person.change_attributes(attributes=attributes, pii={}, effective_on=on, **WHO)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = read_models(tmp_path)
    yield database
    database.dispose()


def project_log(db: Database, log: Log) -> None:
    project(db, [populations_projector()], log.events)


def column(db: Database, population: str, first: date, last: date, metric: str) -> list[Any]:
    """One metric of `population` for every month from `first` to `last`."""
    with db.read() as connection:
        rows = monthly(connection, first=first, last=last, populations=(population,))
    return [row[metric] for row in rows]


def test_actively_homeless_counts_active_persons_in_the_population_at_each_month_end(db: Database) -> None:
    log = Log()
    adult, family = identify(day(1, 10)), identify(day(1, 20), household_type="family")
    log.record(adult, family)
    family.house(destination=410, effective_on=day(2, 5), **WHO)
    late = identify(day(2, 28))
    log.record(family, late)
    late.mark_inactive(reason="no_contact", effective_on=day(3, 1), **WHO)
    log.record(late)
    project_log(db, log)

    dec = date(2025, 12, 1)
    # Dec: nobody yet. Jan: adult, family. Feb: adult, late (family housed). Mar, Apr: adult (late inactive).
    assert column(db, "all", dec, day(4, 1), "actively_homeless") == [0, 2, 2, 1, 1]
    assert column(db, "single_adults", dec, day(4, 1), "actively_homeless") == [0, 1, 2, 1, 1]
    assert column(db, "families", dec, day(4, 1), "actively_homeless") == [0, 1, 0, 0, 0]
    assert column(db, "veterans", dec, day(4, 1), "actively_homeless") == [0, 0, 0, 0, 0]


def test_newly_identified_counts_identifications_in_the_population(db: Database) -> None:
    log = Log()
    log.record(identify(day(2, 27)))
    log.record(identify(day(3, 3), veteran="yes"), identify(day(3, 31), household_type="family", chronic=True))
    project_log(db, log)

    # Feb: one single adult. Mar: a single adult veteran, and a chronic family.
    assert column(db, "all", day(2, 1), day(3, 1), "newly_identified") == [1, 2]
    assert column(db, "single_adults", day(2, 1), day(3, 1), "newly_identified") == [1, 1]
    assert column(db, "veterans", day(2, 1), day(3, 1), "newly_identified") == [0, 1]
    assert column(db, "families", day(2, 1), day(3, 1), "newly_identified") == [0, 1]
    assert column(db, "chronic", day(2, 1), day(3, 1), "newly_identified") == [0, 1]
    assert column(db, "youth", day(2, 1), day(3, 1), "newly_identified") == [0, 0]
    assert column(db, "all", day(2, 1), day(3, 1), "inflow") == [1, 2]


def test_newly_identified_counts_active_persons_who_enter_the_population(db: Database) -> None:
    log = Log()
    current, back_dated = identify(day(1, 5)), identify(day(1, 5))
    log.record(current, back_dated)
    change(current, day(3, 15), veteran="yes")
    back_dated.house(destination=410, effective_on=day(4, 20), **WHO)
    log.record(current, back_dated)
    # Recorded after the housing, but effective in February while the person was still active.
    change(back_dated, day(2, 10), veteran="yes")
    log.record(back_dated)
    project_log(db, log)

    # veterans: back_dated enters in Feb, current in Mar; back_dated is housed in Apr as a veteran.
    assert column(db, "veterans", day(1, 1), day(4, 1), "newly_identified") == [0, 1, 1, 0]
    assert column(db, "veterans", day(1, 1), day(4, 1), "actively_homeless") == [0, 1, 2, 1]
    assert column(db, "veterans", day(1, 1), day(4, 1), "housing_placements") == [0, 0, 0, 1]
    # all: both identified in Jan; a change of attributes never enters them into "all" again.
    assert column(db, "all", day(1, 1), day(4, 1), "newly_identified") == [2, 0, 0, 0]


def test_returned_from_housing(db: Database) -> None:
    log = Log()
    person = identify(day(1, 5))
    person.house(destination=410, effective_on=day(2, 10), **WHO)
    person.return_from_housing(effective_on=day(3, 3), **WHO)
    log.record(person)
    project_log(db, log)

    # Jan: identified. Feb: housed. Mar: back on the list from housing.
    assert column(db, "all", day(1, 1), day(3, 1), "returned_from_housing") == [0, 0, 1]
    assert column(db, "all", day(1, 1), day(3, 1), "returned_from_inactive") == [0, 0, 0]
    assert column(db, "all", day(1, 1), day(3, 1), "inflow") == [1, 0, 1]
    assert column(db, "all", day(1, 1), day(3, 1), "outflow") == [0, 1, 0]
    assert column(db, "all", day(1, 1), day(3, 1), "actively_homeless") == [1, 0, 1]


def test_returned_from_inactive(db: Database) -> None:
    log = Log()
    person = identify(day(1, 5), veteran="yes")
    person.mark_inactive(reason="no_contact", effective_on=day(1, 20), **WHO)
    person.return_from_inactive(effective_on=day(4, 2), **WHO)
    log.record(person)
    project_log(db, log)

    # Identified and moved to inactive in Jan (active 0 at the end of Jan), back in Apr.
    assert column(db, "veterans", day(1, 1), day(4, 1), "moved_to_inactive") == [1, 0, 0, 0]
    assert column(db, "veterans", day(1, 1), day(4, 1), "returned_from_inactive") == [0, 0, 0, 1]
    assert column(db, "veterans", day(1, 1), day(4, 1), "returned_from_housing") == [0, 0, 0, 0]
    assert column(db, "veterans", day(1, 1), day(4, 1), "actively_homeless") == [0, 0, 0, 1]


def test_housing_placements(db: Database) -> None:
    log = Log()
    adult = identify(day(1, 5))
    family, youth = identify(day(2, 1), household_type="family"), identify(day(2, 1), household_type="youth")
    log.record(adult, family, youth)
    adult.house(destination=410, effective_on=day(3, 2), **WHO)
    family.house(destination=435, effective_on=day(3, 30), **WHO)
    youth.house(destination=410, effective_on=day(4, 1), **WHO)
    log.record(adult, family, youth)
    project_log(db, log)

    # Mar: the adult and the family; Apr: the youth.
    assert column(db, "all", day(3, 1), day(4, 1), "housing_placements") == [2, 1]
    assert column(db, "single_adults", day(3, 1), day(4, 1), "housing_placements") == [1, 0]
    assert column(db, "families", day(3, 1), day(4, 1), "housing_placements") == [1, 0]
    assert column(db, "youth", day(3, 1), day(4, 1), "housing_placements") == [0, 1]
    assert column(db, "all", day(3, 1), day(4, 1), "outflow") == [2, 1]
    assert column(db, "all", day(3, 1), day(4, 1), "actively_homeless") == [1, 0]


def test_moved_to_inactive_whatever_the_reason(db: Database) -> None:
    log = Log()
    deceased, left, veteran = identify(day(1, 5)), identify(day(1, 5)), identify(day(1, 5), veteran="yes")
    deceased.mark_inactive(reason="deceased", effective_on=day(3, 9), **WHO)
    left.mark_inactive(reason="left_area", effective_on=day(3, 31), **WHO)
    veteran.mark_inactive(reason="institution", effective_on=day(4, 1), **WHO)
    log.record(deceased, left, veteran)
    project_log(db, log)

    # Mar: two of the three; Apr: the veteran.
    assert column(db, "all", day(3, 1), day(4, 1), "moved_to_inactive") == [2, 1]
    assert column(db, "veterans", day(3, 1), day(4, 1), "moved_to_inactive") == [0, 1]
    assert column(db, "all", day(3, 1), day(4, 1), "actively_homeless") == [1, 0]


def test_no_longer_meets_population_criteria_counts_only_active_persons_who_leave(db: Database) -> None:
    log = Log()
    leaver, mover = identify(day(1, 5), veteran="yes"), identify(day(1, 5))
    resting, housed = identify(day(1, 5), veteran="yes"), identify(day(1, 5), veteran="yes")
    log.record(leaver, mover, resting, housed)
    resting.mark_inactive(reason="no_contact", effective_on=day(2, 1), **WHO)
    housed.house(destination=410, effective_on=day(2, 1), **WHO)
    log.record(resting, housed)
    for veteran in (leaver, resting, housed):
        change(veteran, day(3, 10), veteran="no")
    change(mover, day(3, 10), household_type="family")
    log.record(leaver, mover, resting, housed)
    resting.return_from_inactive(effective_on=day(4, 6), **WHO)
    log.record(resting)
    project_log(db, log)

    # veterans: Jan leaver, resting, housed; Feb leaver (resting inactive, housed housed); Mar leaver leaves;
    # the inactive and the housed person's changes count nowhere, and resting returns in Apr as a non-veteran.
    assert column(db, "veterans", day(1, 1), day(4, 1), "no_longer_meets_population_criteria") == [0, 0, 1, 0]
    assert column(db, "veterans", day(1, 1), day(4, 1), "actively_homeless") == [3, 1, 0, 0]
    assert column(db, "veterans", day(1, 1), day(4, 1), "returned_from_inactive") == [0, 0, 0, 0]
    # single_adults: all four in Jan; two in Feb; mover joins a family in Mar; resting returns in Apr.
    assert column(db, "single_adults", day(1, 1), day(4, 1), "no_longer_meets_population_criteria") == [0, 0, 1, 0]
    assert column(db, "single_adults", day(1, 1), day(4, 1), "returned_from_inactive") == [0, 0, 0, 1]
    assert column(db, "single_adults", day(1, 1), day(4, 1), "actively_homeless") == [4, 2, 1, 2]
    assert column(db, "families", day(1, 1), day(4, 1), "newly_identified") == [0, 0, 1, 0]
    assert column(db, "families", day(1, 1), day(4, 1), "actively_homeless") == [0, 0, 1, 1]
    # all: a change of attributes never moves anyone in or out.
    assert column(db, "all", day(1, 1), day(4, 1), "no_longer_meets_population_criteria") == [0, 0, 0, 0]
    assert column(db, "all", day(1, 1), day(4, 1), "actively_homeless") == [4, 2, 2, 3]


def test_avg_days_to_housing_counts_from_identification_or_the_latest_return(db: Database) -> None:
    log = Log()
    quick, slow, again, back = identify(day(1, 1)), identify(day(1, 10)), identify(day(1, 1)), identify(day(1, 1))
    log.record(quick, slow, again, back)
    quick.house(destination=410, effective_on=day(1, 31), **WHO)  # 30 days
    again.house(destination=410, effective_on=day(1, 11), **WHO)  # 10 days
    back.mark_inactive(reason="no_contact", effective_on=day(1, 5), **WHO)
    log.record(quick, again, back)
    again.return_from_housing(effective_on=day(2, 1), **WHO)
    slow.house(destination=410, effective_on=day(3, 1), **WHO)  # Jan 10 -> Mar 1: 21 + 28 + 1 = 50 days
    again.house(destination=410, effective_on=day(3, 3), **WHO)  # from the return on Feb 1: 30 days
    back.return_from_inactive(effective_on=day(4, 1), **WHO)
    back.house(destination=410, effective_on=day(4, 11), **WHO)  # from the return on Apr 1: 10, not 100
    log.record(again, slow, back)
    project_log(db, log)

    # Jan (30 + 10) / 2; Feb no placements; Mar (50 + 30) / 2; Apr 10.
    assert column(db, "all", day(1, 1), day(4, 1), "avg_days_to_housing") == [20.0, None, 40.0, 10.0]
    assert column(db, "veterans", day(1, 1), day(4, 1), "avg_days_to_housing") == [None, None, None, None]


def test_flows_count_transitions_not_persons(db: Database) -> None:
    log = Log()
    person = identify(day(1, 5))
    log.record(person)
    person.house(destination=410, effective_on=day(3, 2), **WHO)
    newcomer = identify(day(3, 12))
    log.record(person, newcomer)
    person.return_from_housing(effective_on=day(3, 9), **WHO)
    person.house(destination=410, effective_on=day(3, 20), **WHO)
    person.return_from_housing(effective_on=day(3, 25), **WHO)
    log.record(person)
    project_log(db, log)

    # Mar: housed twice and returned twice, plus the newcomer: 1 + 3 - 2 = 2 active at the end of Mar.
    assert column(db, "all", day(2, 1), day(3, 1), "housing_placements") == [0, 2]
    assert column(db, "all", day(2, 1), day(3, 1), "returned_from_housing") == [0, 2]
    assert column(db, "all", day(2, 1), day(3, 1), "inflow") == [0, 3]
    assert column(db, "all", day(2, 1), day(3, 1), "outflow") == [0, 2]
    assert column(db, "all", day(2, 1), day(3, 1), "actively_homeless") == [1, 2]
    # Jan 5 -> Mar 2 is 56 days, Mar 9 -> Mar 20 is 11: 33.5.
    assert column(db, "all", day(2, 1), day(3, 1), "avg_days_to_housing") == [None, 33.5]


def test_events_of_one_person_on_the_same_date_apply_in_log_order(db: Database) -> None:
    log = Log()
    joined_first, housed_first = identify(day(1, 5)), identify(day(1, 5))
    log.record(joined_first, housed_first)
    change(joined_first, day(3, 10), veteran="yes")
    housed_first.house(destination=410, effective_on=day(3, 10), **WHO)
    log.record(joined_first, housed_first)
    joined_first.house(destination=410, effective_on=day(3, 10), **WHO)
    change(housed_first, day(3, 10), veteran="yes")
    same_day = identify(day(3, 10), veteran="yes")
    same_day.house(destination=410, effective_on=day(3, 10), **WHO)
    log.record(joined_first, housed_first, same_day)
    project_log(db, log)

    # veterans: joined_first enters then is housed; housed_first becomes a veteran only once housed (no
    # flow); same_day is identified and housed on one day. Days: Jan 5 -> Mar 10 = 64, and 0.
    assert column(db, "veterans", day(3, 1), day(3, 1), "newly_identified") == [2]
    assert column(db, "veterans", day(3, 1), day(3, 1), "housing_placements") == [2]
    assert column(db, "veterans", day(3, 1), day(3, 1), "actively_homeless") == [0]
    assert column(db, "veterans", day(3, 1), day(3, 1), "avg_days_to_housing") == [32.0]
    # all: three placements, (64 + 64 + 0) / 3 = 42.67.
    assert column(db, "all", day(3, 1), day(3, 1), "housing_placements") == [3]
    assert column(db, "all", day(3, 1), day(3, 1), "avg_days_to_housing") == [42.7]


def test_back_dated_events_correct_past_months(db: Database) -> None:
    first = Log()
    may, early = identify(day(5, 5)), identify(day(1, 5))
    change(early, day(4, 1), veteran="yes")
    first.record(may, early)
    project_log(db, first)
    # all Feb..May: early active throughout, may from May. veterans: early joins in Apr.
    assert column(db, "all", day(2, 1), day(5, 1), "newly_identified") == [0, 0, 0, 1]
    assert column(db, "all", day(2, 1), day(5, 1), "actively_homeless") == [1, 1, 1, 2]
    assert column(db, "veterans", day(2, 1), day(5, 1), "newly_identified") == [0, 0, 1, 0]

    later = Log()
    back_dated = identify(day(2, 10))  # recorded after May's events, effective in Feb
    early.house(destination=410, effective_on=day(3, 1), **WHO)  # before early's Apr attribute change
    later.record(back_dated, early)
    project_log(db, later)
    # all: back_dated's inflow lands in Feb and it counts as active in every month since; early is housed
    # in Mar. veterans: early's Apr change now happens while housed, so it never enters.
    assert column(db, "all", day(2, 1), day(5, 1), "newly_identified") == [1, 0, 0, 1]
    assert column(db, "all", day(2, 1), day(5, 1), "housing_placements") == [0, 1, 0, 0]
    assert column(db, "all", day(2, 1), day(5, 1), "actively_homeless") == [2, 1, 1, 2]
    assert column(db, "veterans", day(2, 1), day(5, 1), "newly_identified") == [0, 0, 0, 0]
    assert column(db, "veterans", day(2, 1), day(5, 1), "actively_homeless") == [0, 0, 0, 0]


def test_live_counts_are_active_persons_per_population_at_the_end_of_the_day(db: Database) -> None:
    log = Log()
    veteran, family = identify(day(1, 5), veteran="yes"), identify(day(1, 20), household_type="family")
    log.record(veteran, family)
    veteran.house(destination=410, effective_on=day(3, 10), **WHO)
    youth = identify(day(3, 10), household_type="youth", chronic=True)
    log.record(veteran, youth)
    project_log(db, log)

    none = {"all": 0, "single_adults": 0, "veterans": 0, "chronic": 0, "youth": 0, "families": 0}
    with db.read() as connection:
        assert live_counts(connection, on=day(1, 4)) == none
        assert live_counts(connection, on=day(1, 5)) == {**none, "all": 1, "single_adults": 1, "veterans": 1}
        assert live_counts(connection, on=day(2, 1)) == {
            **none,
            "all": 2,
            "single_adults": 1,
            "veterans": 1,
            "families": 1,
        }
        # Mar 10: the veteran is housed and the youth identified by the end of the day.
        assert live_counts(connection, on=day(3, 10)) == {**none, "all": 2, "families": 1, "youth": 1, "chronic": 1}
        assert live_counts(connection, on=day(11, 22)) == live_counts(connection, on=day(3, 10))
