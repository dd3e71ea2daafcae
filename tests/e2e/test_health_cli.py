"""`coord health projector` as a monitor runs it: exit 0 while the read models keep up, 1 with one line once
an event has waited past the allowed delay with no `coord project` to apply it, 0 again after a catch-up."""

from __future__ import annotations

from events.dates import today
from projections.reports.months import label, month_of
from tests.e2e.processes import coord_cli


def test_help(cli_env):
    for args in (["health"], ["health", "projector"], ["health", "notifier"]):
        assert "Usage:" in coord_cli(cli_env, *args, "--help").stdout


def test_exit_status_follows_the_projector(cli_env):
    coord_cli(cli_env, "db", "upgrade")
    assert coord_cli(cli_env, "health", "projector").stdout == "projector: up to date\n"
    # Closing a month records one event and projects nothing after it, as if no projector ran.
    closed = coord_cli(cli_env, "month", "close", "--month", label(month_of(today()))).stdout
    recorded = closed.strip().rsplit("recorded ", 1)[1]

    within = coord_cli(cli_env, "health", "projector", "--stale-after", "3600")
    assert within.stdout == "projector: 1 event behind, within 3600 s\n"

    stale = coord_cli(cli_env, "health", "projector", "--stale-after", "0", check=False)
    assert stale.returncode == 1
    assert stale.stdout == (
        f"the read models are stale since {recorded} (1 event behind): is `coord project` running?\n"
    )

    coord_cli(cli_env, "project", "--once")
    assert coord_cli(cli_env, "health", "projector", "--stale-after", "0").stdout == "projector: up to date\n"


def test_exit_status_follows_the_notifier(cli_env):
    coord_cli(cli_env, "db", "upgrade")
    assert coord_cli(cli_env, "health", "notifier").stdout == "notifier: up to date\n"
    closed = coord_cli(cli_env, "month", "close", "--month", label(month_of(today()))).stdout
    recorded = closed.strip().rsplit("recorded ", 1)[1]

    stale = coord_cli(cli_env, "health", "notifier", "--stale-after", "0", check=False)
    assert (stale.returncode, stale.stdout) == (
        1,
        f"the outbox is stale since {recorded} (1 event behind): is `coord notify` running?\n",
    )
    coord_cli(cli_env, "notify", "--once")
    assert coord_cli(cli_env, "health", "notifier", "--stale-after", "0").stdout == "notifier: up to date\n"
