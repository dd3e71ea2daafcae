"""`coord month close`: record a month's Built for Zero submission from the server, as the system."""

from __future__ import annotations

from datetime import date

import click

from coord.cli.reports import read_month
from coord.config import Config
from coord.service import submissions
from coord.service.principal import Principal
from coord.wiring import open_coord
from projections.reports.months import label

#: The operator on the server closes months with an admin's rights.
OPERATOR = Principal.system("cli-month")


@click.group()
def month() -> None:
    """Month close: what was submitted to Built for Zero stays on record."""


@month.command()
@click.option("--month", "closed", required=True, callback=read_month, help="YYYY-MM: a past month or this one")
def close(closed: date) -> None:
    """Close a month: record its monthly metrics per population as submitted (again: a resubmission)."""
    coord = open_coord(Config.from_env())
    try:
        submission = submissions.close_month(coord, OPERATOR, closed)
    finally:
        coord.close()
    latest = submission.latest
    click.echo(
        f"closed {label(submission.month)}: submission {latest['submission']} of {len(latest['rows'])} populations, "
        f"recorded {latest['closed_at'].isoformat()}"
    )
