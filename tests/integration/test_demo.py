"""The demo generator on SQLite: a partnership with every population, status and handoff state, duplicates and
back-dated events, written through the application's rules, and the same history for the same seed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from coord.config import Config
from coord.demo import generate
from coord.service import reports
from coord.service.principal import Principal
from coord.wiring import Coord, open_coord
from events.crypto import MasterKey
from events.dates import today
from events.populations import POPULATIONS
from events.vocabulary import ENTERED_IN_ERROR, HANDOFF_STATUSES, PERSON_STATUSES
from projections import list_queries
from projections.reports.months import add_months, month_of
from projections.tables import FLOWS, handoffs, persons

SEED, PERSONS, MONTHS = 3, 120, 18
BACKBONE = Principal("backbone-token", "backbone")


def _open(directory: Path) -> Coord:
    return open_coord(
        Config.from_env({"COORD_DATA_DIR": str(directory), "COORD_MASTER_KEY": MasterKey.generate().to_base64()})
    )


def _events(coord: Coord) -> list[Any]:
    app = coord.service
    return [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(start=1, limit=100_000)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Coord, dict[str, int]]]:
    coord = _open(tmp_path_factory.mktemp("demo"))
    steps: list[int] = []
    summary = generate(coord.service, seed=SEED, persons=PERSONS, months=MONTHS, progress=steps.append)
    assert sum(steps) == PERSONS
    yield coord, summary
    coord.close()


def _count_by(coord: Coord, column: Any) -> dict[str, int]:
    with coord.service.db.read() as connection:
        return dict(connection.execute(select(column, func.count()).group_by(column)).all())


def test_every_person_is_on_the_list_in_every_status(demo):
    coord, summary = demo
    by_status = _count_by(coord, persons.c.status)
    assert summary["persons"] == sum(by_status.values()) == PERSONS
    # The demo enters nobody in error.
    assert set(by_status) == set(PERSON_STATUSES) - {ENTERED_IN_ERROR}
    assert all(by_status[status] == summary[f"persons.{status}"] for status in by_status)


def test_every_population_has_active_persons(demo):
    coord, _ = demo
    for population in POPULATIONS:
        assert list_queries.person_ids(coord.service.db, population=population, status="active"), population


def test_handoffs_reach_every_state_and_some_are_retried_or_overdue(demo):
    coord, summary = demo
    by_status = _count_by(coord, handoffs.c.status)
    assert set(by_status) == set(HANDOFF_STATUSES)
    assert sum(by_status.values()) == summary["handoffs"]
    assert max(_count_by(coord, handoffs.c.episode_id).values()) > 1  # a rejected handoff tried again
    overdue = list_queries.handoff_ids(coord.service.db, overdue=True, on=today(), limit=1000)
    assert len(overdue) == summary["handoffs.overdue"] > 0


def test_some_requests_expire_and_some_events_are_back_dated(demo):
    coord, summary = demo
    events = _events(coord)
    assert any(type(e).__name__ == "Cancelled" and e.reason == "expired" for e in events)
    latest: dict[Any, date] = {}
    back_dated = 0
    for event in events:
        back_dated += event.effective_on < latest.get(event.originator_id, event.effective_on)
        latest[event.originator_id] = max(event.effective_on, latest.get(event.originator_id, event.effective_on))
    assert back_dated >= summary["back_dated_events"] > 0
    assert max(e.effective_on for e in events) <= today()


def test_possible_duplicates_are_found_across_agencies(demo):
    coord, summary = demo
    groups = coord.service.keystore.duplicate_groups()
    across = [g for g in groups if len({coord.service.get_person(person_id).agency for person_id in g}) > 1]
    assert len(across) >= summary["duplicate_pairs"] >= 1


def test_the_same_seed_writes_the_same_history(demo, tmp_path):
    coord, summary = demo
    again = _open(tmp_path)
    try:
        assert generate(again.service, seed=SEED, persons=PERSONS, months=MONTHS) == summary
        first = [(type(e).__name__, e.effective_on) for e in _events(coord)]
        assert [(type(e).__name__, e.effective_on) for e in _events(again)] == first
    finally:
        again.close()


@pytest.mark.parametrize("on", [date(2025, 2, 28), date(2025, 10, 1)])
def test_every_population_has_every_flow_in_the_year_ending_on_any_day(tmp_path, on):
    coord = _open(tmp_path)
    try:
        generate(coord.service, seed=SEED, persons=PERSONS, months=MONTHS, today=on)
        last = month_of(on)
        rows = reports.monthly_report(coord, BACKBONE, first=add_months(last, -11), last=last).rows
        for population in POPULATIONS:
            mine = [row for row in rows if row["population"] == population]
            assert [f for f in FLOWS[:5] if not sum(row[f] for row in mine)] == [], population
        placed = reports.functional_zero_report(coord, BACKBONE, month=add_months(last, -1)).rows
        assert all(row["housing_placements"] > 0 for row in placed), "the last complete month has placements"
    finally:
        coord.close()
