"""Signing in to the workspace: a token given once in a form opens a server-side session, held in the same
HttpOnly, SameSite=Strict cookie as the dashboard's (never the token itself). Sign-out ends it on the server."""

from __future__ import annotations

from datetime import timedelta

from flask import g, redirect, request

from coord.api.http import coord
from coord.dashboard import COOKIE, COOKIE_SECONDS, cookie_principal, session_id
from coord.service import permissions
from coord.workspace.views import SIGN_IN, bp, page


@bp.get("/sign-in")
def sign_in_page():
    principal = cookie_principal()
    if principal is not None and permissions.holds(principal, permissions.WRITE):
        return redirect("/workspace", code=303)
    return page("workspace/sign_in.html")


@bp.post("/sign-in")
def sign_in():
    token = (request.form.get("token") or "").strip()
    principal = coord().tokens.authenticate(token) if token else None
    if principal is None:
        return page("workspace/sign_in.html", 401, error="That token is not valid (or was revoked).")
    if not permissions.holds(principal, permissions.WRITE):
        return page(
            "workspace/sign_in.html", 403, error=f"The {principal.role} role may not use the case managers' workspace."
        )
    previous = session_id()
    if previous:
        coord().tokens.end_session(previous)
    session = coord().tokens.open_session(principal.id, timedelta(seconds=COOKIE_SECONDS))
    response = redirect("/workspace", code=303)
    response.set_cookie(
        COOKIE, session, max_age=COOKIE_SECONDS, httponly=True, samesite="Strict", secure=request.is_secure, path="/"
    )
    return response


@bp.post("/sign-out")
def sign_out():
    session = session_id()
    if session:
        coord().tokens.end_session(session)  # server-side: a copy of the cookie is refused too
    g.who = None
    response = redirect(SIGN_IN, code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Strict", secure=request.is_secure)
    return response
