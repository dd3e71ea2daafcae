"""The four jobs: what each does, how often, and as what day. Each acts through the application service as
`system:<job>`, one record at a time, and reports what it did in counts (never who)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from coord.jobs import periods
from coord.jobs.periods import Period
from coord.service import audit, replay_snapshots, submissions
from coord.service.principal import Principal
from coord.wiring import Coord
from events.errors import DomainError
from projections.reports.months import label

log = logging.getLogger("coord.jobs")


class Interrupted(Exception):
    """The process is stopping: the job ended between two records; what it did so far is in `summary`."""

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__("interrupted")
        self.summary = summary


@dataclass(frozen=True)
class Job:
    name: str
    #: "daily", "hourly" or "monthly on day K" (for `coord jobs list`)
    every: Callable[[Coord], str]
    period: Callable[[datetime, Coord], Period]
    body: Callable[[Coord, Principal, Period, threading.Event], dict[str, Any]]
    describe: str

    @property
    def actor(self) -> Principal:
        return Principal.system(self.name)


def _each(ids: Iterable[UUID], act: Callable[[UUID], bool], stopping: threading.Event, done_as: str) -> dict[str, Any]:
    """Act on each candidate; a refusal (a record that changed meanwhile in a way the rule cannot follow) is
    counted and logged by its kind, and the others go on."""
    summary = {"checked": 0, done_as: 0, "refused": 0}
    for record_id in ids:
        if stopping.is_set():
            raise Interrupted(summary)
        summary["checked"] += 1
        try:
            summary[done_as] += act(record_id)
        except DomainError as error:
            summary["refused"] += 1
            log.warning("%s: a record refused the change: %s", done_as, type(error).__name__)
    return summary


def inactivity_sweep(coord: Coord, who: Principal, period: Period, stopping: threading.Event) -> dict[str, Any]:
    app, days, today = coord.service, coord.config.inactive_days, period.day
    candidates = app.lapse_candidates(after_days=days, today=today)
    summary = _each(
        candidates,
        lambda person_id: app.lapse_person(who, person_id, after_days=days, today=today),
        stopping,
        "marked_inactive",
    )
    return {"as_of": today.isoformat(), "inactive_days": days, **summary}


def handoff_expiry(coord: Coord, who: Principal, period: Period, stopping: threading.Event) -> dict[str, Any]:
    app, days, today = coord.service, coord.config.handoff_expire_days, period.day
    candidates = app.expiry_candidates(after_days=days, today=today)
    summary = _each(
        candidates,
        lambda handoff_id: app.expire_handoff(who, handoff_id, after_days=days, today=today),
        stopping,
        "expired",
    )
    return {"as_of": today.isoformat(), "expire_days": days, **summary}


def audit_checkpoint(coord: Coord, who: Principal, period: Period, stopping: threading.Event) -> dict[str, Any]:
    """Sign the audit's head, then add a replay snapshot of what was recorded since the previous one."""
    if not coord.service.recorder.max_notification_id():
        return {"signed": False, "why": "the log is empty", "snapshot": None}
    signed: dict[str, Any] = {"signed": False, "why": "no COORD_AUDIT_SIGNING_KEY in this process"}
    if coord.config.audit_signing_key is not None:
        head = audit.checkpoint(coord)
        signed = {"signed": True, "position": head["position"], "key_id": head["key_id"]}
    snapshot = replay_snapshots.take(coord, stopping=stopping)
    summary = {**signed, "snapshot": None if snapshot is None else {"position": snapshot.position}}
    if stopping.is_set():
        raise Interrupted(summary)
    return summary


def month_close(coord: Coord, who: Principal, period: Period, stopping: threading.Event) -> dict[str, Any]:
    month: date = period.day
    submission, closed = submissions.close_month_once(coord, who, month)
    latest = submission.latest
    return {
        "month": label(month),
        "closed": closed,
        "submission": latest["submission"],
        "populations": len(latest["rows"]),
    }


#: In the order a scheduler runs them: the day's checkpoint covers what the others wrote.
JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "inactivity-sweep",
            lambda coord: "daily",
            lambda now, coord: periods.daily(now),
            inactivity_sweep,
            "active persons with no contact for COORD_INACTIVE_DAYS become inactive (no_contact), "
            "effective last contact + N",
        ),
        Job(
            "handoff-expiry",
            lambda coord: "hourly",
            lambda now, coord: periods.hourly(now),
            handoff_expiry,
            "handoffs requested and not answered after COORD_HANDOFF_EXPIRE_DAYS are cancelled (expired), "
            "effective requested_on + N",
        ),
        Job(
            "month-close",
            lambda coord: f"monthly on day {coord.config.month_close_day}",
            lambda now, coord: periods.month_to_close(now, coord.config.month_close_day),
            month_close,
            "record the previous month's Built for Zero submission, unless it was closed already",
        ),
        Job(
            "audit-checkpoint",
            lambda coord: "daily",
            lambda now, coord: periods.daily(now),
            audit_checkpoint,
            "sign the audit's head (coord verify --against checks the log still extends it), and add a replay "
            "snapshot of what was recorded since the previous one",
        ),
    )
}
