"""The `coord` command as a user runs it, in a subprocess: help, tokens, erasure, key rotation, and
`serve` answering the README's requests with the starter case-manager token."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest

from tests.e2e.processes import call, coord_cli, served, starter_tokens

COMMANDS = [
    [],
    ["serve"],
    ["db"],
    ["db", "upgrade"],
    ["users"],
    ["users", "create"],
    ["users", "list"],
    ["users", "revoke"],
    ["users", "starter"],
    ["erase"],
    ["keys"],
    ["keys", "rotate"],
    ["demo"],
    ["project"],
    ["report"],
    ["report", "counts"],
    ["report", "monthly"],
    ["report", "functional-zero"],
    ["report", "handoff-gaps"],
    ["report", "outcomes"],
    ["report", "equity"],
    ["report", "pathway"],
    ["verify"],
    ["replay"],
    ["checkpoint"],
    ["scheduler"],
    ["jobs"],
    ["jobs", "list"],
    ["jobs", "run"],
    ["health"],
    ["health", "projector"],
    ["health", "scheduler"],
]


def test_every_command_has_help(cli_env):
    for command in COMMANDS:
        result = coord_cli(cli_env, *command, "--help")
        assert "Usage:" in result.stdout


def test_errors_are_one_line_and_non_zero(cli_env, tmp_path):
    coord_cli(cli_env, "db", "upgrade")
    refused = coord_cli(cli_env, "users", "create", "--role", "case_manager", check=False)
    assert refused.returncode == 1 and refused.stderr.strip().count("\n") == 0 and "agency" in refused.stderr
    unknown = coord_cli(cli_env, "erase", "00000000-0000-4000-8000-000000000000", check=False)
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr
    env = {**cli_env, "COORD_DATABASE_URL": "mysql://nope"}
    bad_url = coord_cli(env, "db", "upgrade", check=False)
    assert bad_url.returncode == 1 and "unsupported database URL" in bad_url.stderr
    no_key = {k: v for k, v in cli_env.items() if not k.startswith("COORD_MASTER")}
    no_key["COORD_DATABASE_URL"] = "postgresql://127.0.0.1:1/none"
    refused_start = coord_cli(no_key, "db", "upgrade", check=False)
    assert refused_start.returncode == 1 and "COORD_MASTER_KEY" in refused_start.stderr


def test_serve_with_starter_tokens_as_the_readme_shows(cli_env):
    coord_cli(cli_env, "db", "upgrade")
    starter = starter_tokens(cli_env)
    assert set(starter) == {"case_manager", "backbone", "auditor", "admin"}

    with served(cli_env) as base:
        token, admin = starter["case_manager"], starter["admin"]
        status, mine = call(base, "POST", "/api/v1/services", token, {"name": "Harbor outreach", "stage": "outreach"})
        assert status == 201, mine
        _, theirs = call(
            base,
            "POST",
            "/api/v1/services",
            admin,
            {"name": "Gateway shelter", "stage": "emergency_shelter", "agency": "gateway-shelter"},
        )
        status, person = call(
            base,
            "POST",
            "/api/v1/persons",
            token,
            {
                "first_name": "Sam",
                "last_name": "Rivera",
                "dob": "1988-07-14",
                "veteran": "yes",
                "household_type": "single_adult",
            },
        )
        assert status == 201 and person["first_name"] == "Sam"
        status, handoff = call(
            base,
            "POST",
            "/api/v1/handoffs",
            token,
            {
                "person_id": person["id"],
                "from_service_id": mine["id"],
                "to_service_id": theirs["id"],
                "note": "prefers mornings",
            },
        )
        assert status == 201 and handoff["status"] == "requested"
        assert (
            call(base, "GET", "/api/v1/persons?population=veterans", starter["backbone"])[1]["items"][0]["first_name"]
            == "[redacted]"
        )
        coord_cli(cli_env, "erase", person["id"])
        assert call(base, "GET", f"/api/v1/persons/{person['id']}", admin)[1]["first_name"] == "[redacted]"


def test_key_rotation_keeps_personal_data_readable(cli_env, tmp_path):
    coord_cli(cli_env, "db", "upgrade")
    from coord.config import Config
    from coord.service.principal import Principal
    from coord.wiring import open_coord

    coord = open_coord(Config.from_env(cli_env))
    person = coord.service.identify_person(
        Principal("t", "case_manager", "harbor"),
        attributes={"veteran": "no", "household_type": "youth"},
        pii={"first_name": "Ines"},
        effective_on=__import__("datetime").date.today(),
    )
    coord.close()

    if "COORD_MASTER_KEY_FILE" in cli_env:
        new_file = tmp_path / "new.key"
        out = coord_cli(cli_env, "keys", "rotate", "--new-key-file", str(new_file)).stdout
        assert "re-wrapped" in out and new_file.stat().st_mode & 0o777 == 0o600
        cli_env = {**cli_env, "COORD_MASTER_KEY_FILE": str(new_file)}
    else:
        key_file = Path(cli_env["COORD_DATA_DIR"]) / "master.key"
        before = key_file.read_text()
        coord_cli(cli_env, "keys", "rotate")
        assert key_file.read_text() != before and key_file.stat().st_mode & 0o777 == 0o600

    coord = open_coord(Config.from_env(cli_env))
    try:
        assert coord.service.privacy.open(coord.service.get_person(person.id)) == {"first_name": "Ines"}
    finally:
        coord.close()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_rotating_the_embedded_key_is_refused_while_serving(cli_env):
    from coord.serverlock import hold

    coord_cli(cli_env, "db", "upgrade")
    with hold(Path(cli_env["COORD_DATA_DIR"]), exclusive=False):
        refused = coord_cli(cli_env, "keys", "rotate", check=False)
    assert refused.returncode == 1 and "stop it" in refused.stderr
    coord_cli(cli_env, "keys", "rotate")


def test_reports_print_as_tables_csv_and_json(cli_env):
    coord_cli(cli_env, "demo", "--persons", "60", "--months", "6")
    table = coord_cli(cli_env, "report", "monthly", "--population", "all").stdout.splitlines()
    assert table[0].split()[:4] == ["population", "month", "actively", "homeless"] and len(table) == 2 + 12
    csv_text = coord_cli(cli_env, "report", "functional-zero", "--format", "csv").stdout
    assert csv_text.startswith("population,month,actively_homeless,") and csv_text.count("\n") == 7
    gaps = json.loads(coord_cli(cli_env, "report", "handoff-gaps", "--by", "sex", "--format", "json").stdout)
    assert gaps["by"] == "sex" and gaps["rows"] and all("suppressed" in row for row in gaps["rows"])
    refused = coord_cli(cli_env, "report", "monthly", "--from", "2026-13", check=False)
    assert refused.returncode == 1 and refused.stderr.strip().count("\n") == 0 and "YYYY-MM" in refused.stderr
    outcomes = coord_cli(cli_env, "report", "outcomes", "--format", "csv").stdout.splitlines()
    assert outcomes[0] == "indicator,period,assessed,met,rate" and len(outcomes) == 1 + 7 * 5
    assert any(line.split(",")[2] not in ("0", "") for line in outcomes[1:]), "the demo records outcomes"
    cut = json.loads(coord_cli(cli_env, "report", "outcomes", "--by", "age_band", "--format", "json").stdout)
    assert (cut["period"], cut["by"]) == ("school_year", "age_band") and len(cut["rows"]) == 7 * 5 * 9
    table = coord_cli(cli_env, "report", "outcomes", "--period", "calendar_year", "--indicator", "employment").stdout
    assert table.splitlines()[0].split() == ["indicator", "period", "assessed", "met", "rate"]
    bad = coord_cli(cli_env, "report", "outcomes", "--from", "2025-27", check=False)
    assert bad.returncode == 1 and bad.stderr.strip() == "Error: from must be a school year written like 2025-26"
    once = coord_cli(cli_env, "project", "--once").stdout
    assert once.startswith("projected 0 events")


def test_cut_reports_and_the_equity_view_print_as_tables_csv_and_json(cli_env):
    coord_cli(cli_env, "demo", "--persons", "60", "--months", "6")
    table = coord_cli(cli_env, "report", "monthly", "--population", "veterans", "--by", "sex").stdout.splitlines()
    assert table[0].split()[:5] == ["population", "month", "sex", "actively", "homeless"] and len(table) == 2 + 12 * 4
    counts = coord_cli(cli_env, "report", "counts", "--by", "age_band", "--format", "csv").stdout.splitlines()
    assert counts[0] == "population,age_band,active" and len(counts) == 1 + 6 * 9
    equity = json.loads(coord_cli(cli_env, "report", "equity", "--format", "json").stdout)
    assert (equity["population"], equity["by"]) == ("all", "race_ethnicity") and len(equity["rows"]) == 10
    assert sum(row["actively_homeless"] or 0 for row in equity["rows"]) <= equity["totals"]["actively_homeless"]
    refused = coord_cli(cli_env, "report", "counts", "--by", "population", check=False)
    assert refused.returncode == 2 and "population" in refused.stderr


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_verify_names_the_position_of_an_altered_or_deleted_event(cli_env):
    coord_cli(cli_env, "demo", "--persons", "20", "--months", "3")
    assert json.loads(coord_cli(cli_env, "checkpoint").stdout)["position"] > 0
    ok = coord_cli(cli_env, "verify").stdout
    assert ok.startswith("ok: ") and "events verified" in ok and "1 signed heads in the database checked" in ok
    database = cli_env["COORD_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        query = "SELECT originator_id FROM stored_events WHERE topic LIKE '%Identified' LIMIT 1"
        (someone,) = connection.execute(query).fetchone()
    coord_cli(cli_env, "erase", str(uuid.UUID(someone)))
    coord_cli(cli_env, "project", "--once")
    assert coord_cli(cli_env, "verify").stdout.startswith("ok: "), "erasure keeps the log verifiable"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE stored_events SET state = CAST(state || x'00' AS BLOB) WHERE rowid = 7")
    altered = coord_cli(cli_env, "verify", check=False)
    assert altered.returncode == 1 and "position 7 was altered" in altered.stderr
    assert altered.stderr.strip().count("\n") == 0
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE stored_events SET state = substr(state, 1, length(state) - 1) WHERE rowid = 7")
        connection.execute("DELETE FROM stored_events WHERE rowid = 12")
    removed = coord_cli(cli_env, "verify", check=False)
    assert removed.returncode == 1 and "position 12 was removed" in removed.stderr
