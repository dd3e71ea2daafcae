"""The reports as the HTTP API and the CLI both serve them: parameters checked by coord/service/report_params.py,
rows from projections/reports/, each returned as a Report (coord/report_formats.py writes it out)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from coord.report_formats import Report
from coord.service import permissions
from coord.service import report_params as params
from coord.service.principal import Principal
from coord.service.submissions import with_revisions
from coord.wiring import Coord
from events.dates import today
from events.errors import RuleError
from events.populations import POPULATIONS
from projections.reports.counts import live_counts, live_counts_by
from projections.reports.equity import equity
from projections.reports.flows import first_day
from projections.reports.functional_zero import functional_zero, history_start
from projections.reports.handoff_gaps import handoff_gaps
from projections.reports.monthly import METRICS, monthly
from projections.reports.monthly_cuts import monthly_by
from projections.reports.months import add_months
from projections.reports.outcomes import outcomes
from projections.reports.periods import period_label
from projections.tables import projection_positions

FZ_COLUMNS = [
    "population",
    "month",
    "actively_homeless",
    "housing_placements",
    "proven_rate",
    "window_months",
    "threshold",
    "reached",
    "avg_days_to_housing",
    "brief",
    "streak",
]
BFZ_COLUMNS = ["population", "month", *METRICS, "previous_actively_homeless", "balanced"]
GAP_KEYS = ["month", "to_service_id", "to_service", "from_stage", "to_stage"]
GAP_MEASURES = [
    "episodes",
    "picked_up",
    "gaps",
    "gap_rate",
    "censored",
    "p50_days_to_acceptance",
    "p90_days_to_acceptance",
    "never_accepted_rejected",
    "never_accepted_cancelled",
    "never_accepted_expired",
    "stale",
]

OUTCOME_MEASURES = ["assessed", "met", "rate"]


def counts(coord: Coord, who: Principal, *, by: str | None = None) -> Report:
    """Active persons per population now; with `by`, per population and value of the cut, suppressed."""
    permissions.require(who, permissions.READ_REPORTS)
    by = params.person_cut(by)
    on = today()
    suppress_below = coord.config.suppress_below
    with coord.db.read() as connection:
        if by:
            rows = live_counts_by(connection, on=on, by=by, suppress_below=suppress_below)
        else:
            active = live_counts(connection, on=on)
            rows = [{"population": population, "active": active[population]} for population in POPULATIONS]
        position = connection.execute(
            select(projection_positions.c.position).where(projection_positions.c.name == "populations")
        ).scalar()
    parameters = {"as_of": on, "position": position or 0}
    if by:
        parameters |= {"by": by, "suppress_below": suppress_below}
    return Report(parameters, ["population", *([by] if by else []), "active"], rows)


def monthly_report(
    coord: Coord,
    who: Principal,
    *,
    first: date | None = None,
    last: date | None = None,
    population: str | None = None,
    revisions: bool = False,
    by: str | None = None,
) -> Report:
    """With `revisions`, each row beside the month's latest submission (coord/service/submissions.py); with
    `by`, each population and month per value of the cut, suppressed (a submission is never cut)."""
    permissions.require(who, permissions.READ_REPORTS)
    first, last = params.month_range(first, last)
    population, by = params.population(population), params.person_cut(by)
    if by and revisions:
        raise RuleError("revisions compare with the submitted metrics, which are not cut: ask without by")
    populations = (population,) if population else POPULATIONS
    suppress_below = coord.config.suppress_below
    with coord.db.read() as connection:
        if by:
            rows = monthly_by(
                connection, first=first, last=last, by=by, populations=populations, suppress_below=suppress_below
            )
        else:
            rows = monthly(connection, first=first, last=last, populations=populations)
    parameters: dict[str, Any] = {"from": first, "to": last, "population": population}
    if by:
        parameters |= {"by": by, "suppress_below": suppress_below}
    report = Report(parameters, ["population", "month", *([by] if by else []), *METRICS], rows)
    return with_revisions(coord, report) if revisions else report


def bfz_report(coord: Coord, who: Principal, *, month: date | None = None) -> Report:
    """What Built for Zero asks each month: the monthly report's row per population for `month` (by default
    the last complete month), the month before's actively homeless, and whether the flows balance."""
    permissions.require(who, permissions.READ_REPORTS)
    month = params.one_month(month, default=params.last_complete_month())
    previous = add_months(month, -1)
    with coord.db.read() as connection:
        rows = monthly(connection, first=previous, last=month, populations=POPULATIONS)
    before = {row["population"]: row["actively_homeless"] for row in rows if row["month"] == previous}
    submission = [
        {
            **row,
            "previous_actively_homeless": before[row["population"]],
            "balanced": before[row["population"]] + row["inflow"] - row["outflow"] == row["actively_homeless"],
        }
        for row in rows
        if row["month"] == month
    ]
    return Report({"month": month}, BFZ_COLUMNS, submission)


