"""The public community page's numbers: the sections a partnership publishes, every count suppressed, the
uncut totals included, and all of the homelessness sections as one table so that no number of one section
can be combined with another's to uncover a hidden cell (docs/security.md, "The public community page").

The homelessness sections count the same units, spells (projections/reports/cut_units.py), each with the
cells it adds to every section, so one suppression covers them all (projections/reports/joint_suppression.py);
the outcomes count persons assessed, a table per indicator and period (nothing relates two of them); the
cradle-to-career path counts handoff episodes, each handed on from one stage (one table), and persons served
at each stage now (a table per stage: nothing published relates them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection

from events.populations import POPULATIONS
from events.vocabulary import OUTCOME_INDICATORS
from projections.reports.counts import active_in
from projections.reports.cut_units import by_value, spells, units_of
from projections.reports.equity import COUNTS as EQUITY_COUNTS
from projections.reports.equity import SHARES, equity_cells
from projections.reports.joint_suppression import suppress_with_totals
from projections.reports.monthly_cuts import COUNTS as MONTHLY_COUNTS
from projections.reports.monthly_cuts import cell, monthly_cells
from projections.reports.months import add_months, month_end, month_of, months_between
from projections.reports.outcomes import MET, NOT_MET, outcomes
from projections.reports.pathway import FUNNEL, pathway
from projections.reports.periods import period_of
from projections.tables import INFLOWS, OUTFLOWS

#: The sections a partnership may publish (COORD_PUBLIC_SECTIONS), in the page's order.
SECTIONS = ("counts", "monthly", "equity", "outcomes", "pathway")
#: The only cut the page publishes: race/ethnicity, of the equity view.
CUT = "race_ethnicity"
#: The population of the equity view and of the monthly trend (every population's live count is published),
#: and the months of the monthly and equity sections.
EQUITY_POPULATION = "all"
MONTHLY_POPULATIONS = ("all",)
#: The equity view's counts the page publishes: returns from housing are too few in most places to cut.
EQUITY_PUBLISHED = EQUITY_COUNTS[:2]
MONTHS = 12
#: The counts each published equity number comes from: hidden when one of them (or its total) is.
_FROM = {
    **{name: (name,) for name in EQUITY_PUBLISHED},
    **{SHARES[name]: (name,) for name in EQUITY_PUBLISHED},
    "placement_ratio": EQUITY_PUBLISHED,
}
#: School years of outcomes, ending with the current one.
PERIODS = 5


def community(connection: Connection, *, sections: Sequence[str], on: date, suppress_below: int) -> dict[str, Any]:
    """The published sections' numbers as of `on`, in the order of SECTIONS."""
    page: dict[str, Any] = {}
    flows = [name for name in ("counts", "monthly", "equity") if name in sections]
    if flows:
        page.update(_flow_sections(connection, flows, on, suppress_below))
    if "outcomes" in sections:
        page["outcomes"] = _outcomes(connection, on, suppress_below)
    if "pathway" in sections:
        page["pathway"] = _pathway(connection, on, suppress_below)
    return {name: page[name] for name in SECTIONS if name in page}


def _flow_sections(connection: Connection, sections: Sequence[str], on: date, below: int) -> dict[str, Any]:
    last = month_of(on)
    first = add_months(last, -(MONTHS - 1))
    months = months_between(first, last)
    end = month_end(last)
    found = spells(connection, until=end, populations=POPULATIONS, by=CUT, band_on=end)
    fields = {
        "counts": [f"counts|{p}" for p in POPULATIONS],
        "monthly": [
            f"monthly|{cell(p, m, name)}" for p in MONTHLY_POPULATIONS for m in months for name in MONTHLY_COUNTS
        ],
        "equity": [f"equity|{name}" for name in EQUITY_PUBLISHED],
    }
    total_fields = [name for section in sections for name in fields[section]]
    published = set(total_fields)
    kinds = by_value(CUT, found)
    for spell in found:
        cells: Counter[str] = Counter()
        if "counts" in sections:
            cells.update({f"counts|{p}": 1 for p in active_in(spell, on)})
        if "monthly" in sections:
            cells.update({f"monthly|{name}": n for name, n in monthly_cells(spell, months, first)[0].items()})
        if "equity" in sections:
            cells.update(
                {f"equity|{name}": n for name, n in equity_cells(spell, EQUITY_POPULATION, first, end).items()}
            )
        kinds[spell.value] += units_of(Counter({name: n for name, n in cells.items() if name in published and n}))
    cut_fields = fields["equity"] if "equity" in sections else []
    total, rows = suppress_with_totals(kinds, total_fields, cut_fields, below)
    page: dict[str, Any] = {}
    if "counts" in sections:
        page["counts"] = {"as_of": on, "rows": [_count(total, p) for p in POPULATIONS]}
    if "monthly" in sections:
        page["monthly"] = {
            "from": first,
            "to": last,
            "rows": [_month(total, p, m) for p in MONTHLY_POPULATIONS for m in months],
        }
    if "equity" in sections:
        page["equity"] = _equity(total, rows, first, last)
    return page


def _shown(source: Mapping[str, Any], key: str) -> int | None:
    return None if key in source["suppressed"] else source[key]


def _count(total: Mapping[str, Any], population: str) -> dict[str, Any]:
    active = _shown(total, f"counts|{population}")
    return {"population": population, "active": active, "suppressed": ["active"] if active is None else []}


