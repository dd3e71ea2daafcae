"""`coord month close` and `coord report bfz` as an operator runs them: help, a close and a resubmission in
the log, the submission printed, and a month still to come refused in one line."""

from __future__ import annotations

import csv
import io
import json

from events.dates import today
from projections.reports.months import add_months, label, month_of
from tests.e2e.processes import coord_cli


def test_help(cli_env):
    for args in (["month"], ["month", "close"], ["report", "bfz"]):
        result = coord_cli(cli_env, *args, "--help")
        assert "Usage:" in result.stdout, args


def test_close_a_month_twice_and_print_its_submission(cli_env):
    coord_cli(cli_env, "demo", "--persons", "40", "--months", "6")
    month = label(add_months(month_of(today()), -1))
    first = coord_cli(cli_env, "month", "close", "--month", month).stdout
    assert first.startswith(f"closed {month}: submission 1 of 6 populations")
    assert "submission 2" in coord_cli(cli_env, "month", "close", "--month", month).stdout

    bfz = json.loads(coord_cli(cli_env, "report", "bfz", "--format", "json").stdout)
    assert bfz["month"] == month and len(bfz["rows"]) == 6 and all(row["balanced"] for row in bfz["rows"])
    table = coord_cli(cli_env, "report", "bfz", "--month", month).stdout
    assert "previous actively homeless" in table and "balanced" in table
    cells = list(csv.DictReader(io.StringIO(coord_cli(cli_env, "report", "bfz", "--format", "csv").stdout)))
    assert [row["balanced"] for row in cells] == ["true"] * 6


def test_a_month_still_to_come_is_refused_in_one_line(cli_env):
    coord_cli(cli_env, "db", "upgrade")
    result = coord_cli(cli_env, "month", "close", "--month", label(add_months(month_of(today()), 1)), check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "may not be after" in result.stderr
    bad = coord_cli(cli_env, "month", "close", "--month", "2026-13", check=False)
    assert bad.returncode != 0 and "YYYY-MM" in bad.stderr
