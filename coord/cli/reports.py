"""`coord report`: the backbone's reports as tables, CSV or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import click
from tabulate import tabulate

from coord.config import Config
from coord.report_formats import Report
from coord.service import pathway, reports
from coord.service import report_params as params
from coord.service.principal import Principal
from coord.wiring import Coord, open_coord

#: The operator on the server: reads the reports with an admin's rights.
OPERATOR = Principal.system("cli-report")
FORMAT = click.option(
    "--format", "output", type=click.Choice(("table", "csv", "json")), default="table", show_default=True
)


def read_month(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """A month option, read by the same parser as the API's month parameters."""
    return params.parse_month(value, param.opts[0]) if value else None


@click.group()
def report() -> None:
    """Print a report (as of the head of the log) for the backbone."""


def _print(build: Callable[[Coord], Report], output: str) -> None:
    coord = open_coord(Config.from_env())
    try:
        coord.service.project()
        result = build(coord)
    finally:
        coord.close()
    if output == "json":
        click.echo(json.dumps(result.as_json(), indent=2))
    elif output == "csv":
        click.echo(result.as_csv(), nl=False)
    else:
        click.echo(_table(result))


def _table(result: Report) -> str:
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


BY = click.option("--by", type=click.Choice(params.PERSON_CUTS), help="cut by this; small cells are suppressed")


@report.command()
@BY
@FORMAT
def counts(by: str | None, output: str) -> None:
    """Live counts: active persons per population now."""
    _print(lambda coord: reports.counts(coord, OPERATOR, by=by), output)


@report.command()
@click.option("--from", "first", callback=read_month, help="first month, YYYY-MM (default: 11 months before --to)")
@click.option("--to", "last", callback=read_month, help="last month, YYYY-MM (default: this month)")
@click.option("--population", type=click.Choice(params.POPULATIONS), help="one population (default: all six)")
@BY
@FORMAT
def monthly(first: date | None, last: date | None, population: str | None, by: str | None, output: str) -> None:
    """Built for Zero monthly metrics per population and month."""
    _print(
        lambda coord: reports.monthly_report(coord, OPERATOR, first=first, last=last, population=population, by=by),
        output,
    )


@report.command("functional-zero")
@click.option("--month", callback=read_month, help="YYYY-MM (default: the last complete month)")
@FORMAT
def functional_zero(month: date | None, output: str) -> None:
    """Functional zero per population: threshold, reached, brief, streak."""
    _print(lambda coord: reports.functional_zero_report(coord, OPERATOR, month=month), output)


@report.command()
@click.option("--month", callback=read_month, help="YYYY-MM (default: the last complete month)")
@FORMAT
def bfz(month: date | None, output: str) -> None:
    """The Built for Zero submission: monthly metrics per population, the month before, whether it balances."""
    _print(lambda coord: reports.bfz_report(coord, OPERATOR, month=month), output)


def episode_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options of a report on handoff episodes (handoff gaps, the cradle-to-career funnel)."""
    options = (
        click.option("--from", "first", callback=read_month, help="first month of first requests, YYYY-MM"),
        click.option("--to", "last", callback=read_month, help="last month of first requests, YYYY-MM"),
        click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="report date (default: today)"),
        click.option(
            "--window-days", type=click.IntRange(*params.WINDOW_DAYS), help="default: each to-service's own window"
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


@report.command("handoff-gaps")
@episode_options
@click.option("--by", type=click.Choice(params.CUTS), help="cut by this; small cells are suppressed")
@FORMAT
def handoff_gaps(
    first: date | None, last: date | None, as_of: Any, window_days: int | None, by: str | None, output: str
) -> None:
    """Handoff gaps per to-service, stage pair and month of first request."""
    day = as_of.date() if as_of else None
    _print(
        lambda coord: reports.handoff_gaps_report(
            coord, OPERATOR, first=first, last=last, as_of=day, window_days=window_days, by=by
        ),
        output,
    )


@report.command()
@click.option(
    "--period", type=click.Choice(params.PERIODS), help="school_year (July to June, the default) or calendar_year"
)
@click.option("--from", "first", help="first period, e.g. 2021-22 or 2021 (default: 4 periods before --to)")
@click.option("--to", "last", help="last period, e.g. 2025-26 or 2025 (default: the current one)")
@click.option("--indicator", type=click.Choice(params.OUTCOME_INDICATORS), help="one indicator (default: all)")
@click.option("--by", type=click.Choice(params.PERSON_CUTS), help="cut by this; small cells are suppressed")
@FORMAT
def outcomes(
    period: str | None, first: str | None, last: str | None, indicator: str | None, by: str | None, output: str
) -> None:
    """Cradle-to-career outcomes per indicator and period: assessed, met, rate."""
    _print(
        lambda coord: reports.outcomes_report(
            coord, OPERATOR, period=period, first=first, last=last, indicator=indicator, by=by
        ),
        output,
    )


@report.command()
@click.option("--population", type=click.Choice(params.POPULATIONS), help="default: all")
@click.option("--from", "first", callback=read_month, help="first month, YYYY-MM (default: 11 months before --to)")
@click.option("--to", "last", callback=read_month, help="last month, YYYY-MM (default: this month)")
@click.option("--by", type=click.Choice(params.PERSON_CUTS), help="the cut (default: race_ethnicity)")
@FORMAT
def equity(population: str | None, first: date | None, last: date | None, by: str | None, output: str) -> None:
    """Equity: each group's share of the actively homeless, of housing placements and of returns."""
    _print(
        lambda coord: reports.equity_report(coord, OPERATOR, population=population, first=first, last=last, by=by),
        output,
    )


@report.command("pathway")
@episode_options
@FORMAT
def pathway_command(first: date | None, last: date | None, as_of: Any, window_days: int | None, output: str) -> None:
    """The cradle-to-career path: persons served per stage (on --as-of) and the stage-to-stage funnel."""
    day = as_of.date() if as_of else None
    _print(
        lambda coord: pathway.pathway_report(
            coord, OPERATOR, first=first, last=last, as_of=day, window_days=window_days
        ),
        output,
    )
