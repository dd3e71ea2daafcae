"""Representations of aggregates for one reader: personal data only where that reader may see it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from coord.api.http import coord, tag
from coord.service.principal import Principal
from events.handoff import Handoff
from events.person import Person
from events.pii import PERSON_PII_FIELDS, REDACTED
from events.service import Service


def person_view(who: Principal, person: Person, purpose: str, erased_since: bool = False) -> dict[str, Any]:
    """`erased_since`: the person was erased after this (older) version, as in an idempotent replay."""
    revealed = coord().service.reveal_person(who, person, purpose)
    erased = person.erased or erased_since
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
        **person.attributes,
        "erased": erased,
        "pii_visible": revealed is not None,
        **pii,
        "consents": [{"id": consent_id, **consent} for consent_id, consent in person.consents.items()],
    }


def handoff_view(who: Principal, handoff: Handoff, purpose: str) -> dict[str, Any]:
    note = coord().service.reveal_note(who, handoff, purpose)
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
        "outcome": handoff.outcome,
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


def render_person(who: Principal, person_id: str, version: int, purpose: str) -> dict[str, Any]:
    person = coord().service.get_person(UUID(person_id), version)
    erased_since = coord().service.keystore.is_erased(person.id)
    return tagged(person_view(who, person, purpose, erased_since))


def render_handoff(who: Principal, handoff_id: str, version: int, purpose: str) -> dict[str, Any]:
    return tagged(handoff_view(who, coord().service.get_handoff(UUID(handoff_id), version), purpose))


def render_service(service_id: str, version: int) -> dict[str, Any]:
    return tagged(service_view(coord().service.get_service(UUID(service_id), version)))
