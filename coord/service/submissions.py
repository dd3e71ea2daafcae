"""Month close (docs/design.md "Reports"): a month's monthly metrics recorded in the log as submitted to Built
for Zero, each later close a resubmission, and the monthly report's rows set beside the latest submission."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from coord.errors import ConflictError
from coord.report_formats import Report, csv_text
from coord.service import permissions
from coord.service import report_params as params
from coord.service.principal import Principal
from coord.wiring import Coord
from events.dates import today
from events.errors import NotFoundError
from events.populations import POPULATIONS
from events.stamp import Stamp
from events.submission import MonthlySubmission, submission_id
from projections.reports.monthly import METRICS, monthly

CLOSE_ATTEMPTS = 3
REVISION_COLUMNS = [*(f"submitted_{name}" for name in METRICS), "revised"]


class RevisionsReport(Report):
    """The monthly report with each row's submitted values; CSV has no nesting, so they become flat columns."""

    def as_csv(self) -> str:
        flat = [{**row, **_prefixed(row["submitted"] or {})} for row in self.rows]
        return csv_text(flat, self.columns)


def _prefixed(submitted: dict[str, Any]) -> dict[str, Any]:
    return {f"submitted_{name}": submitted.get(name) for name in METRICS}


def close_month(coord: Coord, who: Principal, month: date) -> MonthlySubmission:
    """Record the month's metrics as the monthly report gives them now: the first close or a resubmission."""
    return _close(coord, who, month, first_only=False)[0]


def close_month_once(coord: Coord, who: Principal, month: date) -> tuple[MonthlySubmission, bool]:
    """Close the month unless it was closed already (the month-close job); says whether this call closed it."""
    return _close(coord, who, month, first_only=True)


def _close(coord: Coord, who: Principal, month: date, *, first_only: bool) -> tuple[MonthlySubmission, bool]:
    permissions.require(who, permissions.CLOSE_MONTH)
    month = params.closable_month(month)
    app = coord.service
    # What is submitted is the whole log as it stands, not wherever the background projector has reached.
    app.projections.run()
    with coord.db.read() as connection:
        rows = monthly(connection, first=month, last=month, populations=POPULATIONS)
    stamp = Stamp(effective_on=today(), actor=who.id, agency=who.acting_agency)
    for _attempt in range(CLOSE_ATTEMPTS):
        with coord.db.write_lock:
            submission = _submission(coord, month)
            if submission is None:
                submission = MonthlySubmission.close(month=month, rows=rows, **stamp)
            elif first_only:
                return submission, False
            else:
                submission.resubmit(rows=rows, **stamp)
            try:
                # The host's save: the one every write goes through (catch-up, after-write hooks).
                app._save(submission)
            except IntegrityError:
                continue  # another close of this month was saved first: resubmit after it (or leave it)
            return submission, True
    raise ConflictError("this month is being closed by others right now; try again")


def read_submission(coord: Coord, who: Principal, aggregate_id: UUID, version: int) -> MonthlySubmission:
    """A submission as it was at `version` (its number), e.g. to answer a repeated close."""
    permissions.require(who, permissions.READ_REPORTS)
    try:
        submission = coord.service.repository.get(aggregate_id, version=version)
    except AggregateNotFoundError:
        submission = None
    if not isinstance(submission, MonthlySubmission):
        raise NotFoundError(f"no submission with id {aggregate_id}")
    return submission


def with_revisions(coord: Coord, report: Report) -> RevisionsReport:
    """Each row gains `submitted` (the latest submission's values, null while the month is not closed) and
    `revised` (the current values differ from them)."""
    latest = _latest_rows(coord, {row["month"] for row in report.rows})
    rows = [{**row, **_revision(row, latest.get((row["population"], row["month"])))} for row in report.rows]
    return RevisionsReport(report.parameters, [*report.columns, *REVISION_COLUMNS], rows)


def _latest_rows(coord: Coord, months: Iterable[date]) -> dict[tuple[str, date], dict[str, Any]]:
    found = {}
    for month in months:
        submission = _submission(coord, month)
        if submission is not None:
            found.update({(row["population"], month): row for row in submission.latest["rows"]})
    return found


def _revision(row: dict[str, Any], submitted: dict[str, Any] | None) -> dict[str, Any]:
    if submitted is None:
        return {"submitted": None, "revised": False}
    values = {name: submitted[name] for name in METRICS}
    return {"submitted": values, "revised": any(row[name] != values[name] for name in METRICS)}


def _submission(coord: Coord, month: date) -> MonthlySubmission | None:
    try:
        return coord.service.repository.get(submission_id(month))
    except AggregateNotFoundError:
        return None
