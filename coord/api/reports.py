"""/reports: live counts, Built for Zero monthly metrics, functional zero and handoff gaps, as JSON or CSV.

For the backbone, auditors and admins. Rows come from coord/service/reports.py; this module only picks the
format.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from coord.api.http import caller, coord
from coord.api.report_schemas import (
    CountsSchema,
    FormatSchema,
    FunctionalZeroQuerySchema,
    FunctionalZeroSchema,
    HandoffGapsQuerySchema,
    HandoffGapsSchema,
    MonthlyQuerySchema,
    MonthlySchema,
)
from coord.report_formats import Report
from coord.service import reports

blp = Blueprint("reports", __name__, url_prefix="/reports", description="Population counts and outcome reports")

CSV_DOC = {"responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


def _answer(report: Report, query: dict[str, Any]) -> Any:
    if query["format"] == "csv":
        return Response(report.as_csv(), mimetype="text/csv")
    return report.as_json()


@blp.route("/counts")
class Counts(MethodView):
    @blp.arguments(FormatSchema, location="query")
    @blp.response(200, CountsSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Active persons per population now (live)"""
        return _answer(reports.counts(coord(), caller()), query)


@blp.route("/monthly")
class Monthly(MethodView):
    @blp.arguments(MonthlyQuerySchema, location="query")
    @blp.response(200, MonthlySchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Built for Zero monthly metrics per population and month (default: the last 12 months)"""
        report = reports.monthly_report(
            coord(), caller(), first=query.get("from_"), last=query.get("to"), population=query.get("population")
        )
        return _answer(report, query)


@blp.route("/functional-zero")
class FunctionalZero(MethodView):
    @blp.arguments(FunctionalZeroQuerySchema, location="query")
    @blp.response(200, FunctionalZeroSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Functional zero per population for a month: threshold, reached, brief, streak"""
        return _answer(reports.functional_zero_report(coord(), caller(), month=query.get("month")), query)


@blp.route("/handoff-gaps")
class HandoffGaps(MethodView):
    @blp.arguments(HandoffGapsQuerySchema, location="query")
    @blp.response(200, HandoffGapsSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Handoff gaps per to-service, stage pair and month of first request, optionally cut"""
        report = reports.handoff_gaps_report(
            coord(),
            caller(),
            first=query.get("from_"),
            last=query.get("to"),
            as_of=query.get("as_of"),
            window_days=query.get("window_days"),
            by=query.get("by"),
        )
        return _answer(report, query)
