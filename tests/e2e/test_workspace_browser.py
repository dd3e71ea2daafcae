"""The case managers' workspace in a real browser (Debian's chromium driven by Playwright, headless), against
`coord serve`: a case manager of one agency signs in, finds before adding, identifies, records a contact and
hands the person off to another agency; a case manager there sees it in the incoming queue and accepts; the
first sees it accepted; a back-dated change and a correction show in the history. The same walk with
JavaScript disabled. Every page is checked with axe (no serious or critical violation) and photographed at
phone width into test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.dates import today
from tests.e2e.chromium import ARTIFACTS, MARKS, launched
from tests.e2e.processes import call, coord_cli, served, starter_tokens

PHONE = {"width": 375, "height": 812}
#: What the walk looks like from the receiving agency: no name, only where the person is known.
SENDER, RECEIVER = "harbor-outreach", "gateway-shelter"

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
expect = playwright.expect
pytestmark = MARKS


@pytest.fixture
def browser():
    yield from launched()


@pytest.fixture
def partnership(cli_env):
    """Two agencies' services and a case manager token for each."""
    coord_cli(cli_env, "db", "upgrade")
    tokens = starter_tokens(cli_env)
    assert "case_manager" in tokens
    tokens["receiver"] = coord_cli(
        cli_env, "users", "create", "--role", "case_manager", "--agency", RECEIVER, "--label", "e2e"
    ).stdout.strip()
    return tokens


def _services(base: str, admin: str) -> None:
    for name, stage, agency in (
        ("Harbor Street Outreach", "outreach", SENDER),
        ("Gateway Emergency Shelter", "emergency_shelter", RECEIVER),
    ):
        status, _ = call(base, "POST", "/api/v1/services", admin, {"name": name, "stage": stage, "agency": agency})
        assert status == 201


def _sign_in(page, base: str, token: str) -> None:
    page.goto(f"{base}/workspace")
    expect(page).to_have_url(f"{base}/workspace/sign-in")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="The by-name list")).to_be_visible()


