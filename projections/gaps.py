"""The handoff-gaps projector: one row per handoff with the dates it was requested, accepted and closed.
The report groups the rows into episodes, so a back-dated or struck-out handoff only changes its own row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, update

from events.handoff import Handoff
from projections.runner import Positioned, Projector
from projections.tables import gap_handoffs


def _requested(connection: Connection, e: Handoff.Requested, position: int) -> None:
    connection.execute(
        insert(gap_handoffs).values(
            handoff_id=e.originator_id.hex,
            position=position,
            episode_id=e.episode_id.hex,
            person_id=e.person_id.hex,
            from_service_id=e.from_service_id.hex if e.from_service_id else None,
            to_service_id=e.to_service_id.hex,
            requested_on=e.requested_on,
            due_on=e.due_on,
            in_error=False,
        )
    )


def _handoff_row(connection: Connection, e: Any, **values: Any) -> None:
    connection.execute(update(gap_handoffs).where(gap_handoffs.c.handoff_id == e.originator_id.hex).values(**values))


def _accepted(connection: Connection, e: Handoff.Accepted) -> None:
    _handoff_row(connection, e, accepted_on=e.effective_on)


def _closed(closed_as: str):
    def handler(connection: Connection, e: Any) -> None:
        _handoff_row(connection, e, closed_on=e.effective_on, closed_as=closed_as)

    return handler


def _cancelled(connection: Connection, e: Handoff.Cancelled) -> None:
    # The expiry job cancels with reason "expired"; any other reason is free text and stays in the log.
    _handoff_row(connection, e, closed_on=e.effective_on, closed_as="expired" if e.reason == "expired" else "cancelled")


def _entered_in_error(connection: Connection, e: Handoff.EnteredInError) -> None:
    _handoff_row(connection, e, in_error=True)


class HandoffGapsProjector(Projector):
    def __init__(self) -> None:
        super().__init__(
            "handoff_gaps",
            (gap_handoffs,),
            {
                Handoff.Accepted: _accepted,
                Handoff.Rejected: _closed("rejected"),
                Handoff.Cancelled: _cancelled,
                Handoff.Completed: _closed("completed"),
                Handoff.Failed: _closed("failed"),
                Handoff.EnteredInError: _entered_in_error,
            },
        )

    def apply_page(self, connection: Connection, page: Sequence[Positioned]) -> None:
        """As the runner's, except that a request also keeps its log position: it orders same-day retries."""
        for position, event in page:
            if type(event) is Handoff.Requested:
                _requested(connection, event, position)
            elif (handler := self.handlers.get(type(event))) is not None:
                handler(connection, event)


def handoff_gaps_projector() -> HandoffGapsProjector:
    return HandoffGapsProjector()
