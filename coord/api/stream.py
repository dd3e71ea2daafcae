"""/stream: Server-Sent Events carrying the live counts whenever they change, heartbeats otherwise; while the
counts are stale (projections/staleness.py: the projector is not keeping up), `event: stale` in place of
each heartbeat, and the counts again once they are fresh. Staleness is looked at on every wake, so a stopped
projector is noticed at the next heartbeat at the latest, with no change to wake the stream.

Each open stream holds one server thread, so a process serves a bounded number of them; past that
the answer is 503 with Retry-After. One token (with its dashboard sessions) holds at most
`STREAMS_PER_TOKEN` of them; past that the answer is 429. A HEAD holds no slot. The slot is released when
the server closes the response (a HEAD's, a client gone, or the stream ended), not only in the generator.
On each wake (a change or a heartbeat) the stream checks that its token, or its dashboard session, is still
valid, and ends when it is not. Headers keep proxies from buffering the stream.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial

from flask import Response, current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from coord.api.errors import error_response
from coord.api.http import caller, coord
from coord.errors import UnavailableError
from coord.report_formats import Report
from coord.service import reports
from coord.service.principal import Principal
from coord.service.staleness import counts_staleness, iso, stale_data
from coord.wiring import Coord
from projections.staleness import Staleness

blp = Blueprint("stream", __name__, url_prefix="/stream", description="Live counts as Server-Sent Events")

HEARTBEAT_SECONDS = 15.0
#: Open streams per token, its dashboard sessions included (a wall screen and a laptop).
STREAMS_PER_TOKEN = 2
STREAM_DOC = {
    "responses": {
        "200": {
            "description": "`event: counts` with the counts report and `stale_since` (ISO 8601 UTC, or null) as "
            "data, whenever either changes (and once on connecting); while the counts are stale, `event: stale` "
            'with data `{"since": ..., "behind": N}` after it and in place of each `: heartbeat` comment line',
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        "429": {"description": f"this token already holds {STREAMS_PER_TOKEN} open streams"},
    }
}


class _PerToken:
    """How many streams each token holds open in this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open: Counter[str] = Counter()

    def acquire(self, token_id: str, limit: int) -> bool:
        with self.lock:
            if self.open[token_id] >= limit:
                return False
            self.open[token_id] += 1
            return True

    def release(self, token_id: str) -> None:
        with self.lock:
            self.open[token_id] -= 1
            if self.open[token_id] <= 0:
                del self.open[token_id]


def _per_token() -> _PerToken:
    return current_app.extensions.setdefault("coord_streams_per_token", _PerToken())


@blp.route("")
class Stream(MethodView):
    @blp.doc(**STREAM_DOC)
    def get(self) -> Response:
        """Live counts per population as Server-Sent Events"""
        this, who = coord(), caller()
        # Read once before the stream opens, so a caller who may not read reports is refused with a 403.
        seen, counts = this.changes.generation, reports.counts(this, who)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        if request.method == "HEAD":
            return Response(mimetype="text/event-stream", headers=headers)  # no body, so no slot
        per_token = _per_token()
        limit = current_app.config.get("COORD_STREAMS_PER_TOKEN", STREAMS_PER_TOKEN)
        if not per_token.acquire(who.id, limit):
            message = f"this token already holds {limit} open streams; close one first"
            return error_response(429, message, headers={"Retry-After": "3"})
        if not this.streams.acquire(blocking=False):
            per_token.release(who.id)
            raise UnavailableError("every stream slot of this server is taken; try again shortly")
        release = _once(lambda: (this.streams.release(), per_token.release(who.id)))
        heartbeat = current_app.config.get("COORD_STREAM_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
        session = g.get("session_id")
        valid = partial(this.tokens.session_active, session) if session else partial(this.tokens.active, who.id)
        response = Response(
            _events(this, who, seen, counts, heartbeat, valid, release), mimetype="text/event-stream", headers=headers
        )
        # The server closes every response it sent, a HEAD's and an unread one's too: the slot goes back then.
        response.call_on_close(release)
        return response


def _once(action: Callable[[], object]) -> Callable[[], None]:
    lock, done = threading.Lock(), [False]

    def run() -> None:
        with lock:
            if done[0]:
                return
            done[0] = True
        action()

    return run


def _events(
    this: Coord,
    who: Principal,
    seen: int,
    report: Report,
    heartbeat: float,
    valid: Callable[[], bool],
    release: Callable[[], None],
) -> Iterator[str]:
    """`report`: the counts as they were at generation `seen` of the changes. Ends when `valid()` no longer
    holds (the token revoked, the session signed out or expired)."""
    try:
        yield "retry: 3000\n\n"  # how long a disconnected browser waits before reconnecting
        shown, sent_at = None, time.monotonic()
        while True:
            stale = counts_staleness(this)
            counts = {**report.as_json(), "stale_since": iso(stale.since)}
            if (counts["as_of"], counts["rows"], counts["stale_since"]) != shown:
                shown = (counts["as_of"], counts["rows"], counts["stale_since"])
                yield f"event: counts\nid: {counts['position']}\ndata: {json.dumps(counts)}\n\n"
                if stale.since:
                    yield _stale(stale)
                sent_at = time.monotonic()
            elif time.monotonic() - sent_at >= heartbeat:
                yield _stale(stale) if stale.since else ": heartbeat\n\n"
                sent_at = time.monotonic()
            seen = this.changes.wait(seen, max(0.0, sent_at + heartbeat - time.monotonic()))
            if this.stopping.is_set() or not valid():
                return
            report = reports.counts(this, who)
    finally:
        release()


def _stale(stale: Staleness) -> str:
    return f"event: stale\ndata: {json.dumps(stale_data(stale))}\n\n"
