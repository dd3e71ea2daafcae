"""The record of the jobs' runs (table job_runs) and of the schedulers' signs of life (table schedulers)."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from coord.tables import job_runs, schedulers
from projections.db import Database

DONE, FAILED, INTERRUPTED, RUNNING = "done", "failed", "interrupted", "running"


def this_runner() -> str:
    """host:pid: which process ran a job, or leads the schedulers."""
    return f"{socket.gethostname()}:{os.getpid()}"


def start(db: Database, *, job: str, period: str, as_of: datetime, trigger: str, runner: str) -> int:
    values = {
        "job": job,
        "period": period,
        "as_of": as_of,
        "trigger": trigger,
        "runner": runner,
        "started_at": datetime.now(UTC),
        "outcome": RUNNING,
    }
    with db.write() as connection:
        return connection.execute(insert(job_runs).values(values).returning(job_runs.c.id)).scalar_one()


def finish(db: Database, run_id: int, outcome: str, summary: dict[str, Any]) -> None:
    with db.write() as connection:
        connection.execute(
            update(job_runs)
            .where(job_runs.c.id == run_id)
            .values(outcome=outcome, summary=summary, finished_at=datetime.now(UTC))
        )


def done(db: Database, job: str, period: str) -> bool:
    """Whether a run of `job` finished the period (a failed or interrupted run leaves it due)."""
    query = select(func.count()).where(job_runs.c.job == job, job_runs.c.period == period, job_runs.c.outcome == DONE)
    with db.read() as connection:
        return connection.execute(query).scalar_one() > 0


def history(db: Database, job: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The latest runs first."""
    query = select(job_runs).order_by(job_runs.c.id.desc()).limit(limit)
    if job is not None:
        query = query.where(job_runs.c.job == job)
    with db.read() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def beat(db: Database, runner: str, *, leading: bool, started_at: datetime) -> None:
    """Say this scheduler is alive (and whether it leads); a leader stands down everyone else's claim."""
    now = datetime.now(UTC)
    with db.write() as connection:
        if leading:
            connection.execute(update(schedulers).where(schedulers.c.runner != runner).values(leading=False))
        found = connection.execute(
            update(schedulers).where(schedulers.c.runner == runner).values(leading=leading, seen_at=now)
        ).rowcount
        if not found:
            host = runner.rsplit(":", 1)[0]
            connection.execute(
                insert(schedulers).values(runner=runner, host=host, leading=leading, started_at=started_at, seen_at=now)
            )


def gone(db: Database, runner: str) -> None:
    """A scheduler that stops says so: it neither leads nor looks alive."""
    with db.write() as connection:
        connection.execute(delete(schedulers).where(schedulers.c.runner == runner))


def alive(db: Database, within: timedelta) -> list[dict[str, Any]]:
    """The schedulers seen within `within`, the leader first."""
    since = datetime.now(UTC) - within
    query = select(schedulers).where(schedulers.c.seen_at >= since).order_by(schedulers.c.leading.desc())
    with db.read() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]
