"""The dashboard's sign-in without a browser: who may open it, the cookie it sets, and what the cookie allows:
a server-side session (issue 11, finding 6), never the token, good for the page's own reads only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from coord.dashboard import COOKIE
from coord.tables import dashboard_sessions
from tests.support import auth

#: What the page reads (coord/static/dashboard.js), and reads it does not make.
PAGE_READS = (
    "/api/v1/reports/monthly?revisions=true",
    "/api/v1/reports/functional-zero",
    "/api/v1/reports/handoff-gaps",
    "/api/v1/reports/pathway",
)
OTHER_READS = (
    "/api/v1/persons",
    "/api/v1/services",
    "/api/v1/handoffs",
    "/api/v1/reports/counts",
    "/api/v1/reports/bfz",
    "/api/v1/audit/access-log",
    "/api/v1/audit/verify",
)


def _sign_in(client, token: str) -> str:
    """Signs in; returns the session id the cookie holds."""
    response = client.post("/dashboard/login", data={"token": token})
    assert response.status_code == 303
    return client.get_cookie(COOKIE).value


def test_signing_in_sets_a_strict_http_only_cookie_good_for_reads(client, tokens):
    page = client.get("/dashboard")
    assert page.status_code == 200 and b'name="token"' in page.data
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    signed_in = client.post("/dashboard/login", data={"token": tokens["backbone"]})
    assert signed_in.status_code == 303 and signed_in.headers["Location"].endswith("/dashboard")
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    dashboard = client.get("/dashboard")
    assert b"Partnership dashboard" in dashboard.data and b"dashboard.js" in dashboard.data
    assert client.get("/api/v1/reports/functional-zero").status_code == 200
    assert client.post("/api/v1/services", json={"name": "x", "stage": "outreach"}).status_code == 401
    assert client.post("/dashboard/logout").status_code == 303
    assert client.get("/api/v1/reports/functional-zero").status_code == 401


def test_only_report_readers_and_valid_tokens_get_in(client, tokens):
    refused = client.post("/dashboard/login", data={"token": tokens["case_manager"]})
    assert refused.status_code == 403 and b"may not open the dashboard" in refused.data
    assert "Set-Cookie" not in refused.headers
    assert client.post("/dashboard/login", data={"token": "coord_nope_nope"}).status_code == 401
    assert client.post("/dashboard/login", data={}).status_code == 401
    with client.get("/static/dashboard.js") as script:
        assert script.status_code == 200 and script.mimetype == "text/javascript"


def test_the_cookie_holds_a_session_id_not_the_token(client, tokens):
    session = _sign_in(client, tokens["admin"])
    assert session != tokens["admin"] and tokens["admin"] not in session and len(session) == 43
    # As a bearer token the session id is worth nothing.
    assert client.get("/api/v1/reports/functional-zero", headers=auth(session)).status_code == 401


@pytest.mark.parametrize("path", OTHER_READS)
def test_an_admin_session_reads_only_what_the_page_reads(client, tokens, path):
    _sign_in(client, tokens["admin"])
    for read in PAGE_READS:
        assert client.get(read).status_code == 200, read
    refused = client.get(path)
    assert refused.status_code == 401 and refused.json["message"] == "a valid Bearer token is required"
    assert client.get(path, headers=auth(tokens["admin"])).status_code == 200


def test_signing_out_ends_the_session_for_a_copy_of_the_cookie_too(app, client, tokens):
    session = _sign_in(client, tokens["backbone"])
    copy = app.test_client()
    copy.set_cookie(COOKIE, session)
    assert copy.get("/api/v1/reports/functional-zero").status_code == 200
    assert client.post("/dashboard/logout").status_code == 303
    assert client.get_cookie(COOKIE) is None
    assert copy.get("/api/v1/reports/functional-zero").status_code == 401
    assert b'name="token"' in copy.get("/dashboard").data


def test_revoking_the_token_ends_its_sessions(coord, client, tokens):
    _sign_in(client, tokens["backbone"])
    assert client.get("/api/v1/reports/functional-zero").status_code == 200
    assert coord.tokens.revoke(tokens["backbone"].split("_")[1]) is True
    assert client.get("/api/v1/reports/functional-zero").status_code == 401
    assert b'name="token"' in client.get("/dashboard").data
    with coord.tokens.db.read() as connection:
        revoked = connection.execute(dashboard_sessions.select()).all()
    assert len(revoked) == 1 and revoked[0].revoked_at is not None


def test_a_session_expires(coord, client, tokens):
    _sign_in(client, tokens["backbone"])
    with coord.tokens.db.write() as connection:
        connection.execute(update(dashboard_sessions).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert client.get("/api/v1/reports/functional-zero").status_code == 401


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "https://evil.example"}],
)
def test_a_form_posted_from_another_site_is_refused(client, tokens, headers):
    refused = client.post("/dashboard/login", data={"token": tokens["backbone"]}, headers=headers)
    assert refused.status_code == 403 and b"own sign-in page" in refused.data
    assert "Set-Cookie" not in refused.headers
    _sign_in(client, tokens["backbone"])
    assert client.post("/dashboard/logout", headers=headers).status_code == 403
    assert client.get("/api/v1/reports/functional-zero").status_code == 200
    same = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert client.post("/dashboard/logout", headers=same).status_code == 303
    assert client.get("/api/v1/reports/functional-zero").status_code == 401