def _month(total: Mapping[str, Any], population: str, month: date) -> dict[str, Any]:
    counts = {name: _shown(total, f"monthly|{cell(population, month, name)}") for name in MONTHLY_COUNTS}
    sums = {
        "inflow": _sum(counts, INFLOWS),
        "outflow": _sum(counts, OUTFLOWS),
    }
    values = {**counts, **sums}
    return {
        "population": population,
        "month": month,
        **values,
        "suppressed": [name for name, value in values.items() if value is None],
    }


def _sum(counts: Mapping[str, int | None], names: Sequence[str]) -> int | None:
    parts = [counts[name] for name in names]
    return None if None in parts else sum(parts)  # type: ignore[arg-type]


def _equity(total: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], first: date, last: date) -> dict[str, Any]:
    totals = {name: _shown(total, f"equity|{name}") for name in EQUITY_PUBLISHED}
    groups = []
    for row in rows:
        counts = {name: _shown(row, f"equity|{name}") for name in EQUITY_PUBLISHED}
        shares = {
            SHARES[name]: round(n / totals[name], 3) if n is not None and totals[name] else None
            for name, n in counts.items()
        }
        active, placed = shares["share_of_actively_homeless"], shares["share_of_housing_placements"]
        ratio = round(placed / active, 2) if active and placed is not None else None
        values = {**counts, **shares, "placement_ratio": ratio}
        hidden = [name for name in values if any(n is None for c in _FROM[name] for n in (counts[c], totals[c]))]
        groups.append({CUT: row["value"], **values, "suppressed": hidden})
    return {
        "population": EQUITY_POPULATION,
        "from": first,
        "to": last,
        "by": CUT,
        "totals": totals,
        "totals_suppressed": [name for name, n in totals.items() if n is None],
        "rows": groups,
    }


def _outcomes(connection: Connection, on: date, below: int) -> dict[str, Any]:
    """Per indicator and school year, persons assessed, met and the rate, each table suppressed with its
    totals: the race/ethnicity cut is the units' rows, published only as the totals."""
    last = period_of("school_year", on)
    first = date(last.year - (PERIODS - 1), last.month, last.day)
    cut = outcomes(connection, period="school_year", first=first, last=last, by=CUT, suppress_below=1)
    groups: dict[tuple[str, str], dict[str, list]] = {}
    for row in cut:
        units = [MET] * row["met"] + [NOT_MET] * (row["assessed"] - row["met"])
        groups.setdefault((row["indicator"], row["period"]), {})[row[CUT]] = units
    rows = []
    for (indicator, period), kinds in groups.items():
        total, _ = suppress_with_totals(kinds, ("assessed", "met"), (), below)
        assessed, met = _shown(total, "assessed"), _shown(total, "met")
        rate = round(met / assessed, 3) if assessed and met is not None else None
        hidden = [name for name in ("assessed", "met") if name in total["suppressed"]]
        if hidden:
            hidden.append("rate")
        rows.append(
            {
                "indicator": indicator,
                "period": period,
                "assessed": assessed,
                "met": met,
                "rate": rate,
                "suppressed": hidden,
            }
        )
    order = {name: i for i, name in enumerate(OUTCOME_INDICATORS)}
    rows.sort(key=lambda row: (order[row["indicator"]], row["period"]))
    return {"period": "school_year", "rows": rows}


def _pathway(connection: Connection, on: date, below: int) -> dict[str, Any]:
    """Per cradle-to-career stage: persons served now, and the episodes of the last MONTHS months handed on to
    the next stage, picked up, gaps and too early to call (the pathway report's), with the pickup rate. An
    episode is one of picked up, gap or censored, so its units are rebuilt from the counts exactly."""
    last = month_of(on)
    first = add_months(last, -(MONTHS - 1))
    path = pathway(connection, first=first, last=last, as_of=on)
    rows = [row for row in path if row["next_stage"] is not None]
    episodes = [
        frozenset({f"{row['stage']}|handed_on", f"{row['stage']}|{name}"})
        for row in rows
        for name in FUNNEL[1:]
        for _ in range(row[name])
    ]
    fields = [f"{row['stage']}|{name}" for row in rows for name in FUNNEL]
    funnel, _ = suppress_with_totals({"all": episodes}, fields, (), below)
    stages = []
    for row in path:
        served, _ = suppress_with_totals({"all": [frozenset({"served"})] * row["served"]}, ("served",), (), below)
        counts = {name: _shown(funnel, f"{row['stage']}|{name}") if row["next_stage"] else None for name in FUNNEL}
        hidden = [name for name in FUNNEL if row["next_stage"] and counts[name] is None]
        decided = (
            None if counts["picked_up"] is None or counts["gaps"] is None else counts["picked_up"] + counts["gaps"]
        )
        rate = round(counts["picked_up"] / decided, 3) if decided else None  # type: ignore[operator]
        if {"picked_up", "gaps"} & set(hidden):
            hidden.append("pickup_rate")
        stages.append(
            {
                "stage": row["stage"],
                "served": _shown(served, "served"),
                "next_stage": row["next_stage"],
                **counts,
                "pickup_rate": rate,
                "suppressed": ["served"] * ("served" in served["suppressed"]) + hidden,
            }
        )
    return {"from": first, "to": last, "as_of": on, "rows": stages}
