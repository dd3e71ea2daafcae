"""Small-cell suppression of a demographic cut: counts 1..below-1 are hidden, and so is the next-smallest
cell of any row of cells whose total is published elsewhere and would otherwise give the hidden one away."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any


def suppress(
    rows: Sequence[Mapping[str, Any]],
    *,
    group_fields: Sequence[str],
    count_fields: Sequence[str],
    below: int = 11,
    derived: Mapping[str, Sequence[str]] | None = None,
    totals: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """Copies of `rows`, each with the fields it hides set to None and listed, in field order, in `suppressed`.

    The rows sharing the values of `group_fields` are the cells of one cut (one per cut value); for each count
    field their values add up to the uncut total. Within a row, each field of `totals` is the sum of its
    parts, so a lone hidden part is protected there too. A field of `derived` is hidden when any of its
    inputs is.
    """
    hidden = [{name for name in count_fields if 0 < row[name] < below} for row in rows]
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        groups[tuple(row[name] for name in group_fields)].append(index)
    # Hiding one cell may leave another line of cells with a lone hidden one: repeat until none is left.
    while True:
        before = sum(map(len, hidden))
        for members in groups.values():
            for name in count_fields:
                _protect([(i, name) for i in members], rows, hidden)
        for index in range(len(rows)):
            for total, parts in (totals or {}).items():
                if total not in hidden[index]:
                    _protect([(index, part) for part in parts], rows, hidden)
        if sum(map(len, hidden)) == before:
            break
    for row_hidden in hidden:
        for name, inputs in (derived or {}).items():
            if row_hidden.intersection(inputs):
                row_hidden.add(name)
    order = [*count_fields, *(derived or {})]
    return [
        {**row, **dict.fromkeys(row_hidden, None), "suppressed": [name for name in order if name in row_hidden]}
        for row, row_hidden in zip(rows, hidden, strict=True)
    ]


def _protect(cells: list[tuple[int, str]], rows: Sequence[Mapping[str, Any]], hidden: list[set[str]]) -> None:
    """Among `cells` (row index, field) adding up to a published total: when exactly one is hidden, the
    total would give it away, so hide the next-smallest too (preferring one that is not zero)."""
    if sum(name in hidden[i] for i, name in cells) != 1:
        return
    shown = [(i, name) for i, name in cells if name not in hidden[i]]
    candidates = [(i, name) for i, name in shown if rows[i][name] > 0] or shown
    if candidates:
        i, name = min(candidates, key=lambda cell: rows[cell[0]][cell[1]])
        hidden[i].add(name)
