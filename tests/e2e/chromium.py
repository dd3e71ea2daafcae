"""Debian's chromium for the browser tests (never a downloaded browser): where it is, its flags, the marks every
browser test module carries, and a launched browser. Each module still says `pytest.importorskip` itself, so
that a machine without playwright skips it with the reason."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: Screenshots the browser tests leave for a person to look at (not in git).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

#: Skip without chromium; the browser tests serve the embedded store.
MARKS = [
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} is missing: Debian's chromium could not be installed (apt-get install chromium)",
    ),
    pytest.mark.parametrize("store_url", ["sqlite"], indirect=True),
]


def launched() -> Iterator[Any]:
    """A headless chromium until the generator is closed (the body of a `browser` fixture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()
