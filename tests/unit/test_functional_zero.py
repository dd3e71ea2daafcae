"""Worked examples of functional zero: the minimum of 3, the proven housing rate and its window, the
chronic threshold from the point-in-time count, the streak of months reached and the "brief" flag.

Each history is the smallest one that exercises its rule, built with real Person aggregates over real
months and read back as the app reads it, with the history starting at the month of the first flow.
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
from projections.reports.flows import first_day
from projections.reports.functional_zero import functional_zero, history_start
from tests.projection_support import Log, project, read_models

WHO = {"actor": "t", "agency": "harbor"}


def day(month: int, dom: int) -> date:
    return date(2026, month, dom)


def identify(on: date, count: int = 1, **attributes: Any) -> list[Person]:
    attributes = {"household_type": "single_adult", "veteran": "yes", **attributes}
    return [Person.identify(id=uuid4(), attributes=attributes, pii={}, effective_on=on, **WHO) for _ in range(count)]


def house(persons: list[Person], on: date) -> None:
    for person in persons:
        person.house(destination=410, effective_on=on, **WHO)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = read_models(tmp_path)
    yield database
    database.dispose()


def record(db: Database, *persons: Person) -> None:
    log = Log()
    log.record(*persons)
    project(db, [populations_projector()], log.events)


def verdicts(db: Database, month: date, **options: Any) -> dict[str, dict[str, Any]]:
    with db.read() as connection:
        start = history_start(first_day(connection))
        rows = functional_zero(connection, month=month, first_month=start, **options)
    return {row["population"]: row for row in rows}


def test_veterans_reached_by_the_minimum_of_three(db: Database) -> None:
    record(db, *identify(day(3, 2), 3), *identify(day(3, 2), veteran="no"))

    march = verdicts(db, day(3, 1))
    # veterans: 3 active, no placements: at the minimum. all: 4 active, nothing placed: not reached.
    assert march["veterans"] == {
        "population": "veterans",
        "month": day(3, 1),
        "actively_homeless": 3,
        "housing_placements": 0,
        "proven_rate": 0.0,
        "window_months": 1,
        "threshold": 3,
        "reached": True,
        "avg_days_to_housing": None,
        "brief": None,
        "streak": 1,
    }
    assert (march["all"]["actively_homeless"], march["all"]["reached"]) == (4, False)


@pytest.mark.parametrize(
    ("identified", "housed", "threshold"),
    [(9, 5, 4), (21, 11, 10)],
    ids=["4 active below a rate of 5", "10 active below a rate of 11"],
)
def test_veterans_reached_below_the_proven_housing_rate(
    db: Database, identified: int, housed: int, threshold: int
) -> None:
    veterans = identify(day(3, 2), identified)
    house(veterans[:housed], day(3, 20))
    record(db, *veterans)

    # History is one month old, so the rate is March's placements; active = identified - housed.
    row = verdicts(db, day(3, 1))["veterans"]
    assert row["actively_homeless"] == identified - housed > 3
    assert (row["housing_placements"], row["proven_rate"], row["window_months"]) == (housed, float(housed), 1)
    assert (row["threshold"], row["reached"]) == (threshold, True)


@pytest.mark.parametrize(("housed", "rate"), [(0, 0.0), (4, 4.0)], ids=["no placements", "rate equal to active"])
def test_veterans_not_reached_above_three_and_not_below_the_rate(db: Database, housed: int, rate: float) -> None:
    veterans = identify(day(3, 2), 4 + housed)
    house(veterans[:housed], day(3, 20))
    record(db, *veterans)

    # 4 active is neither at most 3 nor strictly below a rate of 0 or of exactly 4.
    row = verdicts(db, day(3, 1))["veterans"]
    assert (row["actively_homeless"], row["proven_rate"], row["threshold"], row["reached"]) == (4, rate, 3, False)
    assert row["streak"] == 0


def test_the_proven_rate_is_the_mean_over_a_window_no_older_than_the_history(db: Database) -> None:
    veterans = identify(day(1, 5), 14)
    house(veterans[:10], day(1, 25))
    record(db, *veterans)

    def judged(month: date, **options: Any) -> tuple[Any, ...]:
        row = verdicts(db, month, **options)["veterans"]
        return row["actively_homeless"], row["window_months"], row["proven_rate"], row["threshold"], row["reached"]

    # 4 active from January on; the 10 January placements are spread over the months of history so far.
    assert judged(day(1, 1)) == (4, 1, 10.0, 9, True)
    assert judged(day(2, 1)) == (4, 2, 5.0, 4, True)
    assert judged(day(3, 1)) == (4, 3, 3.33, 3, False)
    # A one-month window in February sees no placements.
    assert judged(day(2, 1), window_months=1) == (4, 1, 0.0, 3, False)
    # July is the 7th month: the default 6-month window (Feb..Jul) leaves January out; a 12-month one holds
    # the 7 months there are, 10 / 7 = 1.43.
    assert judged(day(7, 1)) == (4, 6, 0.0, 3, False)
    assert judged(day(7, 1), window_months=12) == (4, 7, 1.43, 3, False)


@pytest.mark.parametrize(
    ("pit_count", "threshold", "reached"),
    [(None, 3, False), (2000, 3, False), (4999, 4, False), (5000, 5, True)],
)
def test_chronic_is_judged_against_the_point_in_time_count_not_the_rate(
    db: Database, pit_count: int | None, threshold: int, reached: bool
) -> None:
    chronic = identify(day(3, 2), 14, veteran="no", chronic=True)
    house(chronic[:9], day(3, 20))
    record(db, *chronic)

    # 5 active after 9 placements. chronic: at most max(3, 0.1% of the PIT count), whatever the rate.
    # single_adults (the same people): 5 is below the rate of 9 (threshold 8), with or without a PIT count.
    march = verdicts(db, day(3, 1), pit_count=pit_count)
    row = march["chronic"]
    assert (row["actively_homeless"], row["proven_rate"]) == (5, 9.0)
    assert (row["threshold"], row["reached"]) == (threshold, reached)
    assert (march["single_adults"]["threshold"], march["single_adults"]["reached"]) == (8, True)


def test_the_streak_counts_consecutive_months_reached_ending_with_the_month(db: Database) -> None:
    first, second = identify(day(1, 10), 3), identify(day(2, 10))
    house(first[:1], day(3, 10))
    record(db, *first, *second)

    # Jan 3 active: reached. Feb 4 active, rate 0: not reached. Mar 3 active: reached. Apr 3: reached.
    # The streak of March ends with March: April's month reached does not count there.
    rows = [verdicts(db, day(month, 1))["veterans"] for month in (1, 2, 3, 4)]
    assert [(row["reached"], row["streak"]) for row in rows] == [(True, 1), (False, 0), (True, 1), (True, 2)]


def test_brief_when_the_average_days_to_housing_is_at_most_45(db: Database) -> None:
    (veteran,) = identify(day(1, 1))
    (family,) = identify(day(1, 1), household_type="family", veteran="no")
    house([veteran], day(2, 15))  # 45 days
    house([family], day(2, 16))  # 46 days
    record(db, veteran, family)

    february = verdicts(db, day(2, 1))
    brief = {population: (row["avg_days_to_housing"], row["brief"]) for population, row in february.items()}
    # all: (45 + 46) / 2 = 45.5, over 45. youth and chronic: no placements, so no verdict.
    assert brief == {
        "all": (45.5, False),
        "single_adults": (45.0, True),
        "veterans": (45.0, True),
        "chronic": (None, None),
        "youth": (None, None),
        "families": (46.0, False),
    }
    assert verdicts(db, day(1, 1))["veterans"]["brief"] is None


def test_an_empty_history_is_at_zero_for_one_month(db: Database) -> None:
    with db.read() as connection:
        rows = functional_zero(connection, month=day(3, 1), first_month=None)
    assert {row["population"] for row in rows} == {"all", "single_adults", "veterans", "chronic", "youth", "families"}
    for row in rows:
        assert (row["actively_homeless"], row["window_months"], row["threshold"]) == (0, 1, 3)
        assert (row["reached"], row["streak"], row["brief"]) == (True, 1, None)
