"""The cradle-to-career path report (projections/reports/pathway.py) as the HTTP API, the CLI and the dashboard
serve it, and which of the two paths a partnership runs."""

from __future__ import annotations

from datetime import date

from coord.report_formats import Report
from coord.service import permissions
from coord.service import report_params as params
from coord.service.principal import Principal
from coord.wiring import Coord
from projections.reports.pathway import FUNNEL, paths_run, pathway

COLUMNS = ["stage", "served", "next_stage", *FUNNEL, "pickup_rate"]


def pathway_report(
    coord: Coord,
    who: Principal,
    *,
    first: date | None = None,
    last: date | None = None,
    as_of: date | None = None,
    window_days: int | None = None,
) -> Report:
    """Exact counts, uncut: only report readers (the backbone, auditors, admins) see them."""
    permissions.require(who, permissions.READ_REPORTS)
    first, last, as_of, window_days = params.episodes(first, last, as_of, window_days)
    with coord.db.read() as connection:
        rows = pathway(connection, first=first, last=last, as_of=as_of, window_days=window_days)
    parameters = {"from": first, "to": last, "as_of": as_of, "window_days": window_days}
    return Report(parameters, COLUMNS, rows)


def partnership_paths(coord: Coord) -> set[str]:
    """`homelessness` and/or `cradle_to_career`: the paths whose views the dashboard shows. A catalogue with a
    service of either path runs that one; one with no cradle-to-career service (an empty one, or a by-name
    list imported from an HMIS without a catalogue) is a homelessness partnership. Stage names only: no right."""
    with coord.db.read() as connection:
        paths = paths_run(connection)
    return paths if paths else {"homelessness"}
