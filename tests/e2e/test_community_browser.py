"""The public page in a real browser (Debian's chromium, headless) at phone width, against `coord serve` with
the demo partnership and every section published: it opens without a token or cookie (no request carries
either), with JavaScript off, fits the phone's width, axe finds no serious or critical violation, and no count
it shows is from 1 to the threshold minus 1."""

from __future__ import annotations

import pytest

from tests.e2e.chromium import ARTIFACTS, MARKS, launched
from tests.e2e.processes import coord_cli, served

PHONE = {"width": 375, "height": 812}

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
expect = playwright.expect
pytestmark = MARKS


@pytest.fixture
def browser():
    yield from launched()


def test_a_resident_reads_the_public_page_on_a_phone(cli_env, browser):
    from axe_playwright_python.sync_playwright import Axe

    coord_cli(cli_env, "demo", "--persons", "120", "--months", "12")
    env = {**cli_env, "COORD_PUBLIC_SECTIONS": "counts,monthly,equity,outcomes,pathway"}
    with served(env) as base:
        context = browser.new_context(viewport=PHONE, java_script_enabled=False)
        try:
            page = context.new_page()
            sent = []
            page.on("request", lambda request: sent.append(request.headers))
            response = page.goto(f"{base}/community")
            assert response.status == 200
            expect(page.get_by_role("heading", name="Our community's progress")).to_be_visible()
            for name in (
                "People experiencing homelessness today",
                "Month by month",
                "Cradle to career",
                "From one stage to the next",
            ):
                expect(page.get_by_role("heading", name=name)).to_be_visible()
            assert sent and not any("authorization" in headers or "cookie" in headers for headers in sent)

            shown = [text.strip() for text in page.locator(".n").all_text_contents()]
            numbers = [int(text) for text in shown if text != "hidden"]
            assert numbers and [n for n in numbers if 0 < n < 11] == []
            assert any(n >= 11 for n in numbers)

            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "community-phone.png"), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the page is {width} px wide at phone width"
        finally:
            context.close()
        context = browser.new_context(viewport=PHONE)
        try:
            page = context.new_page()
            page.goto(f"{base}/community")
            violations = Axe().run(page).response["violations"]
            assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
        finally:
            context.close()


def test_serve_with_an_unknown_section_stops_with_one_line_naming_it(cli_env, tmp_path):
    env = {**cli_env, "COORD_PUBLIC_SECTIONS": "counts,pathways"}
    result = coord_cli(env, "serve", "--port", "0", check=False)
    assert (result.returncode, result.stderr.splitlines()[-1]) == (
        1,
        "Error: COORD_PUBLIC_SECTIONS: unknown section 'pathways';"
        " the sections are counts, monthly, equity, outcomes, pathway",
    )
    assert not (tmp_path / "data" / "master.key").exists()  # stopped before generating anything
