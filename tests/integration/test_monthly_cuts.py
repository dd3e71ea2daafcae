"""Monthly metrics and live counts cut by race/ethnicity, sex and age band, on a history worked out by hand
(docs/reports.md, "Cuts of monthly metrics and live counts"), on SQLite and PostgreSQL.

Every person is a single adult (populations all and single_adults), identified on 2025-01-05:
- 12 women; 3 of them housed on 02-10, one of those back from housing on 03-03;
- 2 men; one housed on 01-20, back on 02-01 and housed again on 02-15 (two spells);
- 1 person of unknown sex, identified on 02-10 and moved to inactive on 03-20.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from events.person import Person
from projections.db import Database
from projections.populations_projector import populations_projector
from projections.reports.counts import live_counts_by
from projections.reports.monthly import monthly
from projections.reports.monthly_cuts import monthly_by
from tests.projection_support import Log, projected

WHO = {"actor": "t", "agency": "harbor"}
JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
JAN5 = date(2025, 1, 5)


def d(month: int, day: int) -> date:
    return date(2025, month, day)


def person(log: Log, sex: str, on: date = JAN5, birth_year: int = 1990) -> Person:
    attributes = {"household_type": "single_adult", "veteran": "no", "sex": sex, "birth_year": birth_year}
    identified = Person.identify(id=uuid4(), attributes=attributes, pii={}, effective_on=on, **WHO)
    log.record(identified)
    return identified


def history() -> Log:
    log = Log()
    women = [person(log, "female") for _ in range(12)]
    for woman in women[:3]:
        woman.house(destination=410, effective_on=d(2, 10), **WHO)
    women[0].return_from_housing(effective_on=d(3, 3), **WHO)
    man, other = person(log, "male"), person(log, "male", birth_year=1950)
    man.house(destination=410, effective_on=d(1, 20), **WHO)
    man.return_from_housing(effective_on=d(2, 1), **WHO)
    man.house(destination=410, effective_on=d(2, 15), **WHO)
    unknown = person(log, "unknown", on=d(2, 10))
    unknown.mark_inactive(reason="left_area", effective_on=d(3, 20), **WHO)
    log.record(*women, man, other, unknown)
    return log


@pytest.fixture
def db(store_url: str):
    with projected(store_url, [populations_projector()], history().events) as database:
        yield database


FIELDS = ("actively_homeless", "newly_identified", "returned_from_housing", "housing_placements", "moved_to_inactive")


def table(rows: list[dict[str, Any]], by: str) -> list[tuple[Any, ...]]:
    return [(row["month"].month, row[by], *(row[name] for name in FIELDS)) for row in rows]


def test_a_cut_unsuppressed_adds_up_to_the_uncut_report(db: Database) -> None:
    with db.read() as connection:
        rows = monthly_by(connection, first=JAN, last=MAR, by="sex", populations=("all",), suppress_below=1)
        uncut = monthly(connection, first=JAN, last=MAR, populations=("all",))

    assert table(rows, "sex") == [
        (1, "female", 12, 12, 0, 0, 0),
        (1, "male", 1, 2, 0, 1, 0),
        (1, "unknown", 0, 0, 0, 0, 0),
        (1, "refused", 0, 0, 0, 0, 0),
        (2, "female", 9, 0, 0, 3, 0),
        (2, "male", 1, 0, 1, 1, 0),
        (2, "unknown", 1, 1, 0, 0, 0),
        (2, "refused", 0, 0, 0, 0, 0),
        (3, "female", 10, 0, 1, 0, 0),
        (3, "male", 1, 0, 0, 0, 0),
        (3, "unknown", 0, 0, 0, 0, 1),
        (3, "refused", 0, 0, 0, 0, 0),
    ]
    assert [row["actively_homeless"] for row in uncut] == [13, 11, 11]
    assert all(row["suppressed"] == [] for row in rows)


def test_small_cells_are_hidden_with_their_complements(db: Database) -> None:
    with db.read() as connection:
        rows = monthly_by(connection, first=JAN, last=MAR, by="sex", populations=("all",))

    # Men's 2 newly identified in January can only change by moving a spell to or from women, who are
    # everyone else that month: so women's January is hidden too (else men's = 14 - women's). Each hidden
    # cell's month is hidden alike, and with it the row's inflow, outflow and average days.
    flows = ["inflow", "outflow", "avg_days_to_housing"]
    assert table(rows, "sex") == [
        (1, "female", None, None, 0, None, 0),
        (1, "male", None, None, 0, None, 0),
        (1, "unknown", 0, 0, 0, 0, 0),
        (1, "refused", 0, 0, 0, 0, 0),
        (2, "female", None, None, None, None, 0),
        (2, "male", None, 0, None, None, 0),
        (2, "unknown", None, None, 0, 0, 0),
        (2, "refused", 0, 0, 0, 0, 0),
        (3, "female", None, 0, None, 0, None),
        (3, "male", None, 0, None, 0, 0),
        (3, "unknown", 0, 0, 0, 0, None),
        (3, "refused", 0, 0, 0, 0, 0),
    ]
    assert [row["suppressed"] for row in rows][4:7] == [
        ["actively_homeless", "newly_identified", "returned_from_housing", "housing_placements", *flows],
        ["actively_homeless", "returned_from_housing", "housing_placements", *flows],
        ["actively_homeless", "newly_identified", "inflow", "avg_days_to_housing"],
    ]


def test_live_counts_by_age_band(db: Database) -> None:
    with db.read() as connection:
        rows = live_counts_by(connection, on=d(3, 31), by="age_band", suppress_below=1)

    assert [(row["population"], row["age_band"], row["active"]) for row in rows if row["active"]] == [
        ("all", "35-44", 10),
        ("all", "65+", 1),
        ("single_adults", "35-44", 10),
        ("single_adults", "65+", 1),
    ]
