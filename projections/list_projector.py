"""The list projector: one row per person, service and handoff, for the filtered listings of the API.

Rows hold only clear attributes; they are keyed by aggregate id and carry its version (the ETag). A page
is written in a few statements (projections/batch.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, case

from events.handoff import Handoff
from events.person import Person
from events.service import Service
from projections.batch import PageRows
from projections.runner import Positioned, Projector
from projections.tables import handoffs, persons, services

#: A function of an event giving the columns it sets on its aggregate's row.
Change = Callable[[Any], dict[str, Any]]


def _identified(e: Person.Identified) -> dict[str, Any]:
    return {
        "id": e.originator_id.hex,
        "agency": e.agency,
        "status": "active",
        "identified_on": e.effective_on,
        "last_contact_on": e.effective_on,
        "last_transition_on": e.effective_on,
        "household_type": e.attributes["household_type"],
        "veteran": e.attributes["veteran"],
        "chronic": bool(e.attributes.get("chronic", False)),
        "erased": False,
        "version": e.originator_version,
    }


def _registered(e: Service.Registered) -> dict[str, Any]:
    return {
        "id": e.originator_id.hex,
        "name": e.name,
        "agency": e.agency,
        "stage": e.stage,
        "handoff_window_days": e.handoff_window_days,
        "version": e.originator_version,
    }


def _requested(e: Handoff.Requested) -> dict[str, Any]:
    return {
        "id": e.originator_id.hex,
        "person_id": e.person_id.hex,
        "episode_id": e.episode_id.hex,
        "from_service_id": e.from_service_id.hex if e.from_service_id else None,
        "to_service_id": e.to_service_id.hex,
        "agency": e.agency,
        "status": "requested",
        "priority": e.priority,
        "requested_on": e.requested_on,
        "due_on": e.due_on,
        "last_transition_on": e.requested_on,
        "version": e.originator_version,
    }


def _moved(status: str) -> Change:
    return lambda e: {"status": status, "last_transition_on": e.effective_on}


def _attributes_changed(e: Person.AttributesChanged) -> dict[str, Any]:
    return {k: e.attributes[k] for k in ("household_type", "veteran", "chronic") if k in e.attributes}


HANDOFF_MOVES = {
    Handoff.Accepted: "accepted",
    Handoff.Rejected: "rejected",
    Handoff.Cancelled: "cancelled",
    Handoff.Started: "in_progress",
    Handoff.PutOnHold: "on_hold",
    Handoff.Resumed: "in_progress",
    Handoff.Completed: "completed",
    Handoff.Failed: "failed",
    Handoff.EnteredInError: "entered_in_error",
}
NEW_ROWS: dict[type, tuple[Table, Callable[[Any], dict[str, Any]]]] = {
    Person.Identified: (persons, _identified),
    Service.Registered: (services, _registered),
    Handoff.Requested: (handoffs, _requested),
}
CHANGES: dict[type, tuple[Table, Change]] = {
    Person.ContactRecorded: (persons, lambda e: {"last_contact_on": e.effective_on}),
    Person.Housed: (persons, _moved("housed")),
    Person.MarkedInactive: (persons, _moved("inactive")),
    Person.ReturnedFromHousing: (persons, _moved("active")),
    Person.ReturnedFromInactive: (persons, _moved("active")),
    Person.AttributesChanged: (persons, _attributes_changed),
    Person.ConsentRecorded: (persons, lambda e: {}),
    Person.ConsentRevoked: (persons, lambda e: {}),
    Person.Erased: (persons, lambda e: {"erased": True}),
    **{cls: (handoffs, _moved(status)) for cls, status in HANDOFF_MOVES.items()},
}


class ListsProjector(Projector):
    def __init__(self) -> None:
        super().__init__("lists", (persons, services, handoffs))

    def apply_page(self, connection: Connection, page: Sequence[Positioned]) -> None:
        rows = PageRows({persons: "id", services: "id", handoffs: "id"}, {"last_contact_on": _latest})
        for _position, event in page:
            if type(event) in NEW_ROWS:
                table, row = NEW_ROWS[type(event)]
                rows.add(table, row(event))
            elif type(event) in CHANGES:
                table, change = CHANGES[type(event)]
                merged, values = rows.change(table, event.originator_id.hex), change(event)
                if "last_contact_on" in merged and "last_contact_on" in values:
                    values["last_contact_on"] = max(values["last_contact_on"], merged["last_contact_on"])
                merged.update(values, version=event.originator_version)
        rows.write(connection)


def _latest(column: Any, seen: Any) -> Any:
    """A back-dated contact must not make the person look less recently seen."""
    return case((column < seen, seen), else_=column)


def lists_projector() -> ListsProjector:
    return ListsProjector()