def functional_zero_report(coord: Coord, who: Principal, *, month: date | None = None) -> Report:
    """For `month`, by default the last complete month: a month under way has not had its placements yet."""
    permissions.require(who, permissions.READ_REPORTS)
    month = params.one_month(month, default=params.last_complete_month())
    config = coord.config
    with coord.db.read() as connection:
        rows = functional_zero(
            connection,
            month=month,
            first_month=history_start(first_day(connection)),
            window_months=config.fz_window_months,
            pit_count=config.pit_count,
        )
    parameters = {"month": month, "window_months": config.fz_window_months, "pit_count": config.pit_count}
    return Report(parameters, FZ_COLUMNS, rows)


def handoff_gaps_report(
    coord: Coord,
    who: Principal,
    *,
    first: date | None = None,
    last: date | None = None,
    as_of: date | None = None,
    window_days: int | None = None,
    by: str | None = None,
) -> Report:
    permissions.require(who, permissions.READ_REPORTS)
    first, last, as_of, window_days = params.episodes(first, last, as_of, window_days)
    by = params.cut(by)
    suppress_below = coord.config.suppress_below
    with coord.db.read() as connection:
        rows = handoff_gaps(
            connection,
            first=first,
            last=last,
            as_of=as_of,
            window_days=window_days,
            by=by,
            suppress_below=suppress_below,
        )
    parameters = {
        "from": first,
        "to": last,
        "as_of": as_of,
        "window_days": window_days,
        "by": by,
        "suppress_below": suppress_below,
    }
    return Report(parameters, [*GAP_KEYS, *([by] if by else []), *GAP_MEASURES], rows)


def outcomes_report(
    coord: Coord,
    who: Principal,
    *,
    period: str | None = None,
    first: str | None = None,
    last: str | None = None,
    indicator: str | None = None,
    by: str | None = None,
) -> Report:
    """`first` and `last` are period labels (2025-26; 2025 for calendar years), read by report_params."""
    permissions.require(who, permissions.READ_REPORTS)
    kind = params.period_kind(period)
    start, end = params.period_range(kind, first, last)
    indicators, by = params.indicator(indicator), params.person_cut(by)
    suppress_below = coord.config.suppress_below
    with coord.db.read() as connection:
        rows = outcomes(
            connection, period=kind, first=start, last=end, indicators=indicators, by=by, suppress_below=suppress_below
        )
    parameters = {
        "period": kind,
        "from": period_label(kind, start),
        "to": period_label(kind, end),
        "indicator": indicator,
        "by": by,
        "suppress_below": suppress_below,
    }
    return Report(parameters, ["indicator", "period", *([by] if by else []), *OUTCOME_MEASURES], rows)


EQUITY_COLUMNS = [
    "actively_homeless",
    "share_of_actively_homeless",
    "housing_placements",
    "share_of_housing_placements",
    "returned_from_housing",
    "share_of_returns",
    "placement_ratio",
]


def equity_report(
    coord: Coord,
    who: Principal,
    *,
    population: str | None = None,
    first: date | None = None,
    last: date | None = None,
    by: str | None = None,
) -> Report:
    """Each cut value's share of a population's actively homeless, placements and returns (default: all
    persons, the last 12 months, by race/ethnicity)."""
    permissions.require(who, permissions.READ_REPORTS)
    first, last = params.month_range(first, last)
    population, by = params.population(population) or "all", params.person_cut(by) or "race_ethnicity"
    suppress_below = coord.config.suppress_below
    with coord.db.read() as connection:
        totals, rows = equity(
            connection, population=population, first=first, last=last, by=by, suppress_below=suppress_below
        )
    parameters = {
        "population": population,
        "from": first,
        "to": last,
        "by": by,
        "suppress_below": suppress_below,
        "totals": totals,
    }
    return Report(parameters, [by, *EQUITY_COLUMNS], rows)
