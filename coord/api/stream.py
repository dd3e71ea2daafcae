"""/stream: Server-Sent Events carrying the live counts whenever they change, heartbeats otherwise.

Each open stream holds one server thread, so a process serves a bounded number of them; past that
the answer is 503 with Retry-After. Headers keep proxies from buffering the stream.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from coord.api.http import caller, coord
from coord.errors import UnavailableError
from coord.report_formats import Report
from coord.service import reports
from coord.service.principal import Principal
from coord.wiring import Coord

blp = Blueprint("stream", __name__, url_prefix="/stream", description="Live counts as Server-Sent Events")

HEARTBEAT_SECONDS = 15.0
STREAM_DOC = {
    "responses": {
        "200": {
            "description": "`event: counts` with the counts report as data, whenever the counts change "
            "(and once on connecting); a `: heartbeat` comment line otherwise",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    }
}


@blp.route("")
class Stream(MethodView):
    @blp.doc(**STREAM_DOC)
    def get(self) -> Response:
        """Live counts per population as Server-Sent Events"""
        this, who = coord(), caller()
        # Read once before the stream opens, so a caller who may not read reports is refused with a 403.
        seen, counts = this.changes.generation, reports.counts(this, who)
        if not this.streams.acquire(blocking=False):
            raise UnavailableError("every stream slot of this server is taken; try again shortly")
        heartbeat = current_app.config.get("COORD_STREAM_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return Response(_events(this, who, seen, counts, heartbeat), mimetype="text/event-stream", headers=headers)


def _events(this: Coord, who: Principal, seen: int, report: Report, heartbeat: float) -> Iterator[str]:
    """`report`: the counts as they were at generation `seen` of the changes."""
    try:
        yield "retry: 3000\n\n"  # how long a disconnected browser waits before reconnecting
        shown, sent_at = None, time.monotonic()
        while True:
            counts = report.as_json()
            if (counts["as_of"], counts["rows"]) != shown:
                shown = (counts["as_of"], counts["rows"])
                yield f"event: counts\nid: {counts['position']}\ndata: {json.dumps(counts)}\n\n"
                sent_at = time.monotonic()
            elif time.monotonic() - sent_at >= heartbeat:
                yield ": heartbeat\n\n"
                sent_at = time.monotonic()
            seen = this.changes.wait(seen, max(0.0, sent_at + heartbeat - time.monotonic()))
            if this.stopping.is_set():
                return
            report = reports.counts(this, who)
    finally:
        this.streams.release()
