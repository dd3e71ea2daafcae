"""SIGTERM finishes work in flight: `coord serve` answers a request in flight in full, refuses new connections
and exits 0; `coord project` stops after the page it is on, exits 0, and a re-run goes on from there to
exactly the read models of a full rebuild."""

from __future__ import annotations

import queue
import signal
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from sqlalchemy import select, text

from projections.db import Database
from projections.tables import projection_positions
from tests.conftest import throwaway_postgres
from tests.e2e.faults import call, lock_waiters, serving, start_logged, stop, stored_events
from tests.e2e.processes import cli_environment, coord_cli
from tests.e2e.test_rebuild import _dump

PERSON = {"veteran": "no", "household_type": "family"}
PAGE = 5


def _wait_for(condition: Callable[[], object], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _refused(base: str) -> bool:
    host, port = base.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.fixture
def database(postgres_admin_url):
    yield from throwaway_postgres(postgres_admin_url)


def _read_stream(base: str, token: str, into: queue.Queue) -> None:
    """Put 'opened' once the stream answers, then how it ended: 'ended' (the server closed it cleanly)."""
    request = urllib.request.Request(f"{base}/api/v1/stream", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            into.put("opened")
            for _line in response:
                pass
        into.put("ended")
    except OSError as error:
        into.put(type(error).__name__)


def test_sigterm_answers_the_request_in_flight_ends_streams_refuses_new_ones_and_exits_0(database, tmp_path):
    env = {**cli_environment(database, tmp_path), "COORD_WORKERS": "1"}
    token = coord_cli(env, "users", "create", "--role", "case_manager", "--agency", "harbor").stdout.strip()
    backbone = coord_cli(env, "users", "create", "--role", "backbone").stdout.strip()
    answers: queue.Queue = queue.Queue()
    stream: queue.Queue = queue.Queue()
    with serving(env, tmp_path / "serve.log") as server:
        threading.Thread(target=_read_stream, args=(server.base, backbone, stream), daemon=True).start()
        assert stream.get(timeout=10) == "opened"
        with psycopg.connect(database) as blocker:
            # The write is in flight, waiting for the log's table, when SIGTERM arrives.
            blocker.execute("LOCK TABLE coord_events IN EXCLUSIVE MODE")
            writer = threading.Thread(
                target=lambda: answers.put(call(server.base, "POST", "/api/v1/persons", token, PERSON))
            )
            writer.start()
            lock_waiters(database)
            server.master.send_signal(signal.SIGTERM)
            _wait_for(lambda: _refused(server.base), "new connections to be refused", timeout=5)
            # Well before gunicorn would kill the worker (30 s): the stream was ended, not cut.
            assert stream.get(timeout=5) == "ended"
            assert server.master.poll() is None, "the server left before answering"
            blocker.rollback()
        writer.join(timeout=30)
        status, person = answers.get_nowait()
        assert server.master.wait(timeout=40) == 0
    assert (status, person["version"], person["status"]) == (201, 1, "active")
    assert stored_events(database) == [(UUID(person["id"]), 1, "Identified")]
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


def _positions(db: Database) -> dict[str, int]:
    with db.read() as connection:
        return dict(connection.execute(select(projection_positions.c.name, projection_positions.c.position)).all())


def _read_models_at(db: Database) -> int:
    return min(position for name, position in _positions(db).items() if name != "audit_chain")


def _page_boundary(db: Database, position: int) -> bool:
    """Whether `position` ends a page of PAGE events counted from the start of the log."""
    with db.read() as connection:
        table, column = ("stored_events", "rowid") if db.is_sqlite else ("coord_events", "notification_id")
        query = text(f"SELECT count(*) FROM {table} WHERE {column} <= :position")
        return connection.execute(query, {"position": position}).scalar_one() % PAGE == 0


def _terminate_midway(env: dict[str, str], db: Database, log: Path, floor: int, head: int, *args: str) -> int:
    """Start `coord project ARGS`, SIGTERM it once its read models are past `floor` but short of the head;
    returns the position it stopped at."""
    process = start_logged(env, log, "project", "--page-size", str(PAGE), *args)
    try:
        _wait_for(lambda: floor < _read_models_at(db) < head or process.poll() is not None, "a page")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        stop(process)
    stopped = _read_models_at(db)
    assert f"stopped after position {stopped}; the next run goes on from there" in log.read_text()
    assert set(_positions(db).values()) == {stopped, head}, "every read model stops at the same page"
    assert floor < stopped < head and _page_boundary(db, stopped)
    return stopped


def test_sigterm_stops_a_catch_up_at_a_page_boundary_and_a_rerun_finishes_it(cli_env, tmp_path):
    coord_cli(cli_env, "demo", "--persons", "150", "--months", "12")
    coord_cli(cli_env, "project", "--rebuild")
    db = Database(cli_env["COORD_DATABASE_URL"])
    try:
        expected = _dump(db)
        head = max(_positions(db).values())
        assert head > 50 * PAGE

        rebuilt = _terminate_midway(cli_env, db, tmp_path / "rebuild.log", 0, head, "--rebuild")
        _terminate_midway(cli_env, db, tmp_path / "follow.log", rebuilt, head)

        assert coord_cli(cli_env, "project", "--once").returncode == 0
        assert _dump(db) == expected
    finally:
        db.dispose()
