"""The reports as the HTTP API and the CLI both serve them: parameters checked once, rows from projections/.

Each function returns a Report: its parameters, columns and rows, as JSON or CSV; tables for the
terminal are the CLI's business. Report parameters are checked here, so the API and the CLI refuse the same things.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from coord.errors import ForbiddenError
from coord.service.principal import Principal
from coord.wiring import Coord
from events.dates import today
from events.errors import RuleError
from events.populations import POPULATIONS
from projections.reports.counts import live_counts
from projections.reports.flows import first_day
from projections.reports.functional_zero import functional_zero, history_start
from projections.reports.handoff_gaps import handoff_gaps
from projections.reports.monthly import METRICS, monthly
from projections.reports.months import add_months, label, month_of, months_between
from projections.tables import projection_positions

READERS = ("backbone", "auditor", "admin")
CUTS = ("race_ethnicity", "sex", "age_band", "population")
MAX_MONTHS = 120
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
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
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def require_reader(who: Principal) -> None:
    if who.role not in READERS:
        raise ForbiddenError(f"the {who.role} role may not read reports")


def parse_month(text: str, name: str) -> date:
    match = MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise RuleError(f"{name} must be a month written YYYY-MM, e.g. 2026-01")
    return date(int(match.group(1)), int(match.group(2)), 1)


def check_months(first: date | None, last: date | None) -> tuple[date, date]:
    """Default: the twelve months ending with this one. Months after the current one are refused."""
    current = month_of(today() + timedelta(days=1))  # an effective date may be tomorrow
    last = last or month_of(today())
    first = first or add_months(last, -11)
    if last > current:
        raise RuleError(f"to may not be after {label(current)}")
    if first > last:
        raise RuleError("from must not be after to")
    if len(months_between(first, last)) > MAX_MONTHS:
        raise RuleError(f"a report covers at most {MAX_MONTHS} months")
    return first, last


@dataclass(frozen=True)
class Report:
    parameters: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return plain({**self.parameters, "rows": self.rows})

    def as_csv(self) -> str:
        return csv_text(self.rows, self.columns)


def counts(coord: Coord) -> Report:
    on = today()
    with coord.db.read() as connection:
        active = live_counts(connection, on=on)
        position = connection.execute(
            select(projection_positions.c.position).where(projection_positions.c.name == "populations")
        ).scalar()
    rows = [{"population": population, "active": active[population]} for population in POPULATIONS]
    return Report({"as_of": on, "position": position or 0}, ["population", "active"], rows)


def monthly_report(
    coord: Coord, *, first: date | None = None, last: date | None = None, population: str | None = None
) -> Report:
    first, last = check_months(first, last)
    if population is not None and population not in POPULATIONS:
        raise RuleError(f"population must be one of: {', '.join(POPULATIONS)}")
    with coord.db.read() as connection:
        rows = monthly(connection, first=first, last=last, populations=(population,) if population else POPULATIONS)
    return Report({"from": first, "to": last, "population": population}, ["population", "month", *METRICS], rows)


def functional_zero_report(coord: Coord, *, month: date | None = None) -> Report:
    """For `month`, by default the last complete month: a month under way has not had its placements yet."""
    month = month or add_months(month_of(today()), -1)
    check_months(month, month)
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
    *,
    first: date | None = None,
    last: date | None = None,
    as_of: date | None = None,
    window_days: int | None = None,
    by: str | None = None,
) -> Report:
    first, last = check_months(first, last)
    as_of = as_of or today()
    if as_of > today():
        raise RuleError("as_of may not be in the future")
    if window_days is not None and not 1 <= window_days <= 365:
        raise RuleError("window_days must be from 1 to 365")
    if by is not None and by not in CUTS:
        raise RuleError(f"by must be one of: {', '.join(CUTS)}")
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


# -- formats ------------------------------------------------------------------------------------


def plain(value: Any, *, key: str = "") -> Any:
    """A value as JSON has it: months as YYYY-MM, other dates ISO."""
    if isinstance(value, date):
        return label(value) if key in ("month", "from", "to") else value.isoformat()
    if isinstance(value, Mapping):
        return {k: plain(v, key=k) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, key=key) for v in value]
    return value


def csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV with a header; a suppressed cell reads "suppressed", an empty one is unknown."""
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        cells = plain(dict(row))
        for name in row.get("suppressed") or ():
            cells[name] = "suppressed"
        writer.writerow({name: _cell(cells[name]) for name in columns})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # a spreadsheet must show a service's name, never run it as a formula
    return value
