"""Fixtures of the end-to-end tests: the environment a user's shell would give `coord`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.processes import cli_environment


@pytest.fixture
def cli_env(store_url: str, tmp_path: Path) -> dict[str, str]:
    return cli_environment(store_url, tmp_path)
