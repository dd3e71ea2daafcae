"""Representations of what one reader may see: the application service decides what is shown (privacy.py);
these only lay it out."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from coord.api.errors import UNAVAILABLE
from coord.api.http import coord, tag
from coord.service.principal import Principal
from coord.service.privacy import SeenHandoff, SeenPerson
from events.attributes import PERSON_ATTRIBUTES
from events.handoff import Handoff
from events.person import Person
from events.pii import PERSON_PII_FIELDS, REDACTED
from events.service import Service


def person_view(seen: SeenPerson) -> dict[str, Any]:
    person, revealed, erased = seen.person, seen.pii, seen.erased
    if revealed is not None:
        pii: dict[str, str | None] = {name: revealed.get(name) for name in PERSON_PII_FIELDS}
    elif erased:
        pii = dict.fromkeys(PERSON_PII_FIELDS, REDACTED)
    else:
        pii = {name: REDACTED if name in person.pii else None for name in PERSON_PII_FIELDS}
    return {
        "id": str(person.id),
        "version": person.version,
        "agency": person.agency,
        "status": person.status,
        "identified_on": person.identified_on,
        "last_contact_on": person.last_contact_on,
        "last_transition_on": person.last_transition_on,
        "inactive_reason": person.inactive_reason,
        "destination": person.destination,
        "populations": sorted(person.populations),
        # The stated attributes only: the derived birth month is kept for reports, never shown.
        **{name: value for name, value in person.attributes.items() if name in PERSON_ATTRIBUTES},
        "erased": erased,
        "pii_visible": revealed is not None,
        **pii,
        "consents": [{"id": consent_id, **consent} for consent_id, consent in person.consents.items()],
        "outcomes": [
            {"version": version, **vars(entry.data), "effective_on": entry.effective_on}
            for version, entry in person.outcomes.items()
        ],
    }


def handoff_view(seen: SeenHandoff) -> dict[str, Any]:
    """Reasons and outcomes are codes (clear); the notes are personal data, [redacted] where not seen."""
    handoff, note = seen.handoff, seen.note

    def sealed(name: str) -> str | None:
        shown = seen.notes.get(name)
        return shown if shown is not None else (REDACTED if getattr(handoff, name) is not None else None)

    return {
        "id": str(handoff.id),
        "version": handoff.version,
        "person_id": str(handoff.person_id),
        "episode_id": str(handoff.episode_id),
        "from_service_id": str(handoff.from_service_id) if handoff.from_service_id else None,
        "to_service_id": str(handoff.to_service_id),
        "agency": handoff.agency,
        "status": handoff.status,
        "priority": handoff.priority,
        "requested_on": handoff.requested_on,
        "due_on": handoff.due_on,
        "last_transition_on": handoff.last_transition_on,
        "accepted_on": handoff.accepted_on,
        "reason": handoff.reason,
        "reason_note": sealed("reason_note"),
        "outcome": handoff.outcome,
        "outcome_note": sealed("outcome_note"),
        "note": note if note is not None else (REDACTED if handoff.note is not None else None),
    }


def service_view(service: Service) -> dict[str, Any]:
    return {
        "id": str(service.id),
        "version": service.version,
        "name": service.name,
        "agency": service.agency,
        "stage": service.stage,
        "handoff_window_days": service.handoff_window_days,
    }


def tagged(view: dict[str, Any]) -> dict[str, Any]:
    tag(view["version"])
    return view


def shown_person(who: Principal, person: Person, purpose: str) -> dict[str, Any]:
    """The person a command returned, as this reader may see them. The write has committed, so a store that
    cannot open or log personal data just now leaves it out (redacted) rather than fail a stored write."""
    try:
        seen = coord().service.privacy.see_person(who, person, purpose)
    except UNAVAILABLE:
        seen = SeenPerson(person, None, person.erased)
    return tagged(person_view(seen))


def shown_handoff(who: Principal, handoff: Handoff, purpose: str) -> dict[str, Any]:
    """As `shown_person`: without its note rather than failing a stored write."""
    try:
        seen = coord().service.privacy.see_handoff(who, handoff, purpose)
    except UNAVAILABLE:
        seen = SeenHandoff(handoff, None)
    return tagged(handoff_view(seen))


def render_person(who: Principal, person_id: str, version: int, purpose: str) -> dict[str, Any]:
    return tagged(person_view(coord().service.read_person(who, UUID(person_id), purpose, version)))


def render_handoff(who: Principal, handoff_id: str, version: int, purpose: str) -> dict[str, Any]:
    return tagged(handoff_view(coord().service.read_handoff(who, UUID(handoff_id), purpose, version)))


def render_service(who: Principal, service_id: str, version: int) -> dict[str, Any]:
    return tagged(service_view(coord().service.read_service(who, UUID(service_id), version)))
