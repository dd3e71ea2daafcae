"""/community (HTML, for a resident on a phone) and /community.json (the same numbers, for tools). Neither reads
a query parameter or a header to choose what it shows: there is one page, the same for everyone."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, make_response, render_template, request

from coord.api.http import coord
from coord.community.numbers import CachedNumbers
from coord.community.ratelimit import RateLimit
from coord.community.words import INDICATORS, MONTHLY, POPULATIONS, RACES, STAGES, label
from coord.report_formats import plain

bp = Blueprint("community", __name__)

#: Everything the page needs is its own stylesheet: no script, no other origin, no frame.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _parts() -> tuple[CachedNumbers, RateLimit]:
    """The process's cache and rate limit, made on first use from the app's configuration."""
    parts = current_app.extensions.get("community")
    if parts is None:
        config = coord().config
        parts = current_app.extensions["community"] = (CachedNumbers(coord()), RateLimit(config.public_rate_per_minute))
    return parts


def _limited() -> Response | None:
    """429 with Retry-After once the client's address has made its minute's requests (the address the server
    sees: behind a proxy, configure it to pass the client's; docs/deployment.md)."""
    wait = _parts()[1].retry_after(request.remote_addr or "unknown")
    if wait is None:
        return None
    response = make_response(f"Too many requests: try again in {wait} seconds.\n", 429)
    response.headers.update({"Retry-After": str(wait), "Content-Type": "text/plain; charset=utf-8"})
    return _secured(response)


def _secured(response: Response, max_age: int | None = None) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = f"public, max-age={max_age}" if max_age is not None else "no-store"
    return response


@bp.get("/community")
def page() -> Response:
    refused = _limited()
    if refused is not None:
        return refused
    numbers = _parts()[0]
    html = render_template(
        "community.html",
        numbers=numbers.get(),
        populations=POPULATIONS,
        monthly=MONTHLY,
        races=RACES,
        indicators=INDICATORS,
        stages=STAGES,
        label=label,
        bar=_bar,
        largest=_largest,
    )
    return _secured(make_response(html), numbers.max_age)


@bp.get("/community.json")
def numbers_json() -> Response:
    refused = _limited()
    if refused is not None:
        return refused
    numbers = _parts()[0]
    response = make_response(json.dumps(plain(numbers.get()), separators=(",", ":")))
    response.headers["Content-Type"] = "application/json"
    return _secured(response, numbers.max_age)


def _bar(value: Any, most: Any) -> int:
    """A bar's width in whole percent of the largest shown value (0 for a hidden or zero value)."""
    return round(100 * value / most) if isinstance(value, int | float) and most else 0


def _largest(rows: list[dict[str, Any]], name: str) -> int:
    return max((row[name] for row in rows if row[name] is not None), default=0)
