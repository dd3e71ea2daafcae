"""A month's Built for Zero submission: the monthly metrics per population as they stood when the month was
closed, kept for good. Closing the month again records a resubmission beside them, never over them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Unpack
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from events.dates import check_effective_date
from events.stamp import Stamp

#: Submissions are found by their month: the id of a month's submission is uuid5(NAMESPACE, "YYYY-MM").
NAMESPACE = UUID("5f0c6b8e-2d0a-4c55-9b1e-6a0f3c1d7e42")


def submission_id(month: date) -> UUID:
    return uuid5(NAMESPACE, f"{month.year:04d}-{month.month:02d}")


class MonthlySubmission(Aggregate):
    """Every submission of one month, in order: the first close, then each resubmission."""

    @classmethod
    def close(cls, *, month: date, rows: list[dict[str, Any]], **stamp: Unpack[Stamp]) -> MonthlySubmission:
        check_effective_date(stamp["effective_on"])
        return cls._create(cls.MonthClosed, id=submission_id(month), month=month, rows=rows, **stamp)

    @event("MonthClosed")
    def __init__(self, *, month: date, rows: list[dict[str, Any]], effective_on: date, actor: str, agency: str) -> None:
        self.month = month
        self.submissions: list[dict[str, Any]] = []
        # The base class has set created_on to this event's recorded time before this runs.
        self._record(rows, effective_on, actor, agency, self.created_on)

    def resubmit(self, *, rows: list[dict[str, Any]], **stamp: Unpack[Stamp]) -> None:
        check_effective_date(stamp["effective_on"])
        self.trigger_event(self.Resubmitted, rows=rows, **stamp)

    class Resubmitted(Aggregate.Event):
        """The month closed again: an explicit class, so the event's recorded time reaches the state."""

        rows: list[dict[str, Any]]
        effective_on: date
        actor: str
        agency: str

        def apply(self, aggregate: MonthlySubmission) -> None:
            aggregate._record(self.rows, self.effective_on, self.actor, self.agency, self.timestamp)

    def _record(
        self, rows: list[dict[str, Any]], effective_on: date, actor: str, agency: str, closed_at: datetime
    ) -> None:
        self.submissions.append(
            {
                "submission": len(self.submissions) + 1,
                "rows": rows,
                "closed_on": effective_on,
                "closed_at": closed_at,
                "closed_by": actor,
                "agency": agency,
            }
        )

    @property
    def latest(self) -> dict[str, Any]:
        return self.submissions[-1]
