"""Disclosure over the whole public page: solving every number it publishes as one system, no hidden cell is
pinned to one value, and no number shown is from 1 to the threshold minus 1, for random histories (drawn as in
test_flow_properties.py, outcomes included).

The adversary is written from the definitions (docs/reports.md, docs/security.md), not from the suppression
code. Its unknowns are the hidden numbers, whole from 0, and it knows:

- equity: the race/ethnicity rows add up to the totals; the actively homeless total is the monthly trend's
  last month, and the placements total the sum of the trend's placements;
- monthly (everyone): active(M-1) + inflow(M) - outflow(M) = active(M) (before the first month, active is a
  count too); inflow and outflow, where shown, are the sums of their flows; nobody leaves `all` but by a flow;
- live counts: single adults, youth and families add up to everyone; veterans and chronic are some of them;
  and, when it is true (nothing dated after the day), everyone's count is the trend's last actively homeless;
- outcomes: met is at most assessed;
- the path: each stage's handed on episodes are picked up, gaps or censored.

(The drawn histories have no handoffs, so the path's funnel has a test of its own, on drawn counts.)
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.dates import today
from projections.handoff_gaps_projector import handoff_gaps_projector
from projections.outcomes_projector import outcomes_projector
from projections.populations_projector import populations_projector
from projections.reports.community import SECTIONS, community
from projections.reports.joint_suppression import suppress_with_totals
from projections.reports.pathway import FUNNEL
from projections.tables import FLOWS, INFLOWS, OUTFLOWS
from tests.integration.test_cut_disclosure import Adversary
from tests.integration.test_flow_properties import ORIGIN, draw_history
from tests.projection_support import project, read_models

MONTHLY = ("actively_homeless", *FLOWS)
HOUSEHOLDS = ("single_adults", "youth", "families")
SUBSETS = ("veterans", "chronic")


def cells(page: Mapping[str, Any]) -> dict[tuple[Any, ...], int | None]:
    """Every count the page publishes (None where hidden), by a key naming it."""
    found: dict[tuple[Any, ...], int | None] = {}
    for row in page["counts"]["rows"]:
        found[("counts", row["population"])] = row["active"]
    for row in page["monthly"]["rows"]:
        for name in (*MONTHLY, "inflow", "outflow"):
            found[("monthly", row["month"], name)] = row[name]
    equity = page["equity"]
    for name, n in equity["totals"].items():
        found[("equity", "total", name)] = n
    for row in equity["rows"]:
        for name in equity["totals"]:
            found[("equity", row["race_ethnicity"], name)] = row[name]
    for row in page["outcomes"]["rows"]:
        for name in ("assessed", "met"):
            found[("outcomes", row["indicator"], row["period"], name)] = row[name]
    for row in page["pathway"]["rows"]:
        found[("pathway", row["stage"], "served")] = row["served"]
        if row["next_stage"]:
            for name in FUNNEL:
                found[("pathway", row["stage"], name)] = row[name]
    return found


def pinned(page: Mapping[str, Any], truth: Mapping[tuple[Any, ...], int], on: date) -> list[Any]:
    published = cells(page)
    hidden = [key for key, n in published.items() if n is None and key[-1] not in ("inflow", "outflow")]
    if not hidden:
        return []
    known = {key: n for key, n in published.items() if n is not None}
    a = Adversary(hidden, known, bound=max(*truth.values(), 1))
    months = [row["month"] for row in page["monthly"]["rows"]]
    races = [row["race_ethnicity"] for row in page["equity"]["rows"]]
    for name in ("actively_homeless", "housing_placements"):
        a.equal([("equity", r, name) for r in races], [("equity", "total", name)])
    a.equal([("equity", "total", "actively_homeless")], [("monthly", months[-1], "actively_homeless")])
    a.equal([("monthly", m, "housing_placements") for m in months], [("equity", "total", "housing_placements")])
    for i, m in enumerate(months):
        into, out = [("monthly", m, f) for f in INFLOWS], [("monthly", m, f) for f in OUTFLOWS]
        now = ("monthly", m, "actively_homeless")
        if i:
            a.equal([("monthly", months[i - 1], "actively_homeless"), *into], [now, *out])
        else:
            a.at_least([now, *out], into)
        for name, flows in (("inflow", into), ("outflow", out)):
            if published[("monthly", m, name)] is not None:
                a.equal(flows, value=published[("monthly", m, name)])
        a.equal([("monthly", m, FLOWS[-1])])
    a.equal([("counts", h) for h in HOUSEHOLDS], [("counts", "all")])
    for s in SUBSETS:
        a.at_least([("counts", "all")], [("counts", s)])
    if truth[("counts", "all")] == truth[("monthly", months[-1], "actively_homeless")]:
        a.equal([("counts", "all")], [("monthly", months[-1], "actively_homeless")])
    for row in page["outcomes"]["rows"]:
        key = ("outcomes", row["indicator"], row["period"])
        a.at_least([(*key, "assessed")], [(*key, "met")])
    for row in page["pathway"]["rows"]:
        if row["next_stage"]:
            key = ("pathway", row["stage"])
            a.equal([(*key, name) for name in FUNNEL[1:]], [(*key, "handed_on")])
    return [(*key, found) for key in hidden if (found := a.pinned(key)) is not None]


def check_page(events: list[Any], on: date, below: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = read_models(Path(folder))
        try:
            project(db, [populations_projector(), outcomes_projector(), handoff_gaps_projector()], events)
            with db.read() as connection:
                page = community(connection, sections=SECTIONS, on=on, suppress_below=below)
                exact = community(connection, sections=SECTIONS, on=on, suppress_below=1)
        finally:
            db.dispose()
    truth = {key: n for key, n in cells(exact).items() if n is not None}
    shown = {key: n for key, n in cells(page).items() if n is not None}
    assert {key: truth[key] for key in shown} == shown
    assert [key for key, n in shown.items() if 0 < n < below] == []
    assert pinned(page, truth, on) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    below=st.sampled_from((2, 2, 3, 11)),  # few persons: small thresholds leave numbers shown
    on=st.sampled_from((ORIGIN + timedelta(days=150), ORIGIN + timedelta(days=300), today())),
)
def test_no_hidden_number_of_the_public_page_can_be_worked_out_from_the_rest(
    data: st.DataObject, below: int, on: date
) -> None:
    check_page(draw_history(data), on, below)


@settings(max_examples=60, deadline=None)
@given(
    funnel=st.lists(st.tuples(st.integers(0, 14), st.integers(0, 6), st.integers(0, 4)), min_size=1, max_size=4),
    below=st.sampled_from((2, 3, 5, 11)),
)
def test_no_hidden_number_of_the_path_can_be_worked_out(funnel: list[tuple[int, int, int]], below: int) -> None:
    """The path's funnel as the page suppresses it (one table of episodes, each handed on and one of picked up,
    gap or censored), solved with handed on = picked up + gaps + censored for every stage."""
    outcomes = FUNNEL[1:]
    episodes = [
        frozenset({f"{stage}|handed_on", f"{stage}|{name}"})
        for stage, counts in enumerate(funnel)
        for name, n in zip(outcomes, counts, strict=True)
        for _ in range(n)
    ]
    fields = [f"{stage}|{name}" for stage in range(len(funnel)) for name in FUNNEL]
    total, _ = suppress_with_totals({"all": episodes}, fields, (), below)
    truth = {(stage, name): n for stage, counts in enumerate(funnel) for name, n in zip(outcomes, counts, strict=True)}
    for stage, counts in enumerate(funnel):
        truth[(stage, "handed_on")] = sum(counts)
    shown = {key: total[f"{key[0]}|{key[1]}"] for key in truth if f"{key[0]}|{key[1]}" not in total["suppressed"]}
    assert shown == {key: truth[key] for key in shown}
    assert [n for n in shown.values() if 0 < n < below] == []
    hidden = [key for key in truth if key not in shown]
    if not hidden:
        return
    a = Adversary(hidden, shown, bound=max(*truth.values(), 1))
    for stage in range(len(funnel)):
        a.equal([(stage, name) for name in outcomes], [(stage, "handed_on")])
    assert [(*key, found) for key in hidden if (found := a.pinned(key)) is not None] == []
