"""The dashboard's cradle-to-career section in a real browser (Debian's chromium driven by Playwright): the
numbers of a known partnership, as chart and table, with no serious accessibility violation at desktop and
phone width; and a partnership running one path sees only its own view. Screenshots in test-artifacts/."""

from __future__ import annotations

import json

import pytest

from tests.e2e.chromium import ARTIFACTS, MARKS, launched
from tests.e2e.processes import call, coord_cli, served, starter_tokens

PHONE = {"width": 375, "height": 812}
#: The known partnership's served persons per stage now, and its funnel (handed on, picked up, gaps, still
#: open, pickup rate) from early childhood and from kindergarten; every other stage is 0 and hands on nothing.
SERVED = {"early_childhood": "1", "kindergarten": "1", "elementary": "1"}
FUNNEL = {
    "early_childhood": ["Early childhood", "Kindergarten", "2", "1", "0", "1", "100%"],
    "kindergarten": ["Kindergarten", "Elementary school", "1", "1", "0", "0", "100%"],
    "elementary": ["Elementary school", "Middle school", "0", "0", "0", "0", "–"],
}

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
expect = playwright.expect
pytestmark = MARKS


@pytest.fixture
def browser():
    yield from launched()


def _services(base: str, token: str, *stages: str) -> dict[str, str]:
    ids = {}
    for stage in stages:
        status, service = call(base, "POST", "/api/v1/services", token, {"name": f"Northside {stage}", "stage": stage})
        assert status == 201, service
        ids[stage] = service["id"]
    return ids


def _hand(base: str, token: str, services: dict[str, str], from_: str | None, to: str, accept: bool) -> None:
    """A new child handed to the `to` stage (from the `from_` stage, if any), accepted today if `accept`."""
    status, child = call(base, "POST", "/api/v1/persons", token, {"veteran": "no", "household_type": "family"})
    assert status == 201
    body = {"person_id": child["id"], "to_service_id": services[to]}
    if from_:
        body["from_service_id"] = services[from_]
    status, handoff = call(base, "POST", "/api/v1/handoffs", token, body)
    assert status == 201, handoff
    if accept:
        status, _ = call(base, "POST", f"/api/v1/handoffs/{handoff['id']}/transitions", token, {"to": "accepted"})
        assert status == 201


def _sign_in(page, base: str, token: str) -> None:
    page.goto(f"{base}/dashboard")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Partnership dashboard")).to_be_visible()


def _serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [violation["id"] for violation in violations if violation["impact"] in ("serious", "critical")]


def test_a_cradle_to_career_partnership_sees_its_path(cli_env, browser):
    coord_cli(cli_env, "db", "upgrade")
    tokens = starter_tokens(cli_env)
    with served(cli_env) as base:
        services = _services(base, tokens["case_manager"], "early_childhood", "kindergarten", "elementary")
        for from_, to, accept in (
            (None, "early_childhood", True),  # served at early childhood
            ("early_childhood", "kindergarten", True),  # picked up, served at kindergarten
            ("early_childhood", "kindergarten", False),  # its window is still open
            ("kindergarten", "elementary", True),  # picked up, served at elementary
        ):
            _hand(base, tokens["case_manager"], services, from_, to, accept)
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        _sign_in(page, base, tokens["backbone"])

        expect(page.locator("#served-kindergarten")).to_have_text("1", timeout=10_000)
        counts = page.locator(".stages strong")
        shown = dict(
            zip(counts.evaluate_all("nodes => nodes.map(n => n.dataset.stage)"), counts.all_inner_texts(), strict=True)
        )
        assert shown == {stage: SERVED.get(stage, "0") for stage in shown} and len(shown) == 9
        rows = page.locator("#funnel tbody tr")
        expect(rows).to_have_count(8)
        for stage, cells in FUNNEL.items():
            assert page.locator(f"#funnel tr[data-stage={stage}] > *").all_inner_texts() == cells
        expect(page.locator("#funnel-chart svg rect")).to_have_count(16)
        assert page.locator("#funnel-chart svg rect.handed-on[data-stage=early_childhood]").get_attribute("width")
        title = page.locator("#funnel-title").text_content()
        assert "Early childhood to Kindergarten: 2 handed on, 1 picked up" in title
        # The homelessness view is not there: no live counts, no functional zero, no flows.
        assert page.locator("#live-heading, #fz-heading, #flows-heading").count() == 0
        expect(page.locator("#gaps tbody tr")).to_have_count(3)  # a row per stage pair of the handoff gaps
        assert _serious(page) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-pathway.png"), full_page=True)

        phone = browser.new_page(viewport=PHONE)
        _sign_in(phone, base, tokens["backbone"])
        expect(phone.locator("#served-kindergarten")).to_have_text("1", timeout=10_000)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the dashboard is {width} px wide at phone width"
        assert _serious(phone) == []
        phone.screenshot(path=str(ARTIFACTS / "dashboard-pathway-phone.png"), full_page=True)

    report = json.loads(coord_cli(cli_env, "report", "pathway", "--format", "json").stdout)
    assert {row["stage"]: str(row["served"]) for row in report["rows"]} == shown


def test_a_homelessness_partnership_sees_no_cradle_to_career_section(cli_env, browser):
    coord_cli(cli_env, "db", "upgrade")
    tokens = starter_tokens(cli_env)
    with served(cli_env) as base:
        _services(base, tokens["case_manager"], "outreach", "emergency_shelter")
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        _sign_in(page, base, tokens["backbone"])
        page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
        expect(page.locator("#charts figure")).to_have_count(6, timeout=10_000)
        assert page.locator("#pathway, #served-heading, #funnel").count() == 0
        assert _serious(page) == []
