"""Daily population flows summed per month, and the active count they add up to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from projections.reports.months import month_end, month_of
from projections.tables import FLOWS, INFLOWS, OUTFLOWS, population_days

NET = sum(population_days.c[f] for f in INFLOWS) - sum(population_days.c[f] for f in OUTFLOWS)


def active_at(connection: Connection, day: date, populations: Sequence[str]) -> dict[str, int]:
    """Active persons per population at the end of `day`: every inflow so far less every outflow."""
    rows = connection.execute(
        select(population_days.c.population, func.sum(NET))
        .where(population_days.c.day <= day, population_days.c.population.in_(populations))
        .group_by(population_days.c.population)
    )
    known = {population: int(total or 0) for population, total in rows}
    return {population: known.get(population, 0) for population in populations}


def monthly_flows(
    connection: Connection, first: date, last: date, populations: Sequence[str]
) -> dict[tuple[str, date], dict[str, int]]:
    """Flows and days to housing per (population, month) from month `first` to month `last`."""
    rows = connection.execute(
        select(population_days).where(
            population_days.c.day >= first,
            population_days.c.day <= month_end(last),
            population_days.c.population.in_(populations),
        )
    )
    totals: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: dict.fromkeys((*FLOWS, "days_to_housing"), 0))
    for row in rows:
        counts = totals[(row.population, month_of(row.day))]
        for name in counts:
            counts[name] += getattr(row, name)
    return totals


def first_day(connection: Connection) -> date | None:
    """The earliest effective date with any flow: where the partnership's history starts."""
    return connection.execute(select(func.min(population_days.c.day))).scalar()


def average_days(counts: dict[str, Any]) -> float | None:
    placements = counts["housing_placements"]
    return round(counts["days_to_housing"] / placements, 1) if placements else None
