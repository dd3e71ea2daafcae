"""Replay snapshots on SQLite and PostgreSQL: the daily audit-checkpoint job adds one of what was recorded since
the previous one; a replay starts from it and answers exactly as a full replay; a snapshot that cannot be used is
never restored; old ones are pruned to the newest of each week, their stretch of the log joining the next's."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from coord.jobs import periods
from coord.jobs.catalogue import Interrupted, audit_checkpoint
from coord.service import replay_snapshots
from coord.service.principal import Principal
from coord.service.replay import replay
from coord.tables import replay_snapshots as table
from events.dates import today

CASE_MANAGER = Principal("writer", "case_manager", "harbor")
AUDITOR = Principal("auditor", "auditor", None)
JOB = Principal.system("audit-checkpoint")


def _identify(coord, count: int, veteran: str = "no") -> None:
    for _ in range(count):
        attributes = {"household_type": "single_adult", "veteran": veteran, "chronic": False}
        coord.service.identify_person(
            CASE_MANAGER, attributes=attributes, pii={}, effective_on=today() - timedelta(days=40)
        )


def _run_job(coord) -> dict:
    return audit_checkpoint(coord, JOB, periods.daily(datetime.now(UTC)), threading.Event())


def _both(coord, moment: datetime) -> tuple[dict, dict]:
    return replay(coord, AUDITOR, recorded_before=moment), replay(
        coord, AUDITOR, recorded_before=moment, snapshots=False
    )


def test_the_checkpoint_job_adds_a_snapshot_of_what_was_recorded_since_the_previous_one(coord):
    _identify(coord, 3)
    first = _run_job(coord)
    head = coord.service.recorder.max_notification_id()
    assert first["signed"] is True and first["snapshot"] == {"position": head}
    between = datetime.now(UTC)
    _identify(coord, 2, veteran="yes")
    second = _run_job(coord)
    assert second["snapshot"] == {"position": coord.service.recorder.max_notification_id()}
    assert _run_job(coord)["snapshot"] is None  # nothing recorded since

    kept = replay_snapshots.listed(coord)
    assert [(s.position, s.events) for s in kept] == [(head, 3), (head + 2, 5)]
    assert kept[0].latest_recorded < between <= kept[1].earliest_recorded <= kept[1].latest_recorded
    for moment in (between, kept[1].latest_recorded, datetime.now(UTC) + timedelta(seconds=1)):
        from_snapshot, full = _both(coord, moment)
        assert from_snapshot == full
    then = replay(coord, AUDITOR, recorded_before=between)
    assert then["events"] == 3 and then["counts"]["rows"][0] == {"population": "all", "active": 3}
    assert {row["population"]: row["active"] for row in then["counts"]["rows"]}["veterans"] == 0


def test_the_job_adds_a_snapshot_without_a_signing_key(coord):
    _identify(coord, 1)
    coord.config = replace(coord.config, audit_signing_key=None)
    done = _run_job(coord)
    assert done["signed"] is False and done["snapshot"] == {"position": coord.service.recorder.max_notification_id()}


def test_a_stopping_process_ends_the_job_and_adds_no_snapshot(coord):
    _identify(coord, 2)
    stopping = threading.Event()
    stopping.set()
    with pytest.raises(Interrupted) as stopped:
        audit_checkpoint(coord, JOB, periods.daily(datetime.now(UTC)), stopping)
    assert stopped.value.summary["signed"] is True and stopped.value.summary["snapshot"] is None
    assert replay_snapshots.listed(coord) == []


def _not_a_database(state: bytes) -> dict:
    garbage = zlib.compress(b"not a database" * 100)
    return {"state": garbage, "digest": hashlib.sha256(garbage).hexdigest()}


def _cut_short(state: bytes) -> dict:
    half = state[: len(state) // 2]
    return {"state": half, "digest": hashlib.sha256(half).hexdigest()}


def _other_tables(state: bytes, folder: Path) -> dict:
    path = folder / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE population_days (population TEXT, day TEXT)")
    connection.close()
    other = zlib.compress(path.read_bytes())
    return {"state": other, "digest": hashlib.sha256(other).hexdigest()}


UNUSABLE = {
    "an unknown format": lambda state, folder: {"format": 2},
    "a state altered": lambda state, folder: {"state": state[:-8] + b"\0" * 8},
    "cut short, its digest recomputed": lambda state, folder: _cut_short(state),
    "not a database, its digest recomputed": lambda state, folder: _not_a_database(state),
    "other tables, its digest recomputed": _other_tables,
}


@pytest.mark.parametrize("why", list(UNUSABLE))
def test_a_snapshot_that_cannot_be_used_is_never_restored(coord, why, tmp_path, caplog):
    _identify(coord, 2)
    replay_snapshots.take(coord)
    _identify(coord, 1, veteran="yes")
    with coord.db.write() as connection:
        state = connection.execute(select(table.c.state)).scalar_one()
        connection.execute(update(table).values(**UNUSABLE[why](state, tmp_path)))
    later = datetime.now(UTC) + timedelta(seconds=1)
    with caplog.at_level(logging.WARNING, logger="coord.replay"):
        from_snapshot, full = _both(coord, later)
    assert from_snapshot == full and full["events"] == 3
    position = replay_snapshots.listed(coord)[0].position
    assert [r.getMessage() for r in caplog.records if r.name == "coord.replay"] == [
        f"replay snapshot at position {position} not used: {_reason(why)}"
    ]
    # The next snapshot is made from the first event again, and used.
    assert replay_snapshots.take(coord).events == 3
    caplog.clear()
    assert replay(coord, AUDITOR, recorded_before=later) == full
    assert not [r for r in caplog.records if r.name == "coord.replay"]


def _reason(why: str) -> str:
    return {
        "an unknown format": "format 2 is not one this version reads (1)",
        "a state altered": "its state does not match its digest",
        "cut short, its digest recomputed": "its state does not decompress",
        "not a database, its digest recomputed": "its tables are not the ones this version folds into",
        "other tables, its digest recomputed": "its tables are not the ones this version folds into",
    }[why]


def test_old_snapshots_are_pruned_to_the_newest_of_each_week(coord):
    _identify(coord, 1)
    replay_snapshots.take(coord)
    with coord.db.read() as connection:
        row = connection.execute(select(table)).one()
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    recorded = {  # position -> (latest, earliest recorded): twice in a week of October, twice in one of November
        # (ISO weeks 43 and 44), two recent ones
        10: (datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)),
        20: (datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 10, 6, tzinfo=UTC)),
        30: (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 9, 1, tzinfo=UTC)),
        40: (datetime(2026, 11, 1, 1, tzinfo=UTC), datetime(2026, 10, 21, tzinfo=UTC)),
        50: (now - timedelta(days=30), datetime(2026, 11, 2, tzinfo=UTC)),
        60: (now - timedelta(days=1), datetime(2026, 11, 4, tzinfo=UTC)),
    }
    with coord.db.write() as connection:
        connection.execute(table.delete())
        for position, (latest, earliest) in recorded.items():
            values = {**row._asdict(), "position": position, "latest_recorded": latest, "earliest_recorded": earliest}
            connection.execute(insert(table).values(values))
    assert replay_snapshots.prune(coord, now) == 2
    kept = {s.position: s.earliest_recorded for s in replay_snapshots.listed(coord)}
    # 10 joins 20's stretch, and 30 joins 40's: each kept one starts at the earlier earliest time.
    assert kept == {
        20: datetime(2026, 10, 1, tzinfo=UTC),
        40: datetime(2026, 9, 1, tzinfo=UTC),
        50: datetime(2026, 11, 2, tzinfo=UTC),
        60: datetime(2026, 11, 4, tzinfo=UTC),
    }
    assert replay_snapshots.prune(coord, now) == 0


def test_a_snapshot_taken_again_where_one_could_not_be_used_replaces_it(coord, caplog):
    _identify(coord, 2)
    first = replay_snapshots.take(coord)
    with coord.db.write() as connection:
        connection.execute(update(table).values(format=2))
    assert replay_snapshots.take(coord) == first  # nothing recorded since, but the one there is unusable
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="coord.replay"):
        replay(coord, AUDITOR, recorded_before=datetime.now(UTC) + timedelta(seconds=1))
    assert [s.position for s in replay_snapshots.listed(coord)] == [first.position]
    assert [r.getMessage() for r in caplog.records if r.name == "coord.replay"] == []