def _walk(browser, base: str, tokens: dict[str, str], *, javascript: bool, first_name: str, checked: list) -> None:
    """The whole loop; `checked` collects each page visited (for axe and the phone screenshots)."""
    sender = browser.new_context(java_script_enabled=javascript)
    receiver = browser.new_context(java_script_enabled=javascript)
    try:
        page = sender.new_page()
        _sign_in(page, base, tokens["case_manager"])
        checked.append(page.url)

        page.get_by_role("link", name="Add a person").click()
        checked.append(page.url)
        page.get_by_label("First name").fill(first_name)
        page.get_by_label("Last name").fill("Okafor")
        page.get_by_label("Date of birth").fill("1984-07-12")
        page.get_by_role("button", name="Look for matches").click()
        expect(page.get_by_text("Nobody on the list has this name and date of birth.")).to_be_visible()
        expect(page.get_by_label("First name")).to_have_value(first_name)
        identified_on = (today() - timedelta(days=60)).isoformat()
        page.get_by_label("Veteran").select_option("yes")
        page.get_by_label("Household").select_option("single_adult")
        page.get_by_label("Identified on").fill(identified_on)
        page.get_by_role("button", name="Identify: add to the list").click()
        expect(page.get_by_role("status")).to_have_text("Identified: the person is on the list.")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{first_name} Okafor")
        person_url = page.url
        checked.append(person_url)

        page.get_by_role("button", name="Record contact").click()
        expect(page.get_by_role("status")).to_have_text("Contact recorded.")

        shelter = f"Gateway Emergency Shelter ({RECEIVER}, emergency shelter)"
        page.get_by_label("To service").select_option(label=shelter)
        page.get_by_label("From service").select_option(label="Harbor Street Outreach")
        page.get_by_role("button", name="Request handoff").click()
        expect(page.get_by_role("status")).to_contain_text("Handoff requested")
        expect(page.locator("dd").first).to_have_text("requested")
        handoff_url = page.url
        checked.append(handoff_url)

        other = receiver.new_page()
        _sign_in(other, base, tokens["receiver"])
        other.get_by_role("link", name="Handoffs", exact=True).click()
        checked.append(other.url)
        incoming = other.locator("table.handoffs").first
        # The receiver cannot tell them apart by name: the one still waiting is the new one.
        row = incoming.locator("tr", has_text=f"A person known to agency {SENDER}").filter(has_text="requested")
        expect(row).to_contain_text("Harbor Street Outreach")
        expect(incoming).not_to_contain_text(first_name)
        row.get_by_role("button", name="Accept").click()
        expect(other.get_by_role("status")).to_have_text("Handoff accepted.")

        page.get_by_role("link", name="Handoffs", exact=True).click()
        outgoing = page.locator("table.handoffs").nth(1)
        expect(outgoing.locator("tr", has_text=f"{first_name} Okafor")).to_contain_text("accepted")

        page.goto(person_url)
        back_dated = (today() - timedelta(days=30)).isoformat()
        page.get_by_label("In force from").fill(back_dated)
        page.locator("#attributes-veteran").select_option("no")
        page.get_by_role("button", name="Record change").click()
        expect(page.get_by_role("status")).to_have_text(f"Change recorded from {back_dated}; it changed: veteran.")
        history = page.locator("table.history")
        expect(history.locator("tr", has_text="Details changed: veteran no")).to_contain_text(back_dated)

        page.get_by_label("Entry", exact=False).select_option("2")
        page.locator("#correction-reason").select_option("wrong_date")
        page.get_by_role("button", name="Record correction").click()
        expect(page.get_by_role("status")).to_have_text("Correction recorded: entry #2 is marked entered in error.")
        expect(history.locator("tr.correction")).to_contain_text("Correction: entry #2 (Contact recorded of")
        expect(history.locator("tr.voided")).to_contain_text("Entered in error (corrected by #4)")
    finally:
        sender.close()
        receiver.close()


def test_a_case_manager_closes_the_loop_with_and_without_javascript(partnership, cli_env, browser):
    with served(cli_env) as base:
        _services(base, partnership["admin"])
        visited: list[str] = []
        _walk(browser, base, partnership, javascript=True, first_name="Adaeze", checked=visited)
        _walk(browser, base, partnership, javascript=False, first_name="Chidi", checked=[])
        _check_pages(browser, base, partnership, visited)


def _check_pages(browser, base: str, tokens: dict[str, str], visited: list[str]) -> None:
    """axe on every workspace page (as the sender, who may see them all) and a screenshot at phone width."""
    from axe_playwright_python.sync_playwright import Axe

    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{base}/workspace/sign-in")
        pages = {"sign-in": page.url}
        _sign_in(page, base, tokens["case_manager"])
        pages |= {
            "list": f"{base}/workspace?scope=shared",
            "add": f"{base}/workspace/persons/new",
            "person": next(url for url in visited if "/persons/" in url and not url.endswith("/new")),
            "handoffs": f"{base}/workspace/handoffs",
            "handoff": next(url for url in visited if "/handoffs/" in url),
        }
        axe = Axe()
        serious = {}
        for name, url in pages.items():
            page.goto(url)
            if name == "add":
                page.get_by_label("First name").fill("Adaeze")
                page.get_by_label("Last name").fill("Okafor")
                page.get_by_label("Date of birth").fill("1984-07-12")
                page.get_by_role("button", name="Look for matches").click()
            if name == "sign-in":
                context.clear_cookies()
                page.goto(url)
            page.screenshot(path=str(ARTIFACTS / f"workspace-{name}-phone.png"), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} is {width} px wide at phone width"
            violations = axe.run(page).response["violations"]
            serious[name] = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
            if name == "sign-in":
                _sign_in(page, base, tokens["case_manager"])
        assert serious == {name: [] for name in pages}
    finally:
        context.close()
