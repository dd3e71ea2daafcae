"""The handoff-gaps projector: one row per handoff with the dates it was requested, accepted and closed.
The report groups the rows into episodes, so a back-dated or struck-out handoff only changes its own row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from events.handoff import Handoff
from events.handoff_vocabulary import HANDOFF_EVENTS
from projections.batch import PageRows
from projections.runner import Positioned, Projector
from projections.tables import gap_handoffs


def _requested(e: Handoff.Requested, position: int) -> dict[str, Any]:
    return {
        "handoff_id": e.originator_id.hex,
        "position": position,
        "episode_id": e.episode_id.hex,
        "person_id": e.person_id.hex,
        "from_service_id": e.from_service_id.hex if e.from_service_id else None,
        "to_service_id": e.to_service_id.hex,
        "requested_on": e.requested_on,
        "due_on": e.due_on,
        "in_error": False,
    }


def _change(e: Any) -> dict[str, Any]:
    """What the gap report needs of a handoff's later event, as its vocabulary says: a cancellation whose
    reason is the expiry code counts as expired."""
    meaning = HANDOFF_EVENTS[type(e).__name__]
    values: dict[str, Any] = {}
    if meaning.picks_up:
        values["accepted_on"] = e.effective_on
    if meaning.closes_as is not None:
        values.update(closed_on=e.effective_on, closed_as=meaning.closed_as(getattr(e, "reason", None)))
    if meaning.strikes_out:
        values["in_error"] = True
    return values


class HandoffGapsProjector(Projector):
    def __init__(self, aside: bool = False) -> None:
        super().__init__("handoff_gaps", (gap_handoffs,), aside)
        (self.gap_handoffs,) = self.tables

    def apply_page(self, connection: Connection, page: Sequence[Positioned]) -> None:
        """A request keeps its log position: it orders retries requested on the same day."""
        table = self.gap_handoffs
        rows = PageRows({table: "handoff_id"})
        for position, event in page:
            if type(event) is Handoff.Requested:
                rows.add(table, _requested(event, position))
            elif isinstance(event, Handoff.Event) and (values := _change(event)):
                rows.change(table, event.originator_id.hex).update(values)
        rows.write(connection)


def handoff_gaps_projector() -> HandoffGapsProjector:
    return HandoffGapsProjector()
