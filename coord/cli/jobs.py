"""`coord scheduler` (run the jobs when due, until stopped) and `coord jobs list|run NAME`."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta
from typing import Any

import click
from tabulate import tabulate

from coord.config import Config
from coord.jobs import runs
from coord.jobs.catalogue import JOBS
from coord.jobs.clock import ClockFileError, clock_for
from coord.jobs.scheduler import JobBusyError, Scheduler, run_job
from coord.startup import wait_for_store
from coord.wiring import Coord, open_coord


def _open() -> tuple[Coord, Any]:
    config = Config.from_env()
    return open_coord(config), clock_for(config.jobs_clock_file)


@click.command()
def scheduler() -> None:
    """Run the scheduled jobs when they are due, until stopped (SIGTERM or Ctrl-C finishes the job in hand).
    Run one or two: on PostgreSQL only the one holding the lead acts, another takes over if it goes."""
    if not wait_for_store(Config.from_env()):
        return  # stopped while waiting for the database
    coord, clock = _open()
    stop = threading.Event()

    def on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    Scheduler(coord, clock).start()
    try:
        stop.wait()
    finally:
        coord.close()  # the scheduler finishes the job in hand first


@click.group()
def jobs() -> None:
    """The scheduled jobs: what they did and when they run next, or run one now."""


@jobs.command("list")
def jobs_list() -> None:
    """Each job: how often, its last run (period, outcome, by whom, what it did) and its next run."""
    coord, clock = _open()
    try:
        now = _now(clock)
        rows = []
        for job in JOBS.values():
            period = job.period(now, coord)
            last = runs.history(coord.db, job.name, limit=1)
            due = "due now" if not runs.done(coord.db, job.name, period.key) else _time(period.next_starts)
            rows.append([job.name, job.every(coord), *_last(last[0] if last else None), due])
        tick = timedelta(seconds=max(3 * coord.config.jobs_tick_seconds, 30))
        alive = runs.alive(coord.db, tick)
    finally:
        coord.close()
    headers = ["job", "every", "last period", "outcome", "as of", "by", "what it did", "next run"]
    click.echo(tabulate(rows, headers=headers))
    click.echo("")
    if not alive:
        click.echo("schedulers: none running (start `coord scheduler`, or `coord serve` on the embedded store)")
    for row in alive:
        role = "leads" if row["leading"] else "stands by"
        click.echo(f"scheduler {row['runner']}: {role}, last seen {_time(row['seen_at'])}")


@jobs.command("run")
@click.argument("name", type=click.Choice(list(JOBS)))
def jobs_run(name: str) -> None:
    """Run one job now, as of the current time (safe to repeat: it changes nothing twice)."""
    coord, clock = _open()
    try:
        outcome = run_job(coord, JOBS[name], _now(clock), trigger="cli", runner=runs.this_runner())
    except JobBusyError as error:
        raise click.ClickException(str(error)) from None
    finally:
        coord.close()
    click.echo(f"{outcome.job} for {outcome.period}: {outcome.outcome}: {_what(outcome.summary)}")
    if outcome.outcome != runs.DONE:
        raise SystemExit(1)


def _now(clock: Any) -> Any:
    try:
        return clock()
    except ClockFileError as error:
        raise click.ClickException(str(error)) from None


def _last(run: dict[str, Any] | None) -> list[str]:
    if run is None:
        return ["-", "never run", "-", "-", "-"]
    by = f"{run['trigger']} {run['runner']}"
    return [run["period"], run["outcome"], _time(run["as_of"]), by, _what(run["summary"])]


def _what(summary: dict[str, Any] | None) -> str:
    return " ".join(f"{key}={value}" for key, value in (summary or {}).items()) or "-"


def _time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"
