"""Request plumbing shared by the resources: the caller, If-Match, ETags and Idempotency-Key.

The caller is only authenticated here (401); what they may do is the application service's decision.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from flask_smorest import abort

from coord.idempotency import AlreadyAnsweredError, IdempotencyStore, Intent, Outcome, keyed
from coord.service.principal import Principal
from coord.wiring import Coord

IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
#: Why a caller reads personal data (X-Purpose): codes only, never free text (docs/api.md "Access log").
PURPOSES = ("case_management", "coordination", "reporting", "audit", "data_quality", "client_request")

WRITE_HEADERS = [
    {
        "in": "header",
        "name": "If-Match",
        "required": False,
        "schema": {"type": "string"},
        "description": "the ETag read before; a stale one gets 412",
    },
]
POST_HEADERS = [
    {
        "in": "header",
        "name": "Idempotency-Key",
        "required": False,
        "schema": {"type": "string", "maxLength": 255},
        "description": "repeat a POST safely: the same key returns the same result without writing twice",
    },
]


def coord() -> Coord:
    return current_app.extensions["coord"]


def caller() -> Principal:
    """The authenticated caller. A bad X-Purpose is refused here, before anything is written."""
    principal: Principal | None = g.get("principal")
    if principal is None:
        abort(401, message="a valid Bearer token is required")
    purpose()
    return principal


def expected_version() -> int | None:
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = IF_MATCH.match(header)
    if match is None:
        abort(412, message='If-Match must be the ETag of the version read, e.g. "3"')
    return int(match.group(1))


def tag(version: int) -> None:
    """The response is about this version of one aggregate: say so in its ETag."""
    g.etag_version = version


def add_etag(response: Any) -> Any:
    version = g.get("etag_version")
    if version is not None and response.status_code < 300:
        response.headers["ETag"] = f'"{version}"'
    return response


def purpose() -> str:
    """Why personal data is read, as the access log keeps it: the route, plus the caller's X-Purpose code.
    Only a code from PURPOSES is taken (400 otherwise): free text could carry personal data into the log."""
    stated = request.headers.get("X-Purpose")
    route = f"{request.method} {request.url_rule.rule if request.url_rule else request.path}"
    if stated is None:
        return route
    if stated.strip() not in PURPOSES:
        abort(400, message=f"X-Purpose must be one of: {', '.join(PURPOSES)}")
    return f"{route}: {stated.strip()}"


def idempotent(kind: str, render: Callable[[str, int], dict[str, Any]], status: int = 201) -> Callable:
    """For a POST view returning a representation with id and version: replay instead of repeating. The
    record of the outcome commits with the write's events (coord/idempotency.py), so a key is answered from
    what committed: a stored write is replayed, one that never committed runs again."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = request.headers.get("Idempotency-Key")
            if key is None:
                return view(*args, **kwargs)
            if not IDEMPOTENCY_KEY.match(key):
                abort(400, message="Idempotency-Key must be 1-255 visible ASCII characters")
            who = caller()
            fingerprint = hashlib.sha256(
                f"{request.method} {request.path}\n".encode() + request.get_data(cache=True)
            ).hexdigest()
            store = coord().idempotency
            earlier = store.lookup(who.id, key, fingerprint)
            if earlier is None:
                try:
                    with keyed(Intent(who.id, key, fingerprint, kind, status)):
                        return view(*args, **kwargs)
                except AlreadyAnsweredError as answered:  # the same key, committed first by another request
                    earlier = answered.outcome
                except Exception:
                    # Refused after another request with the same key changed the record (e.g. "already
                    # inactive"): that request's outcome is this key's answer.
                    earlier = _answered_meanwhile(store, who.id, key, fingerprint)
                    if earlier is None:
                        raise
            g.idempotent_replay = True
            return render(earlier.resource_id, earlier.version)

        return wrapper

    return decorate


def _answered_meanwhile(store: IdempotencyStore, token_id: str, key: str, fingerprint: str) -> Outcome | None:
    """The key's stored outcome, if a request with it committed while this one ran; None if it cannot be told."""
    try:
        return store.lookup(token_id, key, fingerprint)
    except Exception:  # the original error says more than a failed look-up
        return None
