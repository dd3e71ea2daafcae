"""Built for Zero monthly metrics cut by race/ethnicity, sex or age band, small cells suppressed.

Each person is in one value of the cut for the whole report (race/ethnicity and sex as in force today; age band
at the end of the report's last month), so the flow identity active(M-1) + inflow - outflow = active(M) holds
within every cut value, and the cut values of a population and month add up to its uncut row. Every count of
every population and month is suppressed together, in one table per cut value, with spells as the units
(projections/reports/cut_units.py): a hidden count cannot be worked out through the identity, another month or
an overlapping population either.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection

from events.populations import POPULATIONS
from projections.reports.cut_units import Spell, by_value, net, spells, suppress_cut, units_of
from projections.reports.flows import average_days
from projections.reports.months import label, month_end, month_of, months_between
from projections.tables import FLOWS, INFLOWS, OUTFLOWS

COUNTS = ("actively_homeless", *FLOWS)


def cell(population: str, month: date, name: str) -> str:
    """A count of one population and month, as one field of a cut value's table."""
    return f"{population}|{label(month)}|{name}"


def monthly_by(
    connection: Connection,
    *,
    first: date,
    last: date,
    by: str,
    populations: Sequence[str] = POPULATIONS,
    suppress_below: int = 11,
) -> list[dict[str, Any]]:
    """One row per population, month (`first` to `last`) and value of the cut `by`, in that order."""
    months = months_between(first, last)
    found = spells(connection, until=month_end(last), populations=populations, by=by, band_on=month_end(last))
    kinds = by_value(by, found)
    days: dict[tuple[str, str, date], int] = Counter()
    names = {(p, m): {name: cell(p, m, name) for name in COUNTS} for p in populations for m in months}
    for spell in found:
        cells, spell_days = monthly_cells(spell, months, first)
        for (population, month), n in spell_days.items():
            days[(spell.value, population, month)] += n
        kinds[spell.value] += units_of(+cells)
    count_fields = [names[(p, m)][name] for p in populations for m in months for name in COUNTS]
    shown = suppress_cut(kinds, count_fields, suppress_below, _derived(populations, months))
    return [
        _row(population, month, by, wide, days[(wide["value"], population, month)])
        for population in populations
        for month in months
        for wide in shown
    ]


def monthly_cells(spell: Spell, months: Sequence[date], first: date) -> tuple[Counter[str], Counter[tuple[str, date]]]:
    """The counts one spell adds to each population and month of `months` (`cell` names them), and the days to
    housing of its placements per population and month."""
    cells: Counter[str] = Counter()
    days: Counter[tuple[str, date]] = Counter()
    for population, flows in spell.days.items():
        active, following = 0, iter(flows)
        pending = next(following, None)
        for month in months:
            while pending is not None and pending[0] <= month_end(month):
                day, counts = pending
                active += net(counts)
                if day >= first:
                    for name in FLOWS:
                        cells[cell(population, month_of(day), name)] += counts[name]
                    days[(population, month_of(day))] += counts["days_to_housing"]
                pending = next(following, None)
            cells[cell(population, month, "actively_homeless")] += active
    return cells, days


def _derived(populations: Sequence[str], months: Sequence[date]) -> dict[str, Sequence[str]]:
    """inflow and outflow are hidden when one of their flows is; the average days to housing when any count of
    its month is (it comes from the days of the month's own placements)."""
    derived: dict[str, Sequence[str]] = {}
    for p in populations:
        for m in months:
            derived[cell(p, m, "inflow")] = [cell(p, m, name) for name in INFLOWS]
            derived[cell(p, m, "outflow")] = [cell(p, m, name) for name in OUTFLOWS]
            derived[cell(p, m, "avg_days_to_housing")] = [cell(p, m, name) for name in COUNTS]
    return derived


def _row(population: str, month: date, by: str, wide: dict[str, Any], days: int) -> dict[str, Any]:
    counts = {name: wide[cell(population, month, name)] for name in COUNTS}
    hidden = {
        name
        for name in (*COUNTS, "inflow", "outflow", "avg_days_to_housing")
        if cell(population, month, name) in wide["suppressed"]
    }
    inflow = None if "inflow" in hidden else sum(counts[f] for f in INFLOWS)
    outflow = None if "outflow" in hidden else sum(counts[f] for f in OUTFLOWS)
    average = None if "avg_days_to_housing" in hidden else average_days({**counts, "days_to_housing": days})
    order = (*COUNTS, "inflow", "outflow", "avg_days_to_housing")
    return {
        "population": population,
        "month": month,
        by: wide["value"],
        **counts,
        "inflow": inflow,
        "outflow": outflow,
        "avg_days_to_housing": average,
        "suppressed": [name for name in order if name in hidden],
    }
