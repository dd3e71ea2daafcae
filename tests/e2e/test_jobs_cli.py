"""`coord jobs run NAME` and `coord jobs list` as an operator types them, and the jobs `coord serve` runs by
itself on the embedded store, all under a clock file (COORD_JOBS_CLOCK_FILE)."""

from __future__ import annotations

import signal
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from coord.config import Config
from coord.jobs import runs
from coord.jobs.clock import write_clock
from coord.service.principal import Principal
from coord.wiring import open_coord
from tests.e2e.processes import call, coord_cli, free_port, start, starter_tokens

CASE_MANAGER = Principal("cm", "case_manager", "harbor")
TODAY = datetime.now(UTC).date()


def _lapsed_persons(env: dict[str, str], contacts_days_ago: list[int]) -> list[str]:
    """Persons identified 300 days ago, last contacted the given days ago (written as the service would)."""
    coord = open_coord(Config.from_env(env))
    try:
        app, made = coord.service, []
        for days in contacts_days_ago:
            person = app.identify_person(
                CASE_MANAGER,
                attributes={"veteran": "no", "household_type": "single_adult"},
                pii={"first_name": "Kim"},
                effective_on=TODAY - timedelta(days=300),
            )
            app.record_contact(CASE_MANAGER, person.id, effective_on=TODAY - timedelta(days=days))
            made.append(str(person.id))
        return made
    finally:
        coord.close()


def _clocked(env: dict[str, str], tmp_path: Path, day: date) -> dict[str, str]:
    clock = tmp_path / "clock"
    write_clock(clock, datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=6))
    return {**env, "COORD_JOBS_CLOCK_FILE": str(clock)}


def test_jobs_run_and_list(cli_env: dict[str, str], tmp_path: Path) -> None:
    _lapsed_persons(cli_env, [100, 95, 20])
    env = _clocked(cli_env, tmp_path, TODAY - timedelta(days=7))
    day = (TODAY - timedelta(days=7)).isoformat()

    first = coord_cli(env, "jobs", "run", "inactivity-sweep").stdout
    assert first == (
        f"inactivity-sweep for {day}: done: as_of={day} inactive_days=90 checked=1 marked_inactive=1 refused=0\n"
    )
    again = coord_cli(env, "jobs", "run", "inactivity-sweep").stdout
    assert again == (
        f"inactivity-sweep for {day}: done: as_of={day} inactive_days=90 checked=0 marked_inactive=0 refused=0\n"
    )
    listed = coord_cli(env, "jobs", "list").stdout.splitlines()
    sweep = next(line for line in listed if line.startswith("inactivity-sweep"))
    assert sweep.split()[:4] == ["inactivity-sweep", "daily", day, "done"]
    assert "checked=0 marked_inactive=0 refused=0" in sweep
    assert sweep.endswith(f"{(TODAY - timedelta(days=6)).isoformat()} 00:00 UTC")  # the next day
    expiry = next(line for line in listed if line.startswith("handoff-expiry"))
    assert expiry.split() == ["handoff-expiry", "hourly", "-", "never", "run", "-", "-", "-", "due", "now"]
    assert listed[-1] == "schedulers: none running (start `coord scheduler`, or `coord serve` on the embedded store)"
    health = coord_cli(env, "health", "scheduler", check=False)
    assert (health.returncode, health.stdout) == (
        1,
        "no scheduler on this host was seen in the last 180 s: is `coord scheduler` running?\n",
    )


def test_jobs_run_refuses_what_it_does_not_know(cli_env: dict[str, str], tmp_path: Path) -> None:
    unknown = coord_cli(cli_env, "jobs", "run", "sweep-everything", check=False)
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines()[-1].endswith(
        "'sweep-everything' is not one of 'inactivity-sweep', 'handoff-expiry', 'month-close', 'audit-checkpoint'."
    )
    (tmp_path / "clock").write_text("next tuesday")
    broken = coord_cli({**cli_env, "COORD_JOBS_CLOCK_FILE": str(tmp_path / "clock")}, "jobs", "list", check=False)
    assert broken.returncode == 1
    assert (
        broken.stderr.strip()
        .splitlines()[-1]
        .startswith(f"Error: COORD_JOBS_CLOCK_FILE {tmp_path / 'clock'} does not hold an ISO 8601 time")
    )


def test_serve_runs_the_jobs_itself_on_the_embedded_store(tmp_path: Path) -> None:
    from tests.e2e.processes import cli_environment

    base_env = cli_environment(f"sqlite:///{tmp_path / 'data' / 'coord.db'}", tmp_path)
    lapsed, seen = _lapsed_persons(base_env, [100, 20])
    env = {**_clocked(base_env, tmp_path, TODAY), "COORD_SERVE_JOBS": "on", "COORD_JOBS_TICK_SECONDS": "0.2"}
    token = starter_tokens(env)["backbone"]
    port = free_port()
    server = start(env, "serve", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        coord = open_coord(Config.from_env(env))
        try:
            deadline = time.monotonic() + 30
            while len({r["job"] for r in runs.history(coord.db) if r["outcome"] == "done"}) < 4:
                assert time.monotonic() < deadline, runs.history(coord.db)
                time.sleep(0.2)
            assert [r["trigger"] for r in runs.history(coord.db)] == ["schedule"] * 4
            runner = runs.history(coord.db)[0]["runner"]
        finally:
            coord.close()
        assert coord_cli(env, "health", "scheduler").stdout == f"scheduler {runner}: leads\n"
        status, body = call(base, "GET", f"/api/v1/persons/{lapsed}", token)
        assert (status, body["status"]) == (200, "inactive")
        status, body = call(base, "GET", f"/api/v1/persons/{seen}", token)
        assert (status, body["status"]) == (200, "active")
    finally:
        server.send_signal(signal.SIGTERM)
        _, log = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "Traceback" not in log
    assert "scheduler" in log and "stopped" in log
