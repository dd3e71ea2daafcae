"""/audit: the whole event history (personal data redacted) and the access log, for auditors and admins."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from coord.api.http import caller, coord
from coord.api.report_queries import Month, ParamsSchema
from coord.service import audit
from coord.service.replay import replay

blp = Blueprint("audit", __name__, url_prefix="/audit", description="The history and the access log, for auditors")


class PageQuerySchema(Schema):
    after = fields.Integer(
        load_default=0, validate=validate.Range(min=0, max=2**63 - 1), metadata={"description": "a position"}
    )
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
    last_position = fields.Integer(metadata={"description": "the last position of the log"})
    position = fields.Integer(allow_none=True, metadata={"description": "the first position found tampered with"})
    problem = fields.String(allow_none=True)
    checkpoints = fields.Integer(metadata={"description": "signed heads kept in the database, checked"})
    anchored_to = fields.Integer(metadata={"description": "the log is proven to extend a signed head up to here"})
    against = fields.Integer(allow_none=True, metadata={"description": "the position of the head given to check"})
    access_checked = fields.Integer(metadata={"description": "access-log entries checked against their chain"})
    access_last_id = fields.Integer(metadata={"description": "the access log's last entry"})
    access_anchored_to = fields.Integer(metadata={"description": "the access log is anchored up to this entry"})
    entry = fields.Integer(allow_none=True, metadata={"description": "the first access-log entry tampered with"})
    since = fields.Integer(
        metadata={"description": "incremental: the position of the signed head checked from (0: the whole log)"}
    )


class VerifyQuerySchema(ParamsSchema):
    incremental = fields.Boolean(
        load_default=False,
        metadata={
            "description": "check only what was recorded after the latest signed head in the database (its "
            "signature checked); the default checks the whole log"
        },
    )


class HeadSchema(Schema):
    position = fields.Integer(metadata={"description": "the event chain's head"})
    hash = fields.String(metadata={"description": "the chain's hash there (SHA-256, hex)"})
    at = fields.String(metadata={"description": "when it was signed (UTC)"})
    key_id = fields.String(metadata={"description": "fingerprint of the public key that checks the signature"})
    signature = fields.String(metadata={"description": "Ed25519 signature (hex)"})
    access_id = fields.Integer(allow_none=True, metadata={"description": "the access log's last entry"})
    access_hash = fields.String(allow_none=True, metadata={"description": "the access log's hash there"})


@blp.route("/events")
class AuditEvents(MethodView):
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, AuditEventPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Every stored event in log order, a page at a time (personal data redacted)"""
        return audit.events_page(coord(), caller(), **query)


@blp.route("/access-log")
class AccessLog(MethodView):
    @blp.arguments(AccessQuerySchema, location="query")
    @blp.response(200, AccessPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Who read whose personal data, when and why, a page at a time"""
        return audit.access_page(coord(), caller(), **query)


@blp.route("/verify")
class Verify(MethodView):
    @blp.arguments(VerifyQuerySchema, location="query")
    @blp.response(200, VerdictSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Recompute the hash chain from the stored events: ok, or the first position altered or removed"""
        return audit.verify(coord(), caller(), incremental=query["incremental"])


@blp.route("/checkpoints/latest")
class LatestCheckpoint(MethodView):
    @blp.response(200, HeadSchema)
    def get(self) -> dict[str, Any]:
        """The latest signed head (`coord checkpoint` makes them): keep it away from the database, to check the
        log against later with `coord verify --against`"""
        return audit.latest_checkpoint(coord(), caller())


class ReplayQuerySchema(ParamsSchema):
    recorded_before = fields.AwareDateTime(
        required=True,
        default_timezone=UTC,
        metadata={"description": "ISO 8601 moment (UTC unless it says otherwise), e.g. 2026-11-01T09:00:00Z"},
    )
    month = Month(metadata={"description": "YYYY-MM (default: that moment's)"})


class ReplaySchema(Schema):
    recorded_before = fields.String()
    events = fields.Integer(metadata={"description": "events recorded before the moment"})
    counts = fields.Dict(metadata={"description": "the live counts as they were: as_of and rows"})
    monthly = fields.Dict(metadata={"description": "the month's metrics as they were: month and rows"})


@blp.route("/replay")
class Replay(MethodView):
    @blp.arguments(ReplayQuerySchema, location="query")
    @blp.response(200, ReplaySchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Live counts and a month's metrics from only the events recorded before a moment"""
        return replay(coord(), caller(), recorded_before=query["recorded_before"], month=query.get("month"))
