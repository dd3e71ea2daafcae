"""The production topology as plain processes on the real PostgreSQL: two API processes, one projector and two
schedulers under one clock file. Only one scheduler runs each job; killing it lets the other take over."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from coord.config import Config
from coord.jobs import runs
from coord.jobs.catalogue import JOBS
from coord.jobs.clock import write_clock
from coord.service.principal import Principal
from coord.tables import schedulers
from coord.wiring import Coord, open_coord
from events.signing import SigningKey
from tests.conftest import throwaway_postgres
from tests.e2e.faults import call, postgres_env, serving, start_logged, stop, stored_events
from tests.e2e.processes import starter_tokens

CASE_MANAGER = Principal("cm", "case_manager", "harbor")
TODAY = datetime.now(UTC).date()


@pytest.fixture
def database_url(postgres_admin_url: str):
    yield from throwaway_postgres(postgres_admin_url)


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=6)


def _seed(coord: Coord) -> dict[str, str]:
    app = coord.service
    made = {}
    for name, contact in (("lapsed_early", 100), ("lapsed_late", 93), ("seen", 20)):
        person = app.identify_person(
            CASE_MANAGER,
            attributes={"veteran": "no", "household_type": "single_adult"},
            pii={"first_name": "Lee"},
            effective_on=TODAY - timedelta(days=300),
        )
        app.record_contact(CASE_MANAGER, person.id, effective_on=TODAY - timedelta(days=contact))
        made[name] = person.id
    service = app.register_service(CASE_MANAGER, name="Intake", stage="coordinated_entry")
    for name, requested in (("stale_early", 40), ("stale_late", 33)):
        made[name] = app.request_handoff(
            CASE_MANAGER,
            person_id=made["seen"],
            to_service_id=service.id,
            requested_on=TODAY - timedelta(days=requested),
        ).id
    return {name: str(value) for name, value in made.items()}


def _periods(coord: Coord, now: datetime) -> dict[str, str]:
    return {name: job.period(now, coord).key for name, job in JOBS.items()}


def _wait_for_runs(coord: Coord, periods: dict[str, str], deadline: float) -> dict[str, list[dict]]:
    while True:
        found = {
            job: [r for r in runs.history(coord.db, job) if r["period"] == period] for job, period in periods.items()
        }
        if all(any(r["outcome"] == "done" for r in rows) for rows in found.values()):
            return found
        assert time.monotonic() < deadline, f"jobs not run in time: {found}"
        time.sleep(0.2)


def _marks(coord: Coord, aggregate_id: str, kind: str) -> list:
    from uuid import UUID

    return [e for e in coord.service.repository.event_store.get(UUID(aggregate_id)) if type(e).__name__ == kind]


def test_one_scheduler_acts_and_another_takes_over(database_url: str, tmp_path: Path) -> None:
    env = postgres_env(database_url, tmp_path, workers=1)
    signing = tmp_path / "audit-signing.key"
    signing.write_text(SigningKey.generate().to_base64())
    clock = tmp_path / "clock"
    write_clock(clock, _at(TODAY - timedelta(days=7)))
    env.update(
        COORD_AUDIT_SIGNING_KEY_FILE=str(signing), COORD_JOBS_CLOCK_FILE=str(clock), COORD_JOBS_TICK_SECONDS="0.3"
    )
    coord = open_coord(Config.from_env(env))
    processes = []
    try:
        made = _seed(coord)
        token = starter_tokens(env)["case_manager"]
        with serving(env, tmp_path / "api-1.log") as api_1, serving(env, tmp_path / "api-2.log") as api_2:
            processes.append(start_logged(env, tmp_path / "projector.log", "project"))
            by_pid = {}
            for n in (1, 2):
                process = start_logged(env, tmp_path / f"scheduler-{n}.log", "scheduler")
                processes.append(process)
                by_pid[process.pid] = process

            # A week ago by the clock: each job runs once, all by the scheduler that leads.
            first = _wait_for_runs(coord, _periods(coord, _at(TODAY - timedelta(days=7))), time.monotonic() + 60)
            time.sleep(1.5)  # several more ticks of both schedulers: nothing runs twice
            first = _wait_for_runs(coord, _periods(coord, _at(TODAY - timedelta(days=7))), time.monotonic())
            assert {job: [r["outcome"] for r in rows] for job, rows in first.items()} == {job: ["done"] for job in JOBS}
            leaders = {rows[0]["runner"] for rows in first.values()}
            assert len(leaders) == 1
            leader = leaders.pop()
            with coord.db.read() as connection:
                claims = connection.execute(select(schedulers.c.runner, schedulers.c.leading)).all()
            assert sorted(leading for _runner, leading in claims) == [False, True]
            assert (leader, True) in claims

            assert first["inactivity-sweep"][0]["summary"]["marked_inactive"] == 1
            assert first["handoff-expiry"][0]["summary"]["expired"] == 1
            assert call(api_2.base, "GET", f"/api/v1/persons/{made['lapsed_early']}", token)[1]["status"] == "inactive"
            assert call(api_1.base, "GET", f"/api/v1/persons/{made['lapsed_late']}", token)[1]["status"] == "active"

            # The leader dies; the clock moves on a week: the other scheduler catches up, once.
            leader_pid = int(leader.rsplit(":", 1)[1])
            os.kill(leader_pid, signal.SIGKILL)
            by_pid[leader_pid].wait(timeout=10)
            write_clock(clock, _at(TODAY))
            week_ago, today = _periods(coord, _at(TODAY - timedelta(days=7))), _periods(coord, _at(TODAY))
            second = _wait_for_runs(coord, today, time.monotonic() + 60)
            time.sleep(1.5)
            second = _wait_for_runs(coord, today, time.monotonic())
            # The month to close may be the same as a week ago: then it is not closed again.
            moved = [job for job in JOBS if today[job] != week_ago[job]]
            assert {"inactivity-sweep", "handoff-expiry", "audit-checkpoint"} <= set(moved)
            assert {job: len(second[job]) for job in JOBS} == dict.fromkeys(JOBS, 1)
            new_leaders = {second[job][0]["runner"] for job in moved}
            assert len(new_leaders) == 1 and leader not in new_leaders
            swept = second["inactivity-sweep"]
            assert [(r["outcome"], r["summary"]["marked_inactive"]) for r in swept] == [("done", 1)]
            assert [r["summary"]["expired"] for r in second["handoff-expiry"]] == [1]

            status, body = call(api_1.base, "GET", f"/api/v1/persons/{made['lapsed_late']}", token)
            assert (status, body["status"]) == (200, "inactive")
            for name, effective in (("lapsed_early", 10), ("lapsed_late", 3)):
                marks = _marks(coord, made[name], "MarkedInactive")
                assert [(m.effective_on, m.actor) for m in marks] == [
                    (TODAY - timedelta(days=effective), "system:inactivity-sweep")
                ]
            for name, effective in (("stale_early", 10), ("stale_late", 3)):
                cancels = _marks(coord, made[name], "Cancelled")
                assert [(c.effective_on, c.reason) for c in cancels] == [(TODAY - timedelta(days=effective), "expired")]
            assert _marks(coord, made["seen"], "MarkedInactive") == []
    finally:
        for process in processes:
            stop(process)
        coord.close()
    for n in (1, 2):
        assert "Traceback" not in (tmp_path / f"scheduler-{n}.log").read_text()


def test_a_leader_killed_in_the_middle_of_a_sweep_leaves_nobody_marked_twice_or_missed(
    database_url: str, tmp_path: Path
) -> None:
    env = postgres_env(database_url, tmp_path, workers=1)
    clock = tmp_path / "clock"
    write_clock(clock, _at(TODAY))
    env.update(COORD_JOBS_CLOCK_FILE=str(clock), COORD_JOBS_TICK_SECONDS="0.3")
    coord = open_coord(Config.from_env(env))
    processes = []
    try:
        app = coord.service
        people = [
            app.identify_person(
                CASE_MANAGER,
                attributes={"veteran": "no", "household_type": "single_adult"},
                pii={"first_name": "Ray"},
                effective_on=TODAY - timedelta(days=100 + n % 50),
            ).id
            for n in range(150)
        ]
        for n in (1, 2):
            processes.append(start_logged(env, tmp_path / f"scheduler-{n}.log", "scheduler"))
        deadline = time.monotonic() + 60
        while not stored_events(database_url, "MarkedInactive"):  # the leader is sweeping: kill it now
            assert time.monotonic() < deadline, "the sweep did not start"
            time.sleep(0.02)
        running = [r for r in runs.history(coord.db, "inactivity-sweep") if r["outcome"] == "running"]
        leader_pid = int(running[0]["runner"].rsplit(":", 1)[1])
        os.kill(leader_pid, signal.SIGKILL)
        period = JOBS["inactivity-sweep"].period(_at(TODAY), coord).key
        swept = _wait_for_runs(coord, {"inactivity-sweep": period}, time.monotonic() + 60)["inactivity-sweep"]
        finished = [r for r in swept if r["outcome"] == "done"]
        assert len(finished) == 1 and finished[0]["runner"] != running[0]["runner"]
        assert 0 < finished[0]["summary"]["marked_inactive"] < 150  # the killed leader had marked some
        for person_id in people:
            assert len(_marks(coord, str(person_id), "MarkedInactive")) == 1
    finally:
        for process in processes:
            stop(process)
        coord.close()
