"""The fast move search hides exactly what trying every trade hides (projections/reports/moves.py).

The reference below is written from the definition (projections/reports/suppression.py's docstring): small
cells hidden first; then, for every small cell in order, every trade of a kind of its row (or none) and a kind
of another place (or none) that changes it is tried, and the cells of the cheapest (fewest newly hidden, then
their sum, then the first in order of places and kinds) are hidden.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.reports.suppression import Dimension, Kind, suppress

FIELDS = tuple(f"c{i}" for i in range(7))
PLACES = ("p", "q", "r", "s")


def reference(rows: list[dict[str, Any]], units: list[Counter[Kind]], below: int) -> list[set[str]]:
    hidden = [{f for f in FIELDS if 0 < row[f] < below} for row in rows]
    small = [(index, f) for index, row in enumerate(rows) for f in FIELDS if 0 < row[f] < below]
    kinds = [
        [frozenset(), *sorted((k for k, n in held.items() if n), key=lambda k: sorted(map(FIELDS.index, k)))]
        for held in units
    ]
    for index, field in small:
        best = None
        for other in range(len(rows)):
            if other == index:
                continue
            for i, mine in enumerate(kinds[index]):
                for j, theirs in enumerate(kinds[other]):
                    if (field in mine) == (field in theirs):
                        continue
                    changed = mine ^ theirs
                    new = [(place, f) for place in (index, other) for f in changed if f not in hidden[place]]
                    cost = (len(new), sum(rows[place][f] for place, f in new), other, i, j)
                    if best is None or cost < best[0]:
                        best = (cost, new)
        assert best is not None
        for place, f in best[1]:
            hidden[place].add(f)
    return hidden


kind = st.frozensets(st.sampled_from(FIELDS), min_size=1, max_size=5)
place_units = st.dictionaries(kind, st.integers(1, 6), max_size=6).map(Counter)


@settings(max_examples=300, deadline=None)
@given(units=st.lists(place_units, min_size=2, max_size=len(PLACES)), below=st.sampled_from((2, 3, 5, 11)))
def test_the_fast_search_hides_what_trying_every_trade_hides(units: list[Counter[Kind]], below: int) -> None:
    rows = [
        {"g": 1, "value": PLACES[i], **{f: sum(n for k, n in held.items() if f in k) for f in FIELDS}}
        for i, held in enumerate(units)
    ]

    shown = suppress(
        rows,
        units,
        group_fields=("g",),
        cut_field="value",
        dimensions=[Dimension(PLACES[: len(rows)])],
        count_fields=FIELDS,
        below=below,
    )

    assert [set(row["suppressed"]) for row in shown] == reference(rows, units, below)
