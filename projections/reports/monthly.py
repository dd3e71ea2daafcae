"""Built for Zero monthly metrics per population and month, by effective date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from events.populations import POPULATIONS
from projections.reports.flows import active_at, average_days, monthly_flows
from projections.reports.months import months_between
from projections.tables import FLOWS, INFLOWS, OUTFLOWS

METRICS = ("actively_homeless", *FLOWS, "inflow", "outflow", "avg_days_to_housing")


def monthly(
    connection: Connection, *, first: date, last: date, populations: Sequence[str] = POPULATIONS
) -> list[dict[str, Any]]:
    """One row per population and month from `first` to `last` (first days of months), in that order."""
    active = active_at(connection, first - timedelta(days=1), populations)
    flows = monthly_flows(connection, first, last, populations)
    rows = []
    for population in populations:
        running = active[population]
        for month in months_between(first, last):
            counts = flows.get((population, month)) or dict.fromkeys((*FLOWS, "days_to_housing"), 0)
            inflow = sum(counts[f] for f in INFLOWS)
            outflow = sum(counts[f] for f in OUTFLOWS)
            running += inflow - outflow
            rows.append(
                {
                    "population": population,
                    "month": month,
                    "actively_homeless": running,
                    **{f: counts[f] for f in FLOWS},
                    "inflow": inflow,
                    "outflow": outflow,
                    "avg_days_to_housing": average_days(counts),
                }
            )
    return rows
