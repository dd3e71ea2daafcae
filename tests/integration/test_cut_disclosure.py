"""Disclosure: no cell the cuts of monthly metrics and live counts hide can be worked out from what the same
parameters publish (the uncut report and the cut), for histories drawn as in test_flow_properties.py.

The adversary is written from the definitions (docs/reports.md), not from the suppression code. Its unknowns
are every count of every cut value, population and month, whole numbers from 0, and it knows:

- each population and month's counts are the sums of its cut values' (the uncut report);
- within a cut value, active(M-1) + inflow(M) - outflow(M) = active(M); before the first month, active is a
  count too (at least 0); inflow and outflow, where shown, are the sums of their flows;
- single_adults, youth and families partition everyone (every person has a household type): their actively
  homeless and their status flows (returns, placements, moves to inactive) add up to all's; their newly
  identified less all's are their no longer meeting the criteria (each a move between households), and
  nobody leaves all without a status flow; veterans and chronic are some of all: at most all's actively
  homeless and status flows.
- live counts: the same partition and subsets of the active persons now.

For every hidden count it solves (scipy's milp) the smallest and largest value consistent with all that; a
hidden cell whose smallest and largest are equal is pinned: worked out.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from events.dates import today
from projections.populations_projector import populations_projector
from projections.reports.counts import live_counts, live_counts_by
from projections.reports.cut_units import CUTS
from projections.reports.monthly import monthly
from projections.reports.monthly_cuts import monthly_by
from projections.reports.months import month_of
from projections.tables import FLOWS, INFLOWS, OUTFLOWS
from tests.integration.test_flow_properties import draw_history
from tests.projection_support import project, read_models

COUNTS = ("actively_homeless", *FLOWS)
STATUS_FLOWS = ("returned_from_housing", "returned_from_inactive", "housing_placements", "moved_to_inactive")
HOUSEHOLDS = ("single_adults", "youth", "families")
SUBSETS = ("veterans", "chronic")


class Adversary:
    """Whole-number unknowns (the hidden cells, by key) and the linear facts known of them and of the shown
    cells (`known`, whose values stand in for them)."""

    def __init__(self, hidden: Sequence[Any], known: Mapping[Any, int], bound: int) -> None:
        self.index = {key: i for i, key in enumerate(hidden)}
        self.known, self.bound = known, bound
        self.lines: list[np.ndarray] = []
        self.low: list[float] = []
        self.high: list[float] = []

    def _line(self, plus: Sequence[Any], minus: Sequence[Any]) -> tuple[np.ndarray, int]:
        """The unknowns' coefficients, and the sum of the known cells, of sum(plus) - sum(minus)."""
        v, constant = np.zeros(len(self.index)), 0
        for keys, sign in ((plus, 1), (minus, -1)):
            for key in keys:
                if key in self.index:
                    v[self.index[key]] += sign
                else:
                    constant += sign * self.known[key]
        return v, constant

    def equal(self, plus: Sequence[Any], minus: Sequence[Any] = (), value: int = 0) -> None:
        v, constant = self._line(plus, minus)
        self.lines.append(v)
        self.low.append(value - constant)
        self.high.append(value - constant)

    def at_least(self, plus: Sequence[Any], minus: Sequence[Any] = (), value: int = 0) -> None:
        v, constant = self._line(plus, minus)
        self.lines.append(v)
        self.low.append(value - constant)
        self.high.append(np.inf)

    def pinned(self, key: Any) -> int | None:
        size = len(self.index)
        constraints = LinearConstraint(np.array(self.lines), np.array(self.low), np.array(self.high))
        bounds, integrality = Bounds(np.zeros(size), np.full(size, self.bound)), np.ones(size)
        objective = np.zeros(size)
        objective[self.index[key]] = 1
        least = milp(objective, constraints=constraints, bounds=bounds, integrality=integrality)
        most = milp(-objective, constraints=constraints, bounds=bounds, integrality=integrality)
        assert least.success and most.success, f"the published numbers are inconsistent: {least.message}"
        return round(least.fun) if round(least.fun) == round(-most.fun) else None


