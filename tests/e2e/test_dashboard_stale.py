"""The dashboard's stale-counts notice in a real browser (Debian's chromium, headless): it appears from the
stream when the projector is down and an event waits, and goes when the projector catches up. The app is
served in this process (werkzeug, in a thread), so nothing projects until the test says so and the delay
allowed before counts are stale can be set to nothing rather than waited for."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

import projections.staleness
from tests.e2e.chromium import MARKS, launched
from tests.support import auth, create_person

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
expect = playwright.expect
pytestmark = MARKS


@pytest.fixture
def coord(config):
    """A serving process's objects whose projector is down: a write catches only the lists up."""
    from coord.wiring import open_coord

    coord = open_coord(config)
    yield coord
    coord.stopping.set()  # open streams end at their next wake
    coord.close()


@pytest.fixture
def base(app, coord, monkeypatch) -> Iterator[str]:
    app.config["COORD_STREAM_HEARTBEAT_SECONDS"] = 0.3
    monkeypatch.setattr(projections.staleness, "STALE_AFTER", timedelta(0))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        coord.stopping.set()
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def browser():
    yield from launched()


def test_the_notice_follows_the_stream(base, coord, client, tokens, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 1200})
    page.goto(f"{base}/dashboard")
    page.get_by_label("Token").fill(tokens["backbone"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    notice = page.locator("#stale-notice .stale")
    expect(notice).to_be_hidden()

    create_person(client, tokens["case_manager"])
    head = coord.service.recorder.max_notification_id()
    events = client.get(f"/api/v1/audit/events?after={head - 1}&limit=1", headers=auth(tokens["auditor"]))
    since = events.json["items"][0]["recorded_at"]
    expect(notice).to_be_visible(timeout=5_000)
    expect(notice).to_have_text(
        f"Counts are stale since {since[11:16]} UTC: 1 event not yet counted. Is the projector running?",
        timeout=5_000,
    )
    expect(page.locator("#live-state")).to_have_attribute("data-state", "stale")
    expect(page.locator("#stale-since")).to_have_attribute("datetime", since)
    expect(page.locator("#count-all")).to_have_text("0")

    coord.service.projections.run()
    coord.changes.notify()
    expect(notice).to_be_hidden(timeout=5_000)
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    expect(page.locator("#count-all")).to_have_text("1")
