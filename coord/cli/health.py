"""`coord health`: is each background process keeping up? For an operator or a monitor: one line, and exit
status 1 when something is not."""

from __future__ import annotations

from datetime import timedelta

import click

from coord.config import Config
from coord.service.staleness import counts_staleness, iso
from coord.wiring import open_coord
from projections.staleness import STALE_AFTER


@click.group()
def health() -> None:
    """Checks of the background processes: exit 0 when it keeps up, 1 (with one line saying why) when not."""


def _stale_after(waiting_for: str):
    return click.option(
        "--stale-after",
        type=click.FloatRange(min=0),
        default=STALE_AFTER.total_seconds(),
        show_default=True,
        help=f"seconds an event may wait {waiting_for} before the process counts as not keeping up",
    )


@health.command()
@_stale_after("to be projected (the live counts are stale then)")
def projector(stale_after: float) -> None:
    """Are the read models behind the live counts keeping up with the log (is `coord project` running)?"""
    _follows_the_log("projector", "the read models are", "coord project", stale_after)


@health.command()
@_stale_after("to reach the outbox")
def notifier(stale_after: float) -> None:
    """Is the notifier following the log into its outbox (is `coord notify` running)?"""
    from coord.notify.outbox import OUTBOX

    _follows_the_log("notifier", "the outbox is", "coord notify", stale_after, read_model=OUTBOX)


def _follows_the_log(name: str, what: str, command: str, stale_after: float, read_model: str | None = None) -> None:
    """Exit 0 saying how far behind it is, or 1 saying since when `what` ("the outbox is") stale
    (projections/staleness.py)."""
    coord = open_coord(Config.from_env())
    try:
        state = counts_staleness(coord, stale_after=timedelta(seconds=stale_after), read_model=read_model)
    finally:
        coord.close()
    if state.since:
        click.echo(f"{what} stale since {iso(state.since)} ({_events(state.behind)} behind): is `{command}` running?")
        click.get_current_context().exit(1)
    behind = f"{_events(state.behind)} behind, within {stale_after:g} s" if state.behind else "up to date"
    click.echo(f"{name}: {behind}")


def _events(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count} events"


@health.command()
def scheduler() -> None:
    """Is a scheduler alive on this host (leading, or standing by), and does one lead the others?"""
    import socket

    from coord.jobs import runs

    config = Config.from_env()
    coord = open_coord(config)
    within = timedelta(seconds=max(3 * config.jobs_tick_seconds, 30))
    try:
        alive = runs.alive(coord.db, within)
    finally:
        coord.close()
    here = [row for row in alive if row["host"] == socket.gethostname()]
    leaders = [row["runner"] for row in alive if row["leading"]]
    if not here:
        click.echo(f"no scheduler on this host was seen in the last {within.seconds} s: is `coord scheduler` running?")
        click.get_current_context().exit(1)
    if not leaders:
        click.echo(f"scheduler {here[0]['runner']} is alive but none leads: the jobs are not running")
        click.get_current_context().exit(1)
    role = "leads" if here[0]["leading"] else f"stands by ({leaders[0]} leads)"
    click.echo(f"scheduler {here[0]['runner']}: {role}")
