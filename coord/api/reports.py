"""/reports: live counts, Built for Zero monthly metrics, functional zero and handoff gaps, as JSON or CSV.

For the backbone, auditors and admins. Rows come from coord/reports.py; this module only picks the format.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from coord.api.http import caller, coord
from coord.api.report_schemas import CountsSchema, FunctionalZeroSchema, HandoffGapsSchema, MonthlySchema
from coord.service import reports
from events.populations import POPULATIONS

blp = Blueprint("reports", __name__, url_prefix="/reports", description="Population counts and outcome reports")

MONTH = fields.String(
    validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="a month is written YYYY-MM, e.g. 2026-01"),
    metadata={"example": "2026-01"},
)
CSV_DOC = {"responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


class FormatSchema(Schema):
    format = fields.String(
        load_default="json", validate=validate.OneOf(("json", "csv")), metadata={"description": "json or csv"}
    )


class MonthlyQuerySchema(FormatSchema):
    from_ = fields.String(data_key="from", validate=MONTH.validate, metadata={"description": "first month, YYYY-MM"})
    to = fields.String(validate=MONTH.validate, metadata={"description": "last month, YYYY-MM (default: this one)"})
    population = fields.String(validate=validate.OneOf(POPULATIONS))


class FunctionalZeroQuerySchema(FormatSchema):
    month = fields.String(
        validate=MONTH.validate, metadata={"description": "YYYY-MM (default: the last complete month)"}
    )


class HandoffGapsQuerySchema(FormatSchema):
    from_ = fields.String(data_key="from", validate=MONTH.validate, metadata={"description": "first month of t0"})
    to = fields.String(validate=MONTH.validate, metadata={"description": "last month of t0"})
    as_of = fields.Date(metadata={"description": "the report date (default: today)"})
    window_days = fields.Integer(
        validate=validate.Range(min=1, max=365), metadata={"description": "default: each to-service's window"}
    )
    by = fields.String(validate=validate.OneOf(reports.CUTS), metadata={"description": "cut, small cells suppressed"})


def _answer(report: reports.Report, query: dict[str, Any]) -> Any:
    if query["format"] == "csv":
        return Response(report.as_csv(), mimetype="text/csv")
    return report.as_json()


def _month(query: dict[str, Any], name: str) -> Any:
    value = query.get(name)
    return reports.parse_month(value, name.rstrip("_")) if value else None


@blp.route("/counts")
class Counts(MethodView):
    @blp.arguments(FormatSchema, location="query")
    @blp.response(200, CountsSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Active persons per population now (live)"""
        reports.require_reader(caller())
        return _answer(reports.counts(coord()), query)


@blp.route("/monthly")
class Monthly(MethodView):
    @blp.arguments(MonthlyQuerySchema, location="query")
    @blp.response(200, MonthlySchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Built for Zero monthly metrics per population and month (default: the last 12 months)"""
        reports.require_reader(caller())
        report = reports.monthly_report(
            coord(), first=_month(query, "from_"), last=_month(query, "to"), population=query.get("population")
        )
        return _answer(report, query)


@blp.route("/functional-zero")
class FunctionalZero(MethodView):
    @blp.arguments(FunctionalZeroQuerySchema, location="query")
    @blp.response(200, FunctionalZeroSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Functional zero per population for a month: threshold, reached, brief, streak"""
        reports.require_reader(caller())
        return _answer(reports.functional_zero_report(coord(), month=_month(query, "month")), query)


@blp.route("/handoff-gaps")
class HandoffGaps(MethodView):
    @blp.arguments(HandoffGapsQuerySchema, location="query")
    @blp.response(200, HandoffGapsSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Handoff gaps per to-service, stage pair and month of first request, optionally cut"""
        reports.require_reader(caller())
        report = reports.handoff_gaps_report(
            coord(),
            first=_month(query, "from_"),
            last=_month(query, "to"),
            as_of=query.get("as_of"),
            window_days=query.get("window_days"),
            by=query.get("by"),
        )
        return _answer(report, query)