def pinned_monthly(uncut: Sequence[Mapping[str, Any]], cut: Sequence[Mapping[str, Any]], by: str) -> list[Any]:
    values = sorted({row[by] for row in cut})
    months = sorted({row["month"] for row in uncut})
    populations = sorted({row["population"] for row in uncut})
    cells = {(row[by], row["population"], row["month"], f): row for row in cut for f in COUNTS}
    hidden = [key for key, row in cells.items() if key[3] in row["suppressed"]]
    if not hidden:
        return []
    known = {key: row[key[3]] for key, row in cells.items() if key[3] not in row["suppressed"]}
    a = Adversary(hidden, known, bound=max(max(row[f] for f in COUNTS) for row in uncut))
    for row in uncut:
        p, m = row["population"], row["month"]
        for f in COUNTS:
            a.equal([(c, p, m, f) for c in values], value=row[f])
    for row in cut:
        c, p, m = row[by], row["population"], row["month"]
        for name, flows in (("inflow", INFLOWS), ("outflow", OUTFLOWS)):
            if name not in row["suppressed"]:
                a.equal([(c, p, m, f) for f in flows], value=row[name])
    for c in values:
        for p in populations:
            for i, m in enumerate(months):
                into, out = [(c, p, m, f) for f in INFLOWS], [(c, p, m, f) for f in OUTFLOWS]
                now = (c, p, m, "actively_homeless")
                if i:
                    a.equal([(c, p, months[i - 1], "actively_homeless"), *into], [now, *out])
                else:
                    a.at_least([now, *out], into)
        for m in months:
            for f in ("actively_homeless", *STATUS_FLOWS):
                a.equal([(c, h, m, f) for h in HOUSEHOLDS], [(c, "all", m, f)])
                for s in SUBSETS:
                    a.at_least([(c, "all", m, f)], [(c, s, m, f)])
            joins = [(c, h, m, "newly_identified") for h in HOUSEHOLDS]
            leaves = [(c, h, m, FLOWS[-1]) for h in HOUSEHOLDS]
            a.equal(joins, [(c, "all", m, "newly_identified"), *leaves])
            a.equal([(c, "all", m, FLOWS[-1])])
    return [(*key, found) for key in hidden if (found := a.pinned(key)) is not None]


def pinned_live(uncut: Mapping[str, int], cut: Sequence[Mapping[str, Any]], by: str) -> list[Any]:
    values = sorted({row[by] for row in cut})
    hidden = [(row[by], row["population"]) for row in cut if row["suppressed"]]
    if not hidden:
        return []
    known = {(row[by], row["population"]): row["active"] for row in cut if not row["suppressed"]}
    a = Adversary(hidden, known, bound=max(uncut.values()))
    for p, n in uncut.items():
        a.equal([(c, p) for c in values], value=n)
    for c in values:
        a.equal([(c, h) for h in HOUSEHOLDS], [(c, "all")])
        for s in SUBSETS:
            a.at_least([(c, "all")], [(c, s)])
    return [(*key, found) for key in hidden if (found := a.pinned(key)) is not None]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), by=st.sampled_from(CUTS), below=st.sampled_from((2, 3, 5, 11)))
def test_no_hidden_cell_of_a_cut_of_monthly_metrics_or_live_counts_can_be_worked_out(
    data: st.DataObject, by: str, below: int
) -> None:
    events = draw_history(data)
    days = [event.effective_on for event in events]
    first, last = month_of(min(days)), month_of(max(days))
    with tempfile.TemporaryDirectory() as folder:
        db = read_models(Path(folder))
        try:
            project(db, [populations_projector()], events)
            with db.read() as connection:
                uncut = monthly(connection, first=first, last=last)
                cut = monthly_by(connection, first=first, last=last, by=by, suppress_below=below)
                live = live_counts(connection, on=today())
                live_cut = live_counts_by(connection, on=today(), by=by, suppress_below=below)
        finally:
            db.dispose()

    assert pinned_monthly(uncut, cut, by) == []
    assert pinned_live(live, live_cut, by) == []


def test_the_adversary_pins_a_cell_the_identity_gives_away() -> None:
    # Single adults: 10 women and 5 men identified in January; in February 2 more women and 1 woman housed.
    # February's actively homeless, hidden for both, add up to 16; the women's identity gives theirs
    # (10 + 2 - 1 = 11), and so the men's 5.
    jan, feb = date(2025, 1, 1), date(2025, 2, 1)
    months = {
        jan: {"female": {"actively_homeless": 10, "newly_identified": 10}, "male": {"actively_homeless": 5}},
        feb: {"female": {"actively_homeless": 11, "newly_identified": 2, "housing_placements": 1}, "male": {}},
    }
    months[jan]["male"]["newly_identified"] = 5
    months[feb]["male"]["actively_homeless"] = 5
    uncut, cut = [], []
    for p in ("all", "single_adults", "veterans", "chronic", "youth", "families"):
        for month, by_sex in months.items():
            rows = {
                sex: {f: n if p in ("all", "single_adults") else 0 for f, n in counts.items()}
                for sex, counts in by_sex.items()
            }
            uncut.append(
                {"population": p, "month": month, **{f: sum(r.get(f, 0) for r in rows.values()) for f in COUNTS}}
            )
            for sex, counts in rows.items():
                row = {f: counts.get(f, 0) for f in COUNTS}
                hide = month == feb and p in ("all", "single_adults")
                cut.append(
                    {
                        "population": p,
                        "month": month,
                        "sex": sex,
                        **row,
                        "inflow": sum(row[f] for f in INFLOWS),
                        "outflow": sum(row[f] for f in OUTFLOWS),
                        "suppressed": ["actively_homeless"] if hide else [],
                    }
                )

    assert pinned_monthly(uncut, cut, "sex") == [
        ("female", "all", feb, "actively_homeless", 11),
        ("male", "all", feb, "actively_homeless", 5),
        ("female", "single_adults", feb, "actively_homeless", 11),
        ("male", "single_adults", feb, "actively_homeless", 5),
    ]
