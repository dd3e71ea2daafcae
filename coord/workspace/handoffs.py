"""The handoff queues and a handoff's page: incoming for the agency's services (overdue first, due date
visible) with the moves the receiving side makes; outgoing with their state, so the sender sees the loop close."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, redirect

from coord.api.http import coord
from coord.api.schemas import HandoffTransitionSchema
from coord.errors import ForbiddenError
from coord.service import permissions
from coord.service.privacy import SeenHandoff
from coord.workspace.persons import label
from coord.workspace.views import bp, check, given, page, purpose, refusal, signed_in, typed, version, who
from coord.workspace.words import HANDOFF_MOVES
from events.dates import today
from events.errors import DomainError
from events.handoff_vocabulary import HANDOFF_EVENTS
from events.vocabulary import move_from


def _services() -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in coord().service.list_services(who())}


def _row(seen: SeenHandoff, services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    handoff = seen.handoff
    person = coord().service.read_person(who(), handoff.person_id, purpose())
    unknown = {"name": "(unknown service)", "agency": ""}
    meaning = HANDOFF_EVENTS[_event_to(handoff.status)]
    return {
        "id": str(handoff.id),
        "person_id": str(handoff.person_id),
        "person": label(person),
        "from": services.get(str(handoff.from_service_id)) if handoff.from_service_id else None,
        "to": services.get(str(handoff.to_service_id), unknown),
        "status": handoff.status,
        "priority": handoff.priority,
        "requested_on": handoff.requested_on,
        "due_on": handoff.due_on,
        "overdue": meaning.awaits_answer and handoff.due_on < today(),
        "reason": handoff.reason,
        "outcome": handoff.outcome,
        "version": handoff.version,
    }


def _event_to(status: str) -> str:
    """The first event leading to `status`: the one whose meaning says whether the status awaits an answer."""
    return next(name for name, meaning in HANDOFF_EVENTS.items() if meaning.leads_to == status)


@bp.get("/handoffs")
@signed_in
def queues():
    services = _services()
    incoming = [_row(seen, services) for seen in coord().service.handoff_queue(who(), purpose(), incoming=True)]
    outgoing = [_row(seen, services) for seen in coord().service.handoff_queue(who(), purpose(), incoming=False)]
    return page("workspace/handoffs.html", incoming=incoming, outgoing=outgoing)


@bp.get("/handoffs/<uuid:handoff_id>")
@signed_in
def handoff(handoff_id: UUID):
    return handoff_page(handoff_id)


def handoff_page(handoff_id: UUID, status: int = 200, *, errors=None, values=None):
    seen = coord().service.read_handoff(who(), handoff_id, purpose())
    moves = [_move(seen, to) for to in HANDOFF_MOVES if _may_move(seen, to)]
    return page(
        "workspace/handoff.html",
        status,
        handoff=_row(seen, _services()),
        note=seen.note,
        notes=seen.notes,
        moves=moves,
        errors=errors or {},
        values=values or {},
        today=today(),
    )


def _may_move(seen: SeenHandoff, to: str) -> bool:
    """A move the vocabulary allows from here and the service's rule lets this reader make."""
    handoff = seen.handoff
    if move_from(HANDOFF_EVENTS, handoff.status, to) is None:
        return False
    try:
        permissions.require_handoff_move(who(), handoff, to, lambda i: coord().service.read_service(who(), i).agency)
    except ForbiddenError:
        return False
    return True


def _move(seen: SeenHandoff, to: str) -> dict[str, Any]:
    meaning = HANDOFF_EVENTS[move_from(HANDOFF_EVENTS, seen.handoff.status, to) or ""]
    return {
        "to": to,
        "button": HANDOFF_MOVES[to],
        "reasons": meaning.reasons,
        "reason_required": meaning.needs_reason,
        "outcomes": meaning.outcomes,
        "dated": to != "entered_in_error",
    }


@bp.post("/handoffs/<uuid:handoff_id>/moves")
@signed_in
def move_handoff(handoff_id: UUID):
    values = typed()
    back = values.pop("back", "")
    data, errors = check(HandoffTransitionSchema(), given(values))
    status = 422
    if not errors:
        try:
            handoff = coord().service.transition_handoff(
                who(),
                handoff_id,
                to=data["to"],
                effective_on=data.get("effective_on") or today(),
                reason=data.get("reason"),
                outcome=data.get("outcome"),
                reason_note=data.get("reason_note"),
                outcome_note=data.get("outcome_note"),
                expected_version=version(),
            )
        except DomainError as error:
            status, errors = refusal(error, values)
        else:
            flash(f"Handoff {handoff.status.replace('_', ' ')}.")
            target = "/workspace/handoffs" if back == "queue" else f"/workspace/handoffs/{handoff_id}"
            return redirect(target, code=303)
    to = values.get("to", "")
    return handoff_page(handoff_id, status, errors={to: errors}, values={to: values})
