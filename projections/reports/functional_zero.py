"""Functional zero per population and month, with the months-in-a-row streak and the "brief" flag.

veterans, single_adults, youth, families (and all): reached when actively homeless is at most 3 or
below the proven housing rate (mean monthly placements over the window ending with the month).
chronic: reached when actively homeless is at most max(3, 0.1% of the point-in-time count).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection

from events.dates import FIRST_DAY
from events.populations import POPULATIONS
from projections.reports.monthly import monthly
from projections.reports.months import month_of

MINIMUM = 3
BRIEF_DAYS = 45


def functional_zero(
    connection: Connection,
    *,
    month: date,
    first_month: date | None,
    window_months: int = 6,
    pit_count: int | None = None,
) -> list[dict[str, Any]]:
    """One row per population for `month`; `first_month` is where the history starts (None: no history)."""
    start = min(first_month or month, month)
    series = monthly(connection, first=start, last=month)
    rows = []
    for population in POPULATIONS:
        months = [row for row in series if row["population"] == population]
        judged = [
            _judge(population, months[max(0, i + 1 - window_months) : i + 1], pit_count) for i in range(len(months))
        ]
        streak = 0
        for verdict in reversed(judged):
            if not verdict["reached"]:
                break
            streak += 1
        rows.append({**judged[-1], "streak": streak})
    return rows


def _judge(population: str, window: list[dict[str, Any]], pit_count: int | None) -> dict[str, Any]:
    """The verdict for the last month of `window`: the months the proven rate averages over."""
    current = window[-1]
    placements = sum(m["housing_placements"] for m in window)
    if population == "chronic":
        threshold = max(MINIMUM, (pit_count or 0) // 1000)
    else:
        # Below the proven rate placements / n, for a whole number of people: at most ceil(rate) - 1,
        # in integers so that a rate of exactly 4 gives 3 and never 4 by rounding.
        threshold = max(MINIMUM, -(-placements // len(window)) - 1)
    average = current["avg_days_to_housing"]
    return {
        "population": population,
        "month": current["month"],
        "actively_homeless": current["actively_homeless"],
        "housing_placements": current["housing_placements"],
        "proven_rate": round(placements / len(window), 2),
        "window_months": len(window),
        "threshold": threshold,
        "reached": current["actively_homeless"] <= threshold,
        "avg_days_to_housing": average,
        "brief": None if average is None else average <= BRIEF_DAYS,
    }


def history_start(first_day: date | None) -> date | None:
    """The first month of the partnership's history. Nothing may be dated before FIRST_DAY any more, but a
    store may hold older dates from before that rule: their flows count in the running totals, not as months."""
    return max(month_of(first_day), FIRST_DAY) if first_day else None
