"""Processes started before their database is up: `coord serve` and `coord project` wait for it with backoff,
saying so on stderr without the password, then start; they give up after COORD_STORE_WAIT_SECONDS with one
line and status 1; SIGTERM while waiting ends them at once with status 0. One-shot commands do not wait."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.conftest import throwaway_postgres
from tests.e2e.faults import NO_ANSWER, call, start_logged, stop
from tests.e2e.pg_proxy import PgProxy
from tests.e2e.processes import cli_environment, coord_cli, free_port

PASSWORD = "pw-never-logged-7f3a"
PERSON = {"veteran": "no", "household_type": "family"}


def _wait_for(condition: Callable[[], object], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _waiting_lines(log: Path) -> list[tuple[str, int, str, float]]:
    """(where, attempt, error type, delay) of every 'waiting for the database' line."""
    pattern = r"waiting for the database at (\S+) \(attempt (\d+), unreachable: (\w+)\); next try in ([\d.]+) s"
    return [(w, int(n), e, float(d)) for w, n, e, d in re.findall(pattern, log.read_text())]


def _env(tmp_path: Path, url: str, **extra: str) -> dict[str, str]:
    return {**cli_environment(url, tmp_path), **extra}


@pytest.fixture
def database(postgres_admin_url):
    yield from throwaway_postgres(postgres_admin_url)


def test_serve_and_project_wait_for_the_database_then_serve_and_catch_up(database, tmp_path):
    real = urlsplit(database)
    name = real.path.lstrip("/")
    env = cli_environment(database, tmp_path)
    case_manager = coord_cli(env, "users", "create", "--role", "case_manager", "--agency", "harbor").stdout.strip()
    backbone = coord_cli(env, "users", "create", "--role", "backbone").stdout.strip()
    with PgProxy(upstream=("127.0.0.1", free_port())) as proxy:  # nothing listens there: every connection fails
        proxied = {**env, "COORD_DATABASE_URL": f"postgresql://postgres:{PASSWORD}@127.0.0.1:{proxy.port}/{name}"}
        port = free_port()
        serve_log, project_log = tmp_path / "serve.log", tmp_path / "project.log"
        server = start_logged({**proxied, "COORD_WORKERS": "1"}, serve_log, "serve", "--port", str(port))
        projector = start_logged(proxied, project_log, "project")
        try:
            for log in (serve_log, project_log):
                _wait_for(lambda log=log: len(_waiting_lines(log)) >= 3, f"three waiting lines in {log.name}")
            assert call(f"http://127.0.0.1:{port}", "GET", "/healthz")[0] == NO_ANSWER  # not listening yet
            proxy.upstream = (real.hostname, real.port or 5432)

            base = f"http://127.0.0.1:{port}"
            _wait_for(lambda: call(base, "GET", "/readyz")[0] == 200, "/readyz 200")
            status, _ = call(base, "POST", "/api/v1/persons", case_manager, PERSON)
            assert status == 201
            # On PostgreSQL the server does not project: the waiting `coord project` catches the write up.
            _wait_for(lambda: _active(base, backbone) == 1, "the projector to count the new person")
        finally:
            stop(server)
            stop(projector)
    assert (server.returncode, projector.returncode) == (0, 0)
    where_proxied = f"127.0.0.1:{proxy.port}/{name}"
    for log in (serve_log, project_log):
        text = log.read_text()
        lines = _waiting_lines(log)
        assert [attempt for _, attempt, _, _ in lines] == list(range(1, len(lines) + 1))
        assert {(where, error) for where, _, error, _ in lines} == {(where_proxied, "OperationalError")}
        assert text.count("the database is reachable; starting") == 1
        assert PASSWORD not in text and "postgresql://" not in text and "Traceback" not in text
    assert f"stopped after position {_head(database)}; the next run goes on from there" in project_log.read_text()


def _active(base: str, token: str) -> int | None:
    status, counts = call(base, "GET", "/api/v1/reports/counts", token)
    rows = counts.get("rows", []) if status == 200 else []
    return next((row["active"] for row in rows if row["population"] == "all"), None)


def _head(database: str) -> int:
    with psycopg.connect(database) as connection:
        return connection.execute("SELECT max(notification_id) FROM coord_events").fetchone()[0]


@pytest.mark.parametrize("command", [("project",), ("serve", "--port", "0")])
def test_it_gives_up_after_the_store_wait_with_one_line_and_status_1(command, tmp_path):
    port = free_port()  # nothing listens there
    env = _env(tmp_path, f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/coord_never", COORD_STORE_WAIT_SECONDS="1")
    result = coord_cli(env, *command, check=False)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: the database at 127.0.0.1:{port}/coord_never is unreachable (OperationalError);"
        " gave up after 1 s (COORD_STORE_WAIT_SECONDS=1)"
    )
    assert 2 <= len(re.findall(r"waiting for the database at ", result.stderr)) <= 3
    assert PASSWORD not in result.stderr and "Traceback" not in result.stderr


def test_a_zero_store_wait_tries_once(tmp_path):
    port = free_port()
    env = _env(tmp_path, f"postgresql://postgres@127.0.0.1:{port}/coord_never", COORD_STORE_WAIT_SECONDS="0")
    result = coord_cli(env, "project", check=False)
    assert (result.returncode, result.stderr.splitlines()) == (
        1,
        [
            f"Error: the database at 127.0.0.1:{port}/coord_never is unreachable (OperationalError);"
            " not waiting (COORD_STORE_WAIT_SECONDS=0)"
        ],
    )


@pytest.mark.parametrize("command", [("project",), ("serve", "--port", "0")])
def test_sigterm_while_waiting_exits_at_once_with_status_0(command, tmp_path):
    env = _env(tmp_path, f"postgresql://postgres:{PASSWORD}@127.0.0.1:{free_port()}/coord_never")
    log = tmp_path / "waiting.log"
    process = start_logged(env, log, *command)
    try:
        _wait_for(lambda: len(_waiting_lines(log)) >= 2, "two waiting lines")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        stop(process)
    assert log.read_text().rstrip().endswith("stopped while waiting for the database")


def test_a_server_that_answers_no_for_good_is_not_waited_for(postgres_admin_url, tmp_path):
    real = urlsplit(postgres_admin_url)
    where = f"{real.hostname}:{real.port or 5432}/coord_missing"
    env = _env(tmp_path, f"postgresql://postgres:{PASSWORD}@{where}")
    result = coord_cli(env, "project", check=False)
    assert (result.returncode, result.stderr.splitlines()) == (
        1,
        [f'Error: the database at {where} refused the connection: database "coord_missing" does not exist'],
    )


def test_a_one_shot_command_does_not_wait(tmp_path):
    env = _env(tmp_path, f"postgresql://postgres:{PASSWORD}@127.0.0.1:{free_port()}/coord_never")
    result = coord_cli(env, "users", "list", check=False)
    assert (result.returncode, result.stderr.splitlines()) == (
        1,
        ["Error: the store cannot be reached (OperationalError); is it running?"],
    )
