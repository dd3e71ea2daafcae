"""A rebuild builds the read models aside and switches them in when complete, on SQLite and PostgreSQL: the
lists and reports read meanwhile show the complete numbers of the live tables (which keep following the
log), the switch brings in every event written meanwhile and ends equal to the incremental build, and a
rebuild stopped or failing at any point leaves the live tables as they were, to be finished or started over.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import inspect, select

from coord.demo import generate
from coord.service.principal import Principal
from events.dates import today
from projections import list_queries
from projections.rebuild import Rebuild
from projections.reports.counts import live_counts
from projections.reports.monthly import monthly
from projections.reports.months import month_of
from projections.tables import aside_metadata, projection_positions
from tests.projection_support import dump

CASE_MANAGER = Principal("t", "case_manager", "harbor")
PAGE = 40


@pytest.fixture
def demo(coord):
    generate(coord.service, persons=25, months=6)
    coord.service.project()
    return coord


def _numbers(coord) -> dict[str, Any]:
    """What a reader sees: the counts, a year of monthly metrics, the list, and every row of every read model."""
    with coord.db.read() as connection:
        counts = live_counts(connection, on=today())
        months = monthly(connection, first=month_of(date(today().year - 1, 1, 1)), last=month_of(today()))
    return {
        "counts": counts,
        "monthly": months,
        "list": list_queries.person_ids(coord.db, limit=1000),
        "rows": dump(coord.db, coord.service.projections.projectors),
    }


def _positions(coord) -> dict[str, int]:
    with coord.db.read() as connection:
        return dict(connection.execute(select(projection_positions.c.name, projection_positions.c.position)).all())


def _identify(coord) -> Any:
    return coord.service.identify_person(
        CASE_MANAGER,
        attributes={"veteran": "yes", "household_type": "single_adult"},
        pii={},
        effective_on=today(),
    )


def _tables(coord) -> set[str]:
    with coord.db.read() as connection:
        return set(inspect(connection).get_table_names())


def _schema(coord) -> dict[str, Any]:
    """Each read model's columns in order (what `SELECT *` gives), its indexes and primary key by name, as the
    migrations made them."""
    with coord.db.read() as connection:
        inspector = inspect(connection)
        return {
            table.name: (
                [
                    (column["name"], repr(column["type"]), column["nullable"])
                    for column in inspector.get_columns(table.name)
                ],
                sorted((index["name"], tuple(index["column_names"])) for index in inspector.get_indexes(table.name)),
                inspector.get_pk_constraint(table.name),
            )
            for projector in coord.service.projections.projectors
            for table in projector.tables
        }


def test_reads_during_a_rebuild_show_the_complete_live_numbers_and_the_switch_brings_in_every_event(demo):
    coord = demo
    expected, schema = _numbers(coord), _schema(coord)
    written: list[Any] = []
    seen: list[bool] = []

    def between_pages(_count: int) -> None:
        nonlocal expected
        seen.append(_numbers(coord) == expected)
        if len(seen) == 2:
            # A write meanwhile: the live tables follow it (the fixture catches up after every write).
            written.append(_identify(coord))
            expected = _numbers(coord)

    rebuild = Rebuild(coord.service.projections, page_size=PAGE)
    rebuild.start()
    assert rebuild.run(on_page=between_pages) is True

    assert all(seen) and len(seen) > 3
    assert written[0].id in list_queries.person_ids(coord.db, limit=1000)
    assert _numbers(coord) == expected  # the rebuilt tables equal the incremental ones, the write included
    head = coord.service.recorder.max_notification_id()
    positions = _positions(coord)
    assert {name: positions[name] for name in ("lists", "populations", "handoff_gaps")} == dict.fromkeys(
        ("lists", "populations", "handoff_gaps"), head
    )
    assert not [name for name in positions if name.startswith("rebuild_")]
    assert not rebuild.pending()
    assert not _tables(coord) & set(aside_metadata.tables)
    assert _schema(coord) == schema  # a later migration finds every index and key under its name

    # The switched-in tables go on following the log, and a second rebuild switches in the same rows.
    _identify(coord)
    after = _numbers(coord)
    assert after["counts"]["veterans"] == expected["counts"]["veterans"] + 1
    rebuild.start()
    assert rebuild.run() is True
    assert _numbers(coord) == after


def test_a_rebuild_stopped_midway_leaves_the_live_tables_and_is_finished_or_started_over(demo):
    coord = demo
    expected = _numbers(coord)
    stopping = threading.Event()
    pages: list[int] = []

    def stop_after_two(count: int) -> None:
        pages.append(count)
        if len(pages) == 2:
            stopping.set()

    rebuild = Rebuild(coord.service.projections, page_size=PAGE)
    rebuild.start()
    assert rebuild.run(on_page=stop_after_two, stopping=stopping) is False
    assert pages == [PAGE, PAGE]
    assert _numbers(coord) == expected
    assert rebuild.pending()
    assert {name: at for name, at in _positions(coord).items() if name.startswith("rebuild_")} == {
        "rebuild_lists": 2 * PAGE,
        "rebuild_populations": 2 * PAGE,
        "rebuild_handoff_gaps": 2 * PAGE,
        "rebuild_outcomes": 2 * PAGE,
    }

    # The live tables keep following the log meanwhile.
    _identify(coord)
    expected = _numbers(coord)

    # A new process goes on from the last page built aside.
    again = Rebuild(coord.service.projections, page_size=PAGE)
    assert again.pending()
    assert again.run() is True
    assert _numbers(coord) == expected

    # Stopped again, then started over: the same rows.
    stopping.clear()
    pages.clear()
    rebuild.start()
    assert rebuild.run(on_page=stop_after_two, stopping=stopping) is False
    rebuild.start()
    assert rebuild.run() is True
    assert _numbers(coord) == expected


def test_a_switch_that_fails_midway_changes_nothing(demo, monkeypatch):
    coord = demo
    expected = _numbers(coord)
    positions = _positions(coord)
    rebuild = Rebuild(coord.service.projections, page_size=PAGE)
    rebuild.start()
    replace = Rebuild._replace
    replaced: list[str] = []

    def fail_after_three(self, connection, live, copy) -> None:
        if len(replaced) == 3:
            raise RuntimeError("killed during the switch")
        replace(self, connection, live, copy)
        replaced.append(live.name)

    monkeypatch.setattr(Rebuild, "_replace", fail_after_three)
    with pytest.raises(RuntimeError):
        rebuild.run()
    assert _numbers(coord) == expected
    assert {name: at for name, at in _positions(coord).items() if not name.startswith("rebuild_")} == positions
    assert rebuild.pending()

    monkeypatch.setattr(Rebuild, "_replace", replace)
    assert rebuild.run() is True
    assert _numbers(coord) == expected
    assert _positions(coord) == positions
