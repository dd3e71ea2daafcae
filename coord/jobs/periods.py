"""When each job is due. A job runs once per period (a day, an hour, or a month to close), decided by the record
of its runs, never by a timer: a scheduler that was down runs what it missed when it is back, a second scheduler
finds the period done, and a clock moved forward (a drill) is followed at the next tick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True)
class Period:
    #: What the job's runs are recorded under: 2026-12-03, 2026-12-03T07 or (a month to close) 2026-11.
    key: str
    #: When the period began, and when the next one begins (the next run, once this one is done).
    starts: datetime
    next_starts: datetime
    #: The day the job acts as of (the month to close, for the month close).
    day: date


def daily(now: datetime) -> Period:
    start = datetime.combine(now.date(), datetime.min.time(), UTC)
    return Period(now.date().isoformat(), start, start + timedelta(days=1), now.date())


def hourly(now: datetime) -> Period:
    start = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return Period(start.strftime("%Y-%m-%dT%H"), start, start + timedelta(hours=1), now.date())


def month_to_close(now: datetime, close_day: int) -> Period:
    """The latest month whose close day (`close_day` of the month after it) has come: the previous month from the
    close day on, the one before it until then (it was due last month; if it was missed, it is still due)."""
    this_month = now.date().replace(day=1)
    after = this_month if now.day >= close_day else _months_before(this_month, 1)
    month = _months_before(after, 1)
    starts = datetime.combine(after.replace(day=close_day), datetime.min.time(), UTC)
    next_starts = datetime.combine(_months_after(after, 1).replace(day=close_day), datetime.min.time(), UTC)
    return Period(month.strftime("%Y-%m"), starts, next_starts, month)


def _months_before(first: date, count: int) -> date:
    index = first.year * 12 + first.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _months_after(first: date, count: int) -> date:
    return _months_before(first, -count)
