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
from coord.service import reports
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
        reports.require_reader(caller())
        this = coord()
        if not this.streams.acquire(blocking=False):
            raise UnavailableError("every stream slot of this server is taken; try again shortly")
        heartbeat = current_app.config.get("COORD_STREAM_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return Response(_events(this, heartbeat), mimetype="text/event-stream", headers=headers)


def _events(this: Coord, heartbeat: float) -> Iterator[str]:
    try:
        yield "retry: 3000\n\n"  # how long a disconnected browser waits before reconnecting
        seen, shown, sent_at = this.changes.generation, None, time.monotonic()
        while not this.stopping.is_set():
            counts = reports.counts(this).as_json()
            if (counts["as_of"], counts["rows"]) != shown:
                shown = (counts["as_of"], counts["rows"])
                yield f"event: counts\nid: {counts['position']}\ndata: {json.dumps(counts)}\n\n"
                sent_at = time.monotonic()
            elif time.monotonic() - sent_at >= heartbeat:
                yield ": heartbeat\n\n"
                sent_at = time.monotonic()
            seen = this.changes.wait(seen, max(0.0, sent_at + heartbeat - time.monotonic()))
    finally:
        this.streams.release()
