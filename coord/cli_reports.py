"""`coord project` (follow the log, or rebuild the read models) and `coord report` (tables, CSV or JSON)."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

import click
from tabulate import tabulate

from coord import reports
from coord.config import Config
from coord.live import POLL_SECONDS
from coord.wiring import Coord, open_coord
from projections.db import libpq_url
from projections.follow import PROJECTED_CHANNEL, Follower, listen
from projections.runner import CatchUp


@click.command()
@click.option("--rebuild", is_flag=True, help="empty every read model and replay the whole log, then exit")
@click.option("--once", is_flag=True, help="catch up to the head of the log and exit instead of following")
@click.option("--page-size", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="events per transaction")
def project(rebuild: bool, once: bool, page_size: int) -> None:
    """Project the log into the read models and extend the audit chain: follow the log (default), catch up
    once, or rebuild the read models (the audit chain is never rebuilt: it is the evidence).

    Killed at any moment, it loses nothing: each page of events commits with its position, and the next
    run goes on from there.
    """
    coord = open_coord(Config.from_env())
    catch_up = CatchUp(coord.app, coord.db, coord.app.projections.projectors, page_size, PROJECTED_CHANNEL)
    try:
        if rebuild:
            catch_up.reset()
            head = coord.app.recorder.max_notification_id() or 0
            with click.progressbar(length=head, label="rebuilding read models", file=sys.stderr) as bar:
                count = catch_up.run(on_page=bar.update)
            click.echo(f"rebuilt the read models from {count} events")
        elif once:
            count = catch_up.run()
            coord.app.audit_chain.run()
            click.echo(f"projected {count} events; the read models are at the head of the log")
        else:
            _follow(coord, lambda: catch_up.run() + coord.app.audit_chain.run())
    finally:
        coord.close()


def _follow(coord: Coord, run: Callable[[], int]) -> None:
    postgres = coord.config.is_postgres
    follower = Follower(
        run, poll_seconds=POLL_SECONDS["postgres" if postgres else "sqlite"], stopping=coord.stopping
    )

    def stop(_signum: int, _frame: Any) -> None:
        coord.stopping.set()
        follower.wake()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if postgres:
        # The event store notifies its own channel on every insert.
        listen(libpq_url(coord.config.database_url), coord.app.recorder.channel_name, follower.wake, coord.stopping)
    click.echo("following the log (Ctrl-C to stop)", err=True)
    follower.follow()
    click.echo("stopped", err=True)


# -- reports ------------------------------------------------------------------------------------

FORMAT = click.option(
    "--format", "output", type=click.Choice(("table", "csv", "json")), default="table", show_default=True
)


def _month(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    return reports.parse_month(value, f"--{param.name}") if value else None


@click.group()
def report() -> None:
    """Print a report (as of the head of the log) for the backbone."""


def _print(build: Callable[[Coord], reports.Report], output: str) -> None:
    coord = open_coord(Config.from_env())
    try:
        coord.app.project()
        result = build(coord)
    finally:
        coord.close()
    if output == "json":
        click.echo(json.dumps(result.as_json(), indent=2))
    elif output == "csv":
        click.echo(result.as_csv(), nl=False)
    else:
        click.echo(_table(result))


def _table(result: reports.Report) -> str:
    cells = []
    for row in result.as_json()["rows"]:
        hidden = set(row.get("suppressed") or ())
        cells.append(["suppressed" if name in hidden else _shown(row.get(name)) for name in result.columns])
    if not cells:
        return "(no rows)"
    return tabulate(cells, headers=[name.replace("_", " ") for name in result.columns], disable_numparse=True)


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@report.command()
@click.option("--from", "first", callback=_month, help="first month, YYYY-MM (default: 11 months before --to)")
@click.option("--to", "last", callback=_month, help="last month, YYYY-MM (default: this month)")
@click.option("--population", type=click.Choice(reports.POPULATIONS), help="one population (default: all six)")
@FORMAT
def monthly(first: date | None, last: date | None, population: str | None, output: str) -> None:
    """Built for Zero monthly metrics per population and month."""
    _print(lambda coord: reports.monthly_report(coord, first=first, last=last, population=population), output)


@report.command("functional-zero")
@click.option("--month", callback=_month, help="YYYY-MM (default: the last complete month)")
@FORMAT
def functional_zero(month: date | None, output: str) -> None:
    """Functional zero per population: threshold, reached, brief, streak."""
    _print(lambda coord: reports.functional_zero_report(coord, month=month), output)


@report.command("handoff-gaps")
@click.option("--from", "first", callback=_month, help="first month of first requests, YYYY-MM")
@click.option("--to", "last", callback=_month, help="last month of first requests, YYYY-MM")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="report date (default: today)")
@click.option("--window-days", type=click.IntRange(1, 365), help="default: each to-service's own window")
@click.option("--by", type=click.Choice(reports.CUTS), help="cut by this; small cells are suppressed")
@FORMAT
def handoff_gaps(
    first: date | None, last: date | None, as_of: Any, window_days: int | None, by: str | None, output: str
) -> None:
    """Handoff gaps per to-service, stage pair and month of first request."""
    day = as_of.date() if as_of else None
    _print(
        lambda coord: reports.handoff_gaps_report(
            coord, first=first, last=last, as_of=day, window_days=window_days, by=by
        ),
        output,
    )
