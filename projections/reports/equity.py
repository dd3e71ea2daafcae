"""The equity view: per value of a cut (race/ethnicity, sex or age band), its share of a population's actively
homeless and its share of the period's housing placements and returns from housing, so a backbone sees whether
placements are proportional (docs/reports.md, "Equity").

Counts are of the same spells as the cuts of monthly metrics (projections/reports/cut_units.py), each person
in one value of the cut; a small count is hidden with its complements (projections/reports/suppression.py),
and a share or ratio with any count it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection

from projections.reports.cut_units import Spell, by_value, spells, suppress_cut, units_of
from projections.reports.months import month_end

COUNTS = ("actively_homeless", "housing_placements", "returned_from_housing")
SHARES = {
    "actively_homeless": "share_of_actively_homeless",
    "housing_placements": "share_of_housing_placements",
    "returned_from_housing": "share_of_returns",
}
DERIVED = {
    **{share: (count,) for count, share in SHARES.items()},
    "placement_ratio": ("housing_placements", "actively_homeless"),
}


def equity(
    connection: Connection, *, population: str, first: date, last: date, by: str, suppress_below: int = 11
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The population's totals, and one row per value of the cut `by`: actively homeless at the end of month
    `last`; housing placements and returns from housing from month `first` to `last`; each as a count and a
    share of the total; and placement_ratio, the share of placements over the share of actively homeless
    (1.0: placed in proportion)."""
    end = month_end(last)
    found = spells(connection, until=end, populations=(population,), by=by, band_on=end)
    kinds = by_value(by, found)
    for spell in found:
        kinds[spell.value] += units_of(equity_cells(spell, population, first, end))
    totals = {name: sum(name in kind for found in kinds.values() for kind in found) for name in COUNTS}
    rows = []
    for row in suppress_cut(kinds, COUNTS, suppress_below, DERIVED):
        shares = _shares(row, totals)
        hidden = row["suppressed"]
        rows.append(
            {
                by: row["value"],
                **{name: row[name] for name in COUNTS},
                **{name: None if name in hidden else share for name, share in shares.items()},
                "suppressed": hidden,
            }
        )
    return totals, rows


def equity_cells(spell: Spell, population: str, first: date, end: date) -> dict[str, int]:
    """What one spell adds to the counts: active in the population at the end of `end`, and its placements and
    returns from housing in the population from `first` to `end`."""
    days = spell.days.get(population, ())
    return {
        "actively_homeless": spell.active_after(population, end),
        **{name: sum(counts[name] for day, counts in days if first <= day <= end) for name in COUNTS[1:]},
    }


def _shares(row: Mapping[str, int | None], totals: Mapping[str, int]) -> dict[str, float | None]:
    """The row's shares of the totals, and its placement ratio, where its counts are shown."""
    share = {name: row[name] / totals[name] if totals[name] and row[name] is not None else None for name in COUNTS}
    shares: dict[str, float | None] = {
        name: None if share[count] is None else round(share[count], 3) for count, name in SHARES.items()
    }
    active, placed = share["actively_homeless"], share["housing_placements"]
    shares["placement_ratio"] = round(placed / active, 2) if active and placed is not None else None
    return shares
