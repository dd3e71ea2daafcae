"""`coord replay-snapshot` as an operator runs it: it adds a snapshot of the log, says so, adds none when nothing
was recorded since, and `coord replay` answers the same from it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.e2e.processes import coord_cli


def test_coord_replay_snapshot_adds_one_and_replay_answers_the_same(cli_env):
    coord_cli(cli_env, "demo", "--persons", "20", "--months", "2")
    moment = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S")
    before = json.loads(coord_cli(cli_env, "replay", "--recorded-before", moment).stdout)
    added = coord_cli(cli_env, "replay-snapshot").stdout
    assert added.startswith(f"snapshot added at position {before['events']} ({before['events']} events")
    assert (
        coord_cli(cli_env, "replay-snapshot").stdout.strip() == "nothing recorded since the latest snapshot: none added"
    )
    assert json.loads(coord_cli(cli_env, "replay", "--recorded-before", moment).stdout) == before
    assert "Usage:" in coord_cli(cli_env, "replay-snapshot", "--help").stdout
