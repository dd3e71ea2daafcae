"""`coord import-hmis` as an operator runs it: a summary on standard output, nothing appended for a
malformed export (one clear message, exit status 1), and nothing appended the second time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.processes import cli_environment, coord_cli
from tests.hmis_fixtures import client, enrollment, project, service, write_export


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_import_hmis_prints_a_summary_and_appends_nothing_again(tmp_path: Path, store_url: str) -> None:
    env = cli_environment(store_url, tmp_path)
    export = tmp_path / "export"
    write_export(
        export,
        clients=[client("1")],
        projects=[project("P1", 4)],
        enrollments=[enrollment("E1", "1", "P1", "2022-01-10")],
        services=[service("E1", "2022-02-01")],
    )
    dry = json.loads(coord_cli(env, "import-hmis", str(export), "--dry-run").stdout)
    first = json.loads(coord_cli(env, "import-hmis", str(export)).stdout)
    again = json.loads(coord_cli(env, "import-hmis", str(export)).stdout)

    assert (dry["dry_run"], dry["events"]["Identified"]) == (True, 1)
    assert first["events"] == {"ContactRecorded": 2, "Identified": 1, "MarkedInactive": 1, "Registered": 1}
    assert (again["persons_matched"], again["events"]) == (1, {})


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_malformed_export_stops_with_one_message(tmp_path: Path, store_url: str) -> None:
    env = cli_environment(store_url, tmp_path)
    export = tmp_path / "export"
    write_export(export, clients=[client("1")], projects=[project("P1", 4)])
    (export / "Client.csv").unlink()
    failed = coord_cli(env, "import-hmis", str(export), check=False)
    assert failed.returncode == 1
    assert failed.stderr.startswith("Error: the export cannot be imported, nothing was appended:")
    assert "Client.csv" in failed.stderr and "Traceback" not in failed.stderr
