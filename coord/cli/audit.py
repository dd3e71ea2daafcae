"""`coord verify`, `coord checkpoint`, `coord replay` and `coord replay-snapshot`: the auditors' commands."""

from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path
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
@click.option(
    "--against",
    type=click.Path(dir_okay=False, path_type=Path),
    help="a signed head that `coord checkpoint` printed, kept away from the database: the log must extend it",
)
@click.option(
    "--incremental",
    is_flag=True,
    help="check only what was recorded after the latest signed head in the database (its signature checked)",
)
def verify(against: Path | None, incremental: bool) -> None:
    """Check the event log and the access log against their hash chains and the signed heads (needs only
    COORD_AUDIT_PUBLIC_KEY); exits 1 naming the first thing tampered with, else says how far the log is anchored."""
    from coord.service.audit import verify as verify_log

    head = _read_head(against) if against is not None else None
    coord = _coord()
    try:
        verdict = verify_log(coord, OPERATOR, head, incremental=incremental)
    finally:
        coord.close()
    if not verdict["ok"]:
        raise click.ClickException(f"the log does not verify: {verdict['problem']}")
    since = f" after the signed head at position {verdict['since']}" if verdict["since"] else ""
    click.echo(
        f"ok: {verdict['checked']} events{since} verified against the audit chain, {verdict['checkpoints']} signed "
        f"heads in the database checked"
    )
    by = f"the head in {against}" if against is not None else "signed heads in the database only"
    click.echo(f"anchored up to position {verdict['anchored_to']} of {verdict['last_position']} by {by}")
    click.echo(
        f"access log: {verdict['access_checked']} entries verified, anchored up to entry "
        f"{verdict['access_anchored_to']} of {verdict['access_last_id']}"
    )


def _read_head(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise click.ClickException(f"{path} cannot be read: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise click.ClickException(f"{path} is not a signed head: not JSON") from None


@click.command()
def checkpoint() -> None:
    """Sign the audit's head (position, hash, time, key id, signature; and the access log's) with
    COORD_AUDIT_SIGNING_KEY, and print it as JSON: keep it away from the database, for `coord verify --against`."""
    from coord.service.audit import checkpoint as sign_checkpoint

    coord = _coord()
    try:
        made = sign_checkpoint(coord)
    finally:
        coord.close()
    click.echo(json.dumps(made, indent=2))


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


@click.command("replay-snapshot")
def replay_snapshot() -> None:
    """Add a replay snapshot now (what the daily audit-checkpoint job does): `coord replay` and /audit/replay then
    start from it for any moment after the latest event it holds."""
    from coord.service.replay_snapshots import take

    coord = _coord()
    try:
        made = take(coord)
    finally:
        coord.close()
    if made is None:
        click.echo("nothing recorded since the latest snapshot: none added")
    else:
        click.echo(
            f"snapshot added at position {made.position} ({made.events} events, the latest recorded at "
            f"{made.latest_recorded.isoformat()})"
        )
