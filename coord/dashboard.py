"""/dashboard: the backbone's live page. A token is given once in a login form; the HttpOnly, SameSite=Strict
cookie then holds only a server-side session id (never the token), which the API accepts for the page's own
reads (`SESSION_READS`) and nothing else. Sign-out, expiry and revoking the token end the session."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, make_response, redirect, render_template, request

from coord.api.http import coord
from coord.community.words import STAGES as STAGE_LABELS
from coord.service import permissions
from coord.service.pathway import partnership_paths
from coord.service.principal import Principal
from coord.service.staleness import counts_staleness, iso
from events.populations import POPULATIONS
from events.vocabulary import CRADLE_TO_CAREER_STAGES

bp = Blueprint("dashboard", __name__)

COOKIE = "coord_session"
#: A working day: long enough for a wall screen, short enough that a forgotten session ends.
COOKIE_SECONDS = 12 * 3600
#: The API reads the dashboard's page makes (coord/static/dashboard.js): the only requests a session is good for.
SESSION_READS = frozenset(
    f"/api/v1{path}"
    for path in (
        "/stream",
        "/reports/monthly",
        "/reports/functional-zero",
        "/reports/handoff-gaps",
        "/reports/pathway",
    )
)
POPULATION_LABELS = {
    "all": "Everyone",
    "single_adults": "Single adults",
    "veterans": "Veterans",
    "chronic": "Chronic",
    "youth": "Youth",
    "families": "Families",
}


def session_id() -> str | None:
    return request.cookies.get(COOKIE) or None


def cookie_principal() -> Principal | None:
    """The caller of the session the cookie names, if that session is live."""
    session = session_id()
    return coord().tokens.session_principal(session) if session else None


def _from_another_site() -> bool:
    """A form posted from another site (login CSRF: signing a victim in as the attacker). Browsers say where a
    request comes from in Sec-Fetch-Site, older ones in Origin; a client that sends neither is no browser."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc != request.host


def _clear_cookie(response):
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Strict", secure=request.is_secure)
    return response


def _page(template: str, status: int = 200, **context):
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    # Everything the page needs is served by this app: no other origin, no inline script.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
    )
    return response


@bp.get("/dashboard")
def dashboard():
    who = cookie_principal()
    if who is None or not permissions.holds(who, permissions.READ_REPORTS):
        return _page("login.html")
    stale = counts_staleness(coord())
    # A partnership sees the views of the paths its catalogue runs (coord/service/pathway.py).
    paths = partnership_paths(coord())
    return _page(
        "dashboard.html",
        role=who.role,
        homelessness="homelessness" in paths,
        cradle_to_career="cradle_to_career" in paths,
        populations=POPULATIONS,
        labels=POPULATION_LABELS,
        stages=CRADLE_TO_CAREER_STAGES,
        stage_labels=STAGE_LABELS,
        stale=stale,
        stale_since=iso(stale.since),
    )


@bp.post("/dashboard/login")
def login():
    if _from_another_site():
        return _page("login.html", 403, error="Sign in from coord's own sign-in page.")
    token = (request.form.get("token") or "").strip()
    who = coord().tokens.authenticate(token) if token else None
    if who is None:
        return _page("login.html", 401, error="That token is not valid (or was revoked).")
    if not permissions.holds(who, permissions.READ_REPORTS):
        return _page("login.html", 403, error=f"The {who.role} role may not open the dashboard.")
    previous = session_id()
    if previous:
        coord().tokens.end_session(previous)
    session = coord().tokens.open_session(who.id, timedelta(seconds=COOKIE_SECONDS))
    response = redirect("/dashboard", code=303)
    response.set_cookie(
        COOKIE, session, max_age=COOKIE_SECONDS, httponly=True, samesite="Strict", secure=request.is_secure, path="/"
    )
    return response


@bp.post("/dashboard/logout")
def logout():
    if _from_another_site():
        return _page("login.html", 403, error="Sign out from coord's own page.")
    session = session_id()
    if session:
        coord().tokens.end_session(session)  # server-side: a copy of the cookie is refused too
    return _clear_cookie(redirect("/dashboard", code=303))
