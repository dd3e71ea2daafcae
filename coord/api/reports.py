"""/reports: live counts, Built for Zero monthly metrics, month close and the BFZ submission, functional zero,
handoff gaps, outcomes, the equity view and the cradle-to-career path, as JSON or CSV.

For the backbone, auditors and admins (closing a month: the backbone and admins). Rows come from
coord/service/reports.py, submissions.py and pathway.py; this module only picks the format.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from coord.api.http import POST_HEADERS, caller, coord, idempotent
from coord.api.report_queries import (
    BfzQuerySchema,
    CountsQuerySchema,
    EquityQuerySchema,
    FunctionalZeroQuerySchema,
    HandoffGapsQuerySchema,
    MonthCloseSchema,
    MonthlyQuerySchema,
    OutcomesQuerySchema,
    PathwayQuerySchema,
)
from coord.api.report_schemas import (
    BfzSchema,
    CountsSchema,
    EquitySchema,
    FunctionalZeroSchema,
    HandoffGapsSchema,
    MonthlySchema,
    OutcomesSchema,
    PathwaySchema,
    SubmissionSchema,
)
from coord.report_formats import Report, plain
from coord.service import pathway, reports, submissions
from events.submission import MonthlySubmission

blp = Blueprint("reports", __name__, url_prefix="/reports", description="Population counts and outcome reports")

CSV_DOC = {"responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


def _answer(report: Report, query: dict[str, Any]) -> Any:
    if query["format"] == "csv":
        return Response(report.as_csv(), mimetype="text/csv")
    return report.as_json()


@blp.route("/counts")
class Counts(MethodView):
    @blp.arguments(CountsQuerySchema, location="query")
    @blp.response(200, CountsSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Active persons per population now (live), optionally cut"""
        return _answer(reports.counts(coord(), caller(), by=query.get("by")), query)


@blp.route("/monthly")
class Monthly(MethodView):
    @blp.arguments(MonthlyQuerySchema, location="query")
    @blp.response(200, MonthlySchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Built for Zero monthly metrics per population and month (default: the last 12 months)"""
        report = reports.monthly_report(
            coord(),
            caller(),
            first=query.get("from_"),
            last=query.get("to"),
            population=query.get("population"),
            revisions=query.get("revisions", False),
            by=query.get("by"),
        )
        return _answer(report, query)


def submission_view(submission: MonthlySubmission) -> dict[str, Any]:
    """The submission that `submission`'s version recorded: the latest one it holds."""
    header = {"id": str(submission.id), "version": submission.version, "month": submission.month}
    return plain({**header, **submission.latest})


def _render(submission_id: str, version: int) -> dict[str, Any]:
    return submission_view(submissions.read_submission(coord(), caller(), UUID(submission_id), version))


@blp.route("/monthly/close")
class MonthClose(MethodView):
    @blp.arguments(MonthCloseSchema)
    @blp.response(201, SubmissionSchema)
    @blp.doc(parameters=POST_HEADERS)
    @idempotent("submission", _render)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Close a month: record its monthly metrics as submitted to Built for Zero (again: a resubmission)"""
        return submission_view(submissions.close_month(coord(), caller(), data["month"]))


@blp.route("/bfz")
class Bfz(MethodView):
    @blp.arguments(BfzQuerySchema, location="query")
    @blp.response(200, BfzSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """The Built for Zero submission for a month: monthly metrics per population, previous month, balance"""
        return _answer(reports.bfz_report(coord(), caller(), month=query.get("month")), query)


@blp.route("/functional-zero")
class FunctionalZero(MethodView):
    @blp.arguments(FunctionalZeroQuerySchema, location="query")
    @blp.response(200, FunctionalZeroSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Functional zero per population for a month: threshold, reached, brief, streak"""
        return _answer(reports.functional_zero_report(coord(), caller(), month=query.get("month")), query)


def _episodes(query: dict[str, Any]) -> dict[str, Any]:
    """The parameters of a report on handoff episodes (EpisodesQuerySchema), as the service names them."""
    return {
        "first": query.get("from_"),
        "last": query.get("to"),
        "as_of": query.get("as_of"),
        "window_days": query.get("window_days"),
    }


@blp.route("/handoff-gaps")
class HandoffGaps(MethodView):
    @blp.arguments(HandoffGapsQuerySchema, location="query")
    @blp.response(200, HandoffGapsSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Handoff gaps per to-service, stage pair and month of first request, optionally cut"""
        report = reports.handoff_gaps_report(coord(), caller(), **_episodes(query), by=query.get("by"))
        return _answer(report, query)


@blp.route("/pathway")
class Pathway(MethodView):
    @blp.arguments(PathwayQuerySchema, location="query")
    @blp.response(200, PathwaySchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """The cradle-to-career path: persons served per stage, and the stage-to-stage funnel of episodes"""
        report = pathway.pathway_report(coord(), caller(), **_episodes(query))
        return _answer(report, query)


@blp.route("/outcomes")
class Outcomes(MethodView):
    @blp.arguments(OutcomesQuerySchema, location="query")
    @blp.response(200, OutcomesSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Cradle-to-career outcomes per indicator and school or calendar year: assessed, met, rate; optionally cut"""
        report = reports.outcomes_report(
            coord(),
            caller(),
            period=query.get("period"),
            first=query.get("from_"),
            last=query.get("to"),
            indicator=query.get("indicator"),
            by=query.get("by"),
        )
        return _answer(report, query)


@blp.route("/equity")
class Equity(MethodView):
    @blp.arguments(EquityQuerySchema, location="query")
    @blp.response(200, EquitySchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Each cut value's share of a population's actively homeless, housing placements and returns"""
        report = reports.equity_report(
            coord(),
            caller(),
            population=query.get("population"),
            first=query.get("from_"),
            last=query.get("to"),
            by=query.get("by"),
        )
        return _answer(report, query)
