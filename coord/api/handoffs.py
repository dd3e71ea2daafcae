"""/handoffs: closed-loop referrals from one service to the next."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint

from coord.api.http import POST_HEADERS, WRITE_HEADERS, caller, coord, expected_version, idempotent, purpose
from coord.api.representations import handoff_view, render_handoff, shown_handoff, tagged
from coord.api.schemas import (
    HandoffCreateSchema,
    HandoffPageSchema,
    HandoffQuerySchema,
    HandoffSchema,
    HandoffTransitionSchema,
)
from events.dates import today

blp = Blueprint("handoffs", __name__, url_prefix="/handoffs", description="Handoffs between services")


def _render(handoff_id: str, version: int) -> dict[str, Any]:
    return render_handoff(caller(), handoff_id, version, purpose())


@blp.route("")
class Handoffs(MethodView):
    @blp.arguments(HandoffQuerySchema, location="query")
    @blp.response(200, HandoffPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List handoffs (filters: status, to_service, overdue), a page at a time"""
        seen, next_after = coord().service.list_handoffs(caller(), purpose(), **query)
        return {"items": [handoff_view(h) for h in seen], "next_after": str(next_after) if next_after else None}

    @blp.arguments(HandoffCreateSchema)
    @blp.response(201, HandoffSchema)
    @blp.doc(parameters=POST_HEADERS)
    @idempotent("handoff", _render)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Request a handoff of a person to a service"""
        who = caller()
        data["requested_on"] = data.get("requested_on") or today()
        handoff = coord().service.request_handoff(who, **data)
        return shown_handoff(who, handoff, purpose())


@blp.route("/<uuid:handoff_id>")
class HandoffResource(MethodView):
    @blp.response(200, HandoffSchema)
    def get(self, handoff_id: UUID) -> dict[str, Any]:
        """One handoff; the ETag is its version"""
        return tagged(handoff_view(coord().service.read_handoff(caller(), handoff_id, purpose())))


@blp.route("/<uuid:handoff_id>/transitions")
class HandoffTransitions(MethodView):
    @blp.arguments(HandoffTransitionSchema)
    @blp.response(201, HandoffSchema)
    @blp.doc(parameters=WRITE_HEADERS + POST_HEADERS)
    @idempotent("handoff", _render)
    def post(self, data: dict[str, Any], handoff_id: UUID) -> dict[str, Any]:
        """Move a handoff on: accepted, rejected, in_progress, on_hold, completed, failed, cancelled, entered_in_error"""  # noqa: E501 - one line: it is the OpenAPI summary
        who = caller()
        handoff = coord().service.transition_handoff(
            who,
            handoff_id,
            to=data["to"],
            effective_on=data.get("effective_on") or today(),
            reason=data.get("reason"),
            outcome=data.get("outcome"),
            reason_note=data.get("reason_note"),
            outcome_note=data.get("outcome_note"),
            expected_version=expected_version(),
        )
        return shown_handoff(who, handoff, purpose())
