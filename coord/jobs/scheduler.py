"""Running the jobs: once from the CLI (`coord jobs run`), or when due under the scheduler (`coord scheduler`,
and inside `coord serve` on the embedded store).

The scheduler is an APScheduler background scheduler with one interval job, the tick: every
COORD_JOBS_TICK_SECONDS it renews its claim to the lead (locks.py) and its sign of life (runs.py), and the leader
runs each job whose current period has no finished run. Only the leader acts; the others stand by and take over
at their next tick once the leader's lock is gone (a killed leader's goes with its connection or process).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from coord.jobs import runs
from coord.jobs.catalogue import JOBS, Interrupted, Job
from coord.jobs.clock import Clock, ClockFileError
from coord.jobs.locks import Lock, acquire_within, lock_for
from coord.wiring import Coord

log = logging.getLogger("coord.jobs")


class JobBusyError(Exception):
    """The job is running in another process right now."""


@dataclass(frozen=True)
class Outcome:
    job: str
    period: str
    outcome: str
    summary: dict[str, Any]


def run_job(
    coord: Coord, job: Job, now: datetime, *, trigger: str, runner: str, stopping: threading.Event | None = None
) -> Outcome:
    """Run `job` as of `now` (it acts once per record, so running it again changes nothing) and record the run."""
    lock = lock_for(coord.config, f"job:{job.name}")
    if not acquire_within(lock, 30.0 if trigger == "cli" else 0.0):
        raise JobBusyError(f"the job {job.name} is running in another process right now; try again when it is done")
    try:
        return _run(coord, job, now, trigger=trigger, runner=runner, stopping=stopping or coord.stopping)
    finally:
        lock.release()


def run_if_due(coord: Coord, job: Job, now: datetime, *, runner: str, stopping: threading.Event) -> Outcome | None:
    """Run `job` if its period at `now` has no finished run yet; None when it had (or another process runs it)."""
    period = job.period(now, coord)
    if runs.done(coord.db, job.name, period.key):
        return None
    lock = lock_for(coord.config, f"job:{job.name}")
    if not lock.try_acquire():
        return None
    try:
        if runs.done(coord.db, job.name, period.key):  # finished while this one waited for the lock
            return None
        return _run(coord, job, now, trigger="schedule", runner=runner, stopping=stopping)
    finally:
        lock.release()


def _run(coord: Coord, job: Job, now: datetime, *, trigger: str, runner: str, stopping: threading.Event) -> Outcome:
    period = job.period(now, coord)
    run_id = runs.start(coord.db, job=job.name, period=period.key, as_of=now, trigger=trigger, runner=runner)
    try:
        summary, outcome = job.body(coord, job.actor, period, stopping), runs.DONE
    except Interrupted as stopped:
        summary, outcome = stopped.summary, runs.INTERRUPTED
    except Exception as error:
        # Only the kind of error: a message may quote a record.
        log.error("job %s for %s failed: %s", job.name, period.key, type(error).__name__)
        summary, outcome = {"error": type(error).__name__}, runs.FAILED
    runs.finish(coord.db, run_id, outcome, summary)
    log.info("job %s for %s: %s %s", job.name, period.key, outcome, summary)
    return Outcome(job.name, period.key, outcome, summary)


class Scheduler:
    def __init__(self, coord: Coord, clock: Clock, *, runner: str | None = None) -> None:
        self.coord, self.clock = coord, clock
        self.runner = runner or runs.this_runner()
        self.started_at = datetime.now(UTC)
        self.lead: Lock = lock_for(coord.config, "scheduler")
        self.leading = False
        self.aps = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.aps.add_job(
            self.tick,
            IntervalTrigger(seconds=coord.config.jobs_tick_seconds, timezone=UTC),
            id="tick",
            name="renew the lead and run the jobs that are due",
            next_run_time=datetime.now(UTC),
        )

    def start(self) -> None:
        """Start ticking; when the process stops (`coord.stopping`), finish the job in hand and give up the lead.
        Closing the Coord waits for that (its `threads`)."""
        log.info("scheduler %s started: wakes every %gs", self.runner, self.coord.config.jobs_tick_seconds)
        self.aps.start()
        watcher = threading.Thread(target=self._stop_when_stopping, name="coord-scheduler-stop", daemon=True)
        watcher.start()
        self.coord.threads.append(watcher)

    def _stop_when_stopping(self) -> None:
        self.coord.stopping.wait()
        self.stop()

    def stop(self) -> None:
        """Finish the job in hand (it stops between two records), then give up the lead."""
        self.coord.stopping.set()
        if self.aps.running:
            self.aps.shutdown(wait=True)
        self.lead.release()
        try:
            runs.gone(self.coord.db, self.runner)
        except Exception as error:
            log.warning("could not record that scheduler %s stopped: %s", self.runner, type(error).__name__)
        log.info("scheduler %s stopped", self.runner)

    def tick(self) -> None:
        if self.coord.stopping.is_set():
            return
        try:
            self._claim_lead()
            runs.beat(self.coord.db, self.runner, leading=self.leading, started_at=self.started_at)
            if not self.leading:
                return
            now = self.clock()
            for job in JOBS.values():
                if self.coord.stopping.is_set() or not self.lead.held():
                    return
                run_if_due(self.coord, job, now, runner=self.runner, stopping=self.coord.stopping)
        except ClockFileError as error:
            log.error("%s", error)
        except Exception as error:  # the store may be restarting: the next tick tries again
            log.error("scheduler tick failed: %s", type(error).__name__)

    def _claim_lead(self) -> None:
        leading = self.lead.held() or self.lead.try_acquire()
        if leading != self.leading:
            log.info("scheduler %s %s", self.runner, "leads: it runs the jobs" if leading else "stands by")
        self.leading = leading
