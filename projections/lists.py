"""The list projector: one row per person, service and handoff, for the filtered listings of the API.

Rows hold only clear attributes; they are keyed by aggregate id and carry its version (the ETag).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, case, insert, update

from events.handoff import Handoff
from events.person import Person
from events.service import Service
from projections.runner import Projector
from projections.tables import handoffs, persons, services


def _person_row(connection: Connection, event: Any, **values: Any) -> None:
    connection.execute(
        update(persons)
        .where(persons.c.id == event.originator_id.hex)
        .values(version=event.originator_version, **values)
    )


def _identified(connection: Connection, e: Person.Identified) -> None:
    connection.execute(
        insert(persons).values(
            id=e.originator_id.hex,
            agency=e.agency,
            status="active",
            identified_on=e.effective_on,
            last_contact_on=e.effective_on,
            last_transition_on=e.effective_on,
            household_type=e.attributes["household_type"],
            veteran=e.attributes["veteran"],
            chronic=bool(e.attributes.get("chronic", False)),
            erased=False,
            version=e.originator_version,
        )
    )


def _contact(connection: Connection, e: Person.ContactRecorded) -> None:
    latest = case((persons.c.last_contact_on < e.effective_on, e.effective_on), else_=persons.c.last_contact_on)
    _person_row(connection, e, last_contact_on=latest)


def _moved(status: str):
    def handler(connection: Connection, e: Any) -> None:
        _person_row(connection, e, status=status, last_transition_on=e.effective_on)

    return handler


def _attributes_changed(connection: Connection, e: Person.AttributesChanged) -> None:
    changed = {k: e.attributes[k] for k in ("household_type", "veteran", "chronic") if k in e.attributes}
    _person_row(connection, e, **changed)


def _erased(connection: Connection, e: Person.Erased) -> None:
    _person_row(connection, e, erased=True)


def _version_only(connection: Connection, e: Any) -> None:
    _person_row(connection, e)


def _registered(connection: Connection, e: Service.Registered) -> None:
    connection.execute(
        insert(services).values(
            id=e.originator_id.hex,
            name=e.name,
            agency=e.agency,
            stage=e.stage,
            handoff_window_days=e.handoff_window_days,
            version=e.originator_version,
        )
    )


def _requested(connection: Connection, e: Handoff.Requested) -> None:
    connection.execute(
        insert(handoffs).values(
            id=e.originator_id.hex,
            person_id=e.person_id.hex,
            episode_id=e.episode_id.hex,
            from_service_id=e.from_service_id.hex if e.from_service_id else None,
            to_service_id=e.to_service_id.hex,
            agency=e.agency,
            status="requested",
            priority=e.priority,
            requested_on=e.requested_on,
            due_on=e.due_on,
            last_transition_on=e.requested_on,
            version=e.originator_version,
        )
    )


def _handoff_moved(status: str):
    def handler(connection: Connection, e: Any) -> None:
        connection.execute(
            update(handoffs)
            .where(handoffs.c.id == e.originator_id.hex)
            .values(status=status, last_transition_on=e.effective_on, version=e.originator_version)
        )

    return handler


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


def lists_projector() -> Projector:
    return Projector(
        "lists",
        (persons, services, handoffs),
        {
            Person.Identified: _identified,
            Person.ContactRecorded: _contact,
            Person.Housed: _moved("housed"),
            Person.MarkedInactive: _moved("inactive"),
            Person.ReturnedFromHousing: _moved("active"),
            Person.ReturnedFromInactive: _moved("active"),
            Person.AttributesChanged: _attributes_changed,
            Person.ConsentRecorded: _version_only,
            Person.ConsentRevoked: _version_only,
            Person.Erased: _erased,
            Service.Registered: _registered,
            Handoff.Requested: _requested,
            **{cls: _handoff_moved(status) for cls, status in HANDOFF_MOVES.items()},
        },
    )
