"""/audit: the whole event history (personal data redacted) and the access log, for auditors and admins."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from coord import audit
from coord.api.http import caller, coord

blp = Blueprint("audit", __name__, url_prefix="/audit", description="The history and the access log, for auditors")


class PageQuerySchema(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0), metadata={"description": "a position"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class AccessQuerySchema(PageQuerySchema):
    person_id = fields.UUID(metadata={"description": "only reads of this person's data"})


class AuditEventSchema(Schema):
    position = fields.Integer()
    recorded_at = fields.String(metadata={"description": "when the event was written (UTC)"})
    type = fields.String(metadata={"example": "Person.Housed"})
    aggregate_id = fields.String()
    version = fields.Integer()
    effective_on = fields.String()
    actor = fields.String()
    agency = fields.String()
    data = fields.Dict(metadata={"description": "the event's other fields; personal data reads [redacted]"})


class AuditEventPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema))
    next_after = fields.Integer(allow_none=True, metadata={"description": "pass as ?after= for the next page"})


class AccessEntrySchema(Schema):
    id = fields.Integer()
    at = fields.String()
    actor = fields.String()
    role = fields.String()
    agency = fields.String(allow_none=True)
    person_id = fields.String()
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields")
    purpose = fields.String()


class AccessPageSchema(Schema):
    items = fields.List(fields.Nested(AccessEntrySchema))
    next_after = fields.Integer(allow_none=True)


class VerdictSchema(Schema):
    ok = fields.Boolean(required=True)
    checked = fields.Integer(metadata={"description": "events checked against the chain"})
    chained_to = fields.Integer(metadata={"description": "the last position the chain covers"})
    position = fields.Integer(allow_none=True, metadata={"description": "the first position found tampered with"})
    problem = fields.String(allow_none=True)


@blp.route("/events")
class AuditEvents(MethodView):
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, AuditEventPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Every stored event in log order, a page at a time (personal data redacted)"""
        audit.require_auditor(caller())
        return audit.events_page(coord(), **query)


@blp.route("/access-log")
class AccessLog(MethodView):
    @blp.arguments(AccessQuerySchema, location="query")
    @blp.response(200, AccessPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Who read whose personal data, when and why, a page at a time"""
        audit.require_auditor(caller())
        return audit.access_page(coord(), **query)


@blp.route("/verify")
class Verify(MethodView):
    @blp.response(200, VerdictSchema)
    def get(self) -> dict[str, Any]:
        """Recompute the hash chain from the stored events: ok, or the first position altered or removed"""
        audit.require_auditor(caller())
        return audit.verify(coord())
