"""/dashboard: the backbone's live page. A token is given once in a login form and kept in an HttpOnly,
SameSite=Strict cookie that the API accepts for reads (GET) only; the page itself fetches the reports."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request

from coord.api.http import coord
from coord.service import permissions
from coord.service.principal import Principal
from events.populations import POPULATIONS

bp = Blueprint("dashboard", __name__)

COOKIE = "coord_session"
#: A working day: long enough for a wall screen, short enough that a forgotten session ends.
COOKIE_SECONDS = 12 * 3600
POPULATION_LABELS = {
    "all": "Everyone",
    "single_adults": "Single adults",
    "veterans": "Veterans",
    "chronic": "Chronic",
    "youth": "Youth",
    "families": "Families",
}


def cookie_principal() -> Principal | None:
    """The caller named by the session cookie, if it holds a valid token."""
    token = request.cookies.get(COOKIE)
    return coord().tokens.authenticate(token) if token else None


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
    return _page("dashboard.html", role=who.role, populations=POPULATIONS, labels=POPULATION_LABELS)


@bp.post("/dashboard/login")
def login():
    token = (request.form.get("token") or "").strip()
    who = coord().tokens.authenticate(token) if token else None
    if who is None:
        return _page("login.html", 401, error="That token is not valid (or was revoked).")
    if not permissions.holds(who, permissions.READ_REPORTS):
        return _page("login.html", 403, error=f"The {who.role} role may not open the dashboard.")
    response = redirect("/dashboard", code=303)
    response.set_cookie(
        COOKIE, token, max_age=COOKIE_SECONDS, httponly=True, samesite="Strict", secure=request.is_secure, path="/"
    )
    return response


@bp.post("/dashboard/logout")
def logout():
    response = redirect("/dashboard", code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Strict", secure=request.is_secure)
    return response
