"""`coord project --rebuild` killed with SIGKILL in the middle, then run again, leaves exactly the read
models an uninterrupted rebuild leaves: each page commits its rows with its position, or nothing."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from sqlalchemy import select

from projections.db import Database
from projections.tables import (
    gap_handoffs,
    handoffs,
    person_facts,
    person_profiles,
    persons,
    population_days,
    projection_positions,
    services,
)
from tests.e2e.processes import coord_cli, start

READ_MODELS = (
    persons,
    services,
    handoffs,
    person_facts,
    person_profiles,
    population_days,
    gap_handoffs,
    projection_positions,
)


def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.read() as connection:
        return {table.name: sorted(tuple(row) for row in connection.execute(select(table))) for table in READ_MODELS}


def _positions(db: Database) -> list[int]:
    with db.read() as connection:
        return list(connection.execute(select(projection_positions.c.position)).scalars())


def _kill_mid_rebuild(env: dict[str, str], db: Database, head: int) -> None:
    rebuild = start(env, "project", "--rebuild", "--page-size", "25")
    deadline = time.monotonic() + 60
    try:
        # Positions stand at the head until the rebuild empties the read models, then climb back.
        while not 0 < min(_positions(db)) < head:
            assert rebuild.poll() is None, "the rebuild ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        os.kill(rebuild.pid, signal.SIGKILL)
    finally:
        rebuild.wait(timeout=20)
        rebuild.stderr.close()
    assert rebuild.returncode == -signal.SIGKILL
    assert 0 < min(_positions(db)) < head, "killed in the middle"


def test_a_rebuild_killed_midway_and_run_again_matches_an_uninterrupted_one(cli_env):
    coord_cli(cli_env, "demo", "--persons", "120", "--months", "12")  # ends with the audit chain at the head
    coord_cli(cli_env, "project", "--rebuild")
    db = Database(cli_env["COORD_DATABASE_URL"])
    try:
        expected = _dump(db)
        head = max(_positions(db))
        assert expected["population_days"] and expected["gap_handoffs"]

        _kill_mid_rebuild(cli_env, db, head)
        coord_cli(cli_env, "project", "--once")  # going on from the last committed page
        assert _dump(db) == expected

        _kill_mid_rebuild(cli_env, db, head)
        coord_cli(cli_env, "project", "--rebuild")  # starting over
        assert _dump(db) == expected
    finally:
        db.dispose()
