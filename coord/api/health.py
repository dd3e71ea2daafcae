"""/healthz (the process answers) and /readyz (the store answers and projections keep up), outside /api/v1.

/readyz also says since when the live counts are stale (`counts_stale_since`), but stays ready: an API
whose projector is down still takes writes, and the counts catch up when the projector is back."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from coord.api.errors import error_response
from coord.api.http import coord
from coord.service.staleness import counts_staleness, iso

bp = Blueprint("health", __name__)

#: Readiness fails when the read models are this many events behind the log.
MAX_LAG = 10_000


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    with coord().db.read() as connection:
        connection.execute(text("SELECT 1"))
    lag = coord().service.projections.lag()
    if lag > MAX_LAG:
        return error_response(503, f"projections are {lag} events behind", headers={"Retry-After": "5"})
    stale = counts_staleness(coord())
    return jsonify(status="ready", projection_lag=lag, counts_stale_since=iso(stale.since))
