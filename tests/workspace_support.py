"""Helpers for the workspace's tests: sign in through the form, and post a form with its CSRF token, as a
browser does after opening the page."""

from __future__ import annotations

import html
import re
from typing import Any

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/workspace/sign-in") -> str:
    page = client.get(path)
    match = CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


def sign_in(client, token: str) -> None:
    response = client.post("/workspace/sign-in", data={"token": token, "csrf_token": csrf_token(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/workspace", response.status_code


def post(client, path: str, data: dict[str, Any], *, page: str = "/workspace"):
    """Post a form opened on `page` (its token), without following the redirect."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def text(response) -> str:
    """The page's text with tags and entities undone, spaces collapsed: what a reader sees."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def field_value(response, form: str, name: str) -> str | None:
    match = re.search(rf'id="{form}-{name}" name="{name}"[^>]*value="([^"]*)"', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None
