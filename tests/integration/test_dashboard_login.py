"""The dashboard's sign-in without a browser: who may open it, the cookie it sets, and what the cookie allows."""

from __future__ import annotations


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
    assert client.get("/api/v1/reports/counts").status_code == 200
    assert client.post("/api/v1/services", json={"name": "x", "stage": "outreach"}).status_code == 401
    assert client.post("/dashboard/logout").status_code == 303
    assert client.get("/api/v1/reports/counts").status_code == 401


def test_only_report_readers_and_valid_tokens_get_in(client, tokens):
    refused = client.post("/dashboard/login", data={"token": tokens["case_manager"]})
    assert refused.status_code == 403 and b"may not open the dashboard" in refused.data
    assert "Set-Cookie" not in refused.headers
    assert client.post("/dashboard/login", data={"token": "coord_nope_nope"}).status_code == 401
    assert client.post("/dashboard/login", data={}).status_code == 401
    with client.get("/static/dashboard.js") as script:
        assert script.status_code == 200 and script.mimetype == "text/javascript"
