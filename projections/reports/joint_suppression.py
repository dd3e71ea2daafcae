"""Suppression of numbers published together with their totals, where the totals are suppressed too (the public
page: docs/security.md, "The public community page").

The cuts of the reports (projections/reports/suppression.py) take the uncut totals as published in full: a
move trades units between cut values and keeps every total. Here a total from 1 to below-1 is hidden as well,
and a hidden total needs a move of its own: a unit of the total (or none) trading places with a unit (or none)
of kinds that exist elsewhere in the table: one spell fewer, or one more like another, or one in place of
another. That is the cut's machinery with the total as a subset of an unpublished universe, whose rest holds
one unit of every kind there is. Such a move changes, in the cut, the row the unit is in; so when a total of
a cut field is hidden, every cut cell of a field whose total is hidden or not 0 is hidden too, and the cut's
own moves keep every total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from projections.reports.cut_units import suppress_cut
from projections.reports.suppression import Dimension, Kind, suppress

TOTAL = "total"
_UNIVERSE = "universe"


def suppress_with_totals(
    kinds: Mapping[str, Iterable[Kind]],
    total_fields: Sequence[str],
    cut_fields: Sequence[str],
    below: int,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The totals of `total_fields` over every cut value's units (`kinds`), and one row per cut value of
    `cut_fields` (a subset of them; none: no rows), each with the fields it hides set to None and listed in
    `suppressed`."""
    held = {value: [kind for kind in found if kind] for value, found in kinds.items()}
    everyone: Counter[Kind] = Counter(kind for found in held.values() for kind in found)
    total = _hidden_totals(everyone, total_fields, below)
    hidden_total = set(total["suppressed"])
    if not cut_fields:
        return total, []
    rows = suppress_cut(
        {value: [kind & set(cut_fields) for kind in found] for value, found in held.items()}, cut_fields, below
    )
    if hidden_total.intersection(cut_fields):
        spread = [name for name in cut_fields if name in hidden_total or total[name] != 0]
        rows = [_hide(row, spread, cut_fields) for row in rows]
    return total, rows


def _hidden_totals(everyone: Counter[Kind], fields: Sequence[str], below: int) -> dict[str, Any]:
    """The totals, small ones hidden with the cells of the cheapest move that changes each."""
    universe = everyone + Counter(set(everyone))
    rows = [
        {"value": value, **{name: sum(n for kind, n in units.items() if name in kind) for name in fields}}
        for value, units in ((TOTAL, everyone), (_UNIVERSE, universe))
    ]
    shown = suppress(
        rows,
        [everyone, universe],
        group_fields=(),
        cut_field="value",
        dimensions=[Dimension((TOTAL,), within=_UNIVERSE)],
        count_fields=fields,
        below=below,
    )
    return {key: value for key, value in shown[0].items() if key != "value"}


def _hide(row: Mapping[str, Any], names: Sequence[str], order: Sequence[str]) -> dict[str, Any]:
    hidden = set(row["suppressed"]).union(names)
    return {**row, **dict.fromkeys(names, None), "suppressed": [name for name in order if name in hidden]}
