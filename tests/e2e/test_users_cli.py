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


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_starter_tokens_are_marked_not_found_by_label_and_never_admin(cli_env):
    """Issue 11, finding 11: `make run` (`coord users starter`) printed an admin token each time and revoked
    every token labelled "make-run"."""
    coord_cli(cli_env, "db", "upgrade")
    kept = coord_cli(cli_env, "users", "create", "--role", "backbone", "--label", "make-run").stdout.strip()
    first = coord_cli(cli_env, "users", "starter").stdout
    printed = dict(line.split() for line in first.splitlines() if line.startswith("  "))
    assert sorted(printed) == ["auditor", "backbone", "case_manager"]
    assert "coord users create --role admin" in first
    coord_cli(cli_env, "users", "starter")
    rows = [line.split() for line in coord_cli(cli_env, "users", "list").stdout.splitlines()]
    assert [(row[1], row[3], row[4]) for row in rows] == [
        ("backbone", "active", "-"),  # the operator's token, whatever its label
        ("case_manager", "revoked", "starter"),
        ("backbone", "revoked", "starter"),
        ("auditor", "revoked", "starter"),
        ("case_manager", "active", "starter"),
        ("backbone", "active", "starter"),
        ("auditor", "active", "starter"),
    ]
    assert rows[0][0] == kept.split("_")[1]
