"""`coord verify`, `coord checkpoint` and `coord replay`: the auditors' commands."""

from __future__ import annotations

import json
from datetime import UTC, date
from typing import Any

import click

from coord.cli.reports import read_month
from coord.config import Config
from coord.service.principal import Principal
from coord.wiring import open_coord

#: The operator on the server: reads the history with an admin's rights.
OPERATOR = Principal.system("cli-audit")


def _coord():
    return open_coord(Config.from_env())


@click.command()
def verify() -> None:
    """Check the event log against the audit hash chain; exits 1 naming the first position tampered with."""
    from coord.service.audit import verify as verify_log

    coord = _coord()
    verdict = verify_log(coord, OPERATOR)
    coord.close()
    if not verdict["ok"]:
        raise click.ClickException(f"the log does not verify: {verdict['problem']}")
    click.echo(
        f"ok: {verdict['checked']} events verified against the audit chain (up to position "
        f"{verdict['chained_to']}), {verdict['checkpoints']} signed checkpoints"
    )
    if verdict["unchecked_checkpoints"]:
        click.echo(f"{verdict['unchecked_checkpoints']} checkpoints not checked: no COORD_AUDIT_SIGNING_KEY", err=True)


@click.command()
def checkpoint() -> None:
    """Sign a checkpoint (position, hash, time) of the audit chain's head with COORD_AUDIT_SIGNING_KEY."""
    from coord.service.audit import checkpoint as sign_checkpoint

    coord = _coord()
    try:
        made = sign_checkpoint(coord)
    finally:
        coord.close()
    click.echo(f"checkpoint at position {made['position']}: {made['hash']} (key {made['key_id']})")


@click.command()
@click.option(
    "--recorded-before",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    help="a moment in UTC, YYYY-MM-DDTHH:MM:SS (or a date: its midnight)",
)
@click.option("--month", callback=read_month, help="YYYY-MM whose metrics to replay (default: that moment's month)")
def replay(recorded_before: Any, month: date | None) -> None:
    """What the list said at a past moment: live counts and a month's metrics from the events recorded before it."""
    from coord.service.replay import replay as replay_log

    coord = _coord()
    result = replay_log(coord, OPERATOR, recorded_before=recorded_before.replace(tzinfo=UTC), month=month)
    coord.close()
    click.echo(json.dumps(result, indent=2))
