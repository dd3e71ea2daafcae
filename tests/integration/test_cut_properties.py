"""Property: for any valid history (the generators of test_flow_properties.py), every cut of the monthly
metrics and the live counts by race/ethnicity, sex and age band adds up to the uncut numbers, keeps the flow
identity within every cut row, and agrees with the oracle of that file run on each cut value's persons alone,
whose value is worked out here from docs/reports.md; suppressed, every shown cell is the unsuppressed one.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from events.dates import today
from events.populations import POPULATIONS
from projections.populations_projector import populations_projector
from projections.reports.counts import live_counts, live_counts_by
from projections.reports.cut_units import CUTS
from projections.reports.monthly import METRICS, monthly
from projections.reports.monthly_cuts import monthly_by
from projections.reports.months import month_end, month_of, months_between
from tests.integration.test_flow_properties import Oracle, draw_history
from tests.projection_support import project, read_models

#: The first age of each band, and its name (docs/reports.md).
BANDS = (
    (0, "0-4"),
    (5, "5-17"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-54"),
    (55, "55-64"),
    (65, "65+"),
)


def value_of(by: str, timeline: Sequence[tuple[date, Any]], band_on: date) -> str:
    """The person's value of the cut: race/ethnicity and sex as in force today, the age band on `band_on`."""
    attributes: dict[str, Any] = {}
    for counted_on, event in timeline:
        if counted_on <= today():
            attributes.update(getattr(event, "attributes", {}))
    if by == "race_ethnicity":
        races = attributes.get("race_ethnicity") or ["unknown"]
        return races[0] if len(races) == 1 else "multiple"
    if by == "sex":
        return attributes.get("sex") or "unknown"
    born = attributes.get("birth_year")
    if born is None or band_on.year - born < 0:
        return "unknown"
    return [name for start, name in BANDS if band_on.year - born >= start][-1]


def reports(events: Sequence[Any], by: str, first: date, last: date) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        db = read_models(Path(folder))
        try:
            project(db, [populations_projector()], events)
            with db.read() as connection:
                return {
                    "uncut": monthly(connection, first=first, last=last),
                    "raw": monthly_by(connection, first=first, last=last, by=by, suppress_below=1),
                    "shown": monthly_by(connection, first=first, last=last, by=by),
                    "live": live_counts(connection, on=today()),
                    "live raw": live_counts_by(connection, on=today(), by=by, suppress_below=1),
                    "live shown": live_counts_by(connection, on=today(), by=by),
                }
        finally:
            db.dispose()


def shown_where_not_hidden(shown: list[dict[str, Any]], raw: list[dict[str, Any]]) -> None:
    assert len(shown) == len(raw)
    for visible, whole in zip(shown, raw, strict=True):
        assert visible == {**whole, **dict.fromkeys(visible["suppressed"], None), "suppressed": visible["suppressed"]}


@settings(max_examples=60, deadline=None)
@given(data=st.data(), by=st.sampled_from(CUTS))
def test_every_cut_adds_up_keeps_the_identity_and_matches_the_oracle(data: st.DataObject, by: str) -> None:
    events = draw_history(data)
    days = [event.effective_on for event in events]
    first, last = month_of(min(days)), month_of(max(days))
    got = reports(events, by, first, last)

    assert all(row["suppressed"] == [] for row in [*got["raw"], *got["live raw"]])
    shown_where_not_hidden(got["shown"], got["raw"])
    shown_where_not_hidden(got["live shown"], got["live raw"])
    # Visible plus hidden cells: every count of a population and month adds up to the uncut report's.
    sums: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in got["raw"]:
        for name in METRICS[:-1]:
            sums[(row["population"], row["month"])][name] += row[name]
    assert {key: dict(counts) for key, counts in sums.items()} == {
        (row["population"], row["month"]): {name: row[name] for name in METRICS[:-1]} for row in got["uncut"]
    }
    live: dict[str, int] = defaultdict(int)
    for row in got["live raw"]:
        live[row["population"]] += row["active"]
    assert live == got["live"]
    # Each cut value's rows are the oracle's for its persons alone, and keep the identity month to month.
    oracles = {}
    previous: dict[tuple[str, str], int] = {}
    for row in got["raw"]:
        value, population, month = row[by], row["population"], row["month"]
        if value not in oracles:
            oracles[value] = Oracle(events, keep=lambda timeline, v=value: value_of(by, timeline, month_end(last)) == v)
        expected = oracles[value].expected(population, month)
        assert {name: row[name] for name in expected} == expected, (value, population, month)
        before = previous.get((value, population), oracles[value].active(population, first - timedelta(days=1)))
        assert before + row["inflow"] - row["outflow"] == row["actively_homeless"], row
        previous[(value, population)] = row["actively_homeless"]
    for row in got["live raw"]:
        value = row[by]
        oracle = Oracle(events, keep=lambda timeline, v=value: value_of(by, timeline, today()) == v)
        assert row["active"] == oracle.active(row["population"], today()), row
    assert len(got["raw"]) == len(POPULATIONS) * len(months_between(first, last)) * len(oracles)
