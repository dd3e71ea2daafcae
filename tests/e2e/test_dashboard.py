"""The backbone's dashboard in a real browser (Debian's chromium driven by Playwright, headless): sign in
with a token, see the counts, charts and functional-zero badges, and watch a write through the API change
the count within 2 seconds without a reload. A screenshot is kept in test-artifacts/dashboard.png."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from events.dates import today
from projections.reports.months import add_months, label, month_of
from tests.e2e.chromium import ARTIFACTS, MARKS, launched
from tests.e2e.processes import call, coord_cli, served, starter_tokens

#: A read the page makes, then reads it does not (counts, personal data, the access log).
SESSION_PROBES = (
    "/api/v1/reports/functional-zero",
    "/api/v1/reports/counts",
    "/api/v1/persons",
    "/api/v1/audit/access-log",
)

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
expect = playwright.expect
pytestmark = MARKS


@pytest.fixture
def browser():
    yield from launched()


def _count(page, population: str) -> str:
    return page.locator(f"#count-{population}").inner_text().replace(",", "")


def test_the_backbone_watches_counts_move_live(cli_env, browser):
    coord_cli(cli_env, "demo", "--persons", "80", "--months", "12")
    tokens = starter_tokens(cli_env)
    with served(cli_env) as base:
        page = browser.new_page(viewport={"width": 1200, "height": 1800})
        page.goto(f"{base}/dashboard")
        page.get_by_label("Token").fill(tokens["backbone"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
        expect(page.locator("#fz .badge.reached, #fz .badge.not-reached")).to_have_count(6, timeout=10_000)
        expect(page.locator("#charts figure")).to_have_count(6, timeout=10_000)
        expect(page.locator("#charts svg rect")).to_have_count(6 * 12 * 2)
        before = int(_count(page, "all"))
        assert before > 0

        written = time.monotonic()
        status, _ = call(
            base, "POST", "/api/v1/persons", tokens["case_manager"], {"veteran": "no", "household_type": "family"}
        )
        assert status == 201
        expect(page.locator("#count-all")).to_have_text(f"{before + 1:,}", timeout=2_000)
        assert time.monotonic() - written < 2.0
        page.select_option("#gap-cut", "sex")
        page.wait_for_selector("#gaps td.suppressed", timeout=5_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(f"{base}/dashboard")
        phone.get_by_label("Token").fill(tokens["case_manager"])
        phone.get_by_role("button", name="Sign in").click()
        expect(phone.get_by_role("alert")).to_have_text("The case_manager role may not open the dashboard.")
        assert phone.context.cookies() == []


def test_a_month_revised_since_it_was_submitted_is_marked(cli_env, browser):
    coord_cli(cli_env, "db", "upgrade")
    tokens = starter_tokens(cli_env)
    month = add_months(month_of(today()), -1)
    with served(cli_env) as base:
        status, closed = call(
            base, "POST", "/api/v1/reports/monthly/close", tokens["backbone"], {"month": label(month)}
        )
        assert status == 201 and closed["submission"] == 1
        page = browser.new_page(viewport={"width": 1200, "height": 1800})
        page.goto(f"{base}/dashboard")
        page.get_by_label("Token").fill(tokens["backbone"])
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#charts figure")).to_have_count(6, timeout=10_000)
        expect(page.locator("#charts circle.revised")).to_have_count(0)

        back_dated = {
            "veteran": "yes",
            "household_type": "single_adult",
            "effective_on": (month + timedelta(days=3)).isoformat(),
        }
        status, _ = call(base, "POST", "/api/v1/persons", tokens["case_manager"], back_dated)
        assert status == 201
        query = f"/api/v1/reports/monthly?revisions=true&population=all&from={label(month)}&to={label(month)}"
        for _ in range(50):  # the projector follows the log within moments
            if call(base, "GET", query, tokens["backbone"])[1]["rows"][0]["revised"]:
                break
            time.sleep(0.1)
        page.reload()
        # Everyone, single adults and veterans gained a person in the closed month; the others did not.
        marks = page.locator(f"#charts circle.revised[data-month='{label(month)}']")
        expect(marks).to_have_count(3, timeout=10_000)
        expect(marks.first.locator("title")).to_have_text(f"{label(month)}: revised since submitted")


def test_the_session_cookie_is_http_only_strict_and_good_for_reads_only(cli_env, browser):
    coord_cli(cli_env, "db", "upgrade")
    tokens = starter_tokens(cli_env)
    with served(cli_env) as base:
        page = browser.new_page()
        page.goto(f"{base}/dashboard")
        page.get_by_label("Token").fill(tokens["admin"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
        (cookie,) = page.context.cookies()
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert cookie["value"] != tokens["admin"] and tokens["admin"] not in cookie["value"]
        assert page.evaluate("document.cookie") == ""
        status = "fetch('{}').then(r => r.status)"
        reads = [page.evaluate(status.format(path)) for path in SESSION_PROBES]
        write = page.evaluate(
            "fetch('/api/v1/persons', {method: 'POST', headers: {'Content-Type': 'application/json'},"
            " body: JSON.stringify({veteran: 'no', household_type: 'youth'})}).then(r => r.status)"
        )
        # An admin's session reads what the page reads, and nothing else: no personal data, no audit.
        assert (reads, write) == ([200, 401, 401, 401], 401)
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_selector("#token")
        assert page.context.cookies() == []
        copy = browser.new_context()
        copy.add_cookies([cookie])
        other = copy.new_page()
        other.goto(f"{base}/dashboard")
        assert other.evaluate(status.format(SESSION_PROBES[0])) == 401  # signed out on the server too
        copy.close()
