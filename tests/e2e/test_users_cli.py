"""`coord users create` binds tokens only to agency codes the API accepts: a refused code is one line, exit 1,
and no token."""

from __future__ import annotations

import pytest

from tests.e2e.processes import coord_cli

REFUSED = ["Agency A", "harbor/outreach", "-harbor", "x" * 65]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_an_agency_the_api_would_refuse_is_refused_here(cli_env):
    coord_cli(cli_env, "db", "upgrade")
    for agency in REFUSED:
        refused = coord_cli(cli_env, "users", "create", "--role", "case_manager", "--agency", agency, check=False)
        assert refused.returncode == 1 and refused.stderr.strip().count("\n") == 0, agency
        assert "an agency code is 1-64 of a-z, 0-9" in refused.stderr and "Traceback" not in refused.stderr
        assert refused.stdout == "", agency
    assert coord_cli(cli_env, "users", "list").stdout == "", "no token was created"
    made = coord_cli(cli_env, "users", "create", "--role", "case_manager", "--agency", "harbor-outreach.2")
    assert made.stdout.startswith("coord_")
