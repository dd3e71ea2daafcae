"""Small-cell suppression of a cut such that no hidden cell can be worked out from what is published.

A cut's rows count units (episodes), each unit in one row of each of the cut's dimensions (a partition such
as sex, or a subset of everyone such as veterans). A count from 1 to below-1 is hidden. Every hidden cell
then gets a *move*: a unit of its row and a unit of another row of the same dimension (or of the unpublished
rest of a subset; either unit may be none) trade places. That is another history, the same units with
other attributes, which publishes the same numbers everywhere else and gives the cell another value, as long
as every cell the move changes is hidden: so those are hidden too (complementary suppression), choosing the
move that hides the fewest (then the smallest) cells not yet hidden. Whoever reads the published numbers
cannot tell the two histories apart, so no hidden cell is pinned to one value, whatever they solve.

The search for each cheapest move is projections/reports/moves.py: it finds the move that trying every trade
finds, so which cells are hidden does not depend on it; a small cell that a move already chosen changes is
not searched (its own search would find a move that hides nothing new).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from projections.reports.moves import Moves

#: The kind of a unit: the count fields it adds one to.
Kind = frozenset[str]
#: A row of the cut by index, or the unpublished rest of a subset dimension.
REST = -1


@dataclass(frozen=True)
class Dimension:
    """Cut values each unit is in at most one of: exactly one when `within` is None; else these are some of
    the units of the value `within` (which holds every unit), and the rest are in none of them."""

    values: tuple[str, ...]
    within: str | None = None


def suppress(
    rows: Sequence[Mapping[str, Any]],
    units: Sequence[Mapping[Kind, int]],
    *,
    group_fields: Sequence[str],
    cut_field: str,
    dimensions: Sequence[Dimension],
    count_fields: Sequence[str],
    below: int = 11,
    derived: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """Copies of `rows`, each with the fields it hides set to None and listed, in field order, in `suppressed`.

    `units[i]` counts the units of row i by kind; the row's counts are their sums. The rows sharing the
    values of `group_fields` are one group: its cut values (`cut_field`), each in one of `dimensions` or,
    if in none, a value published in full elsewhere (never hidden). A field of `derived` is hidden when any
    of its inputs is.
    """
    hidden: list[set[str]] = [set() for _ in rows]
    groups: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
    for index, (row, kinds) in enumerate(zip(rows, units, strict=True)):
        sums: Counter[str] = Counter()
        for kind, n in kinds.items():
            for name in kind:
                sums[name] += n
        for name in count_fields:
            if row[name] != sums[name]:
                raise ValueError(f"{name} of row {index} is not the sum of its units")
        groups[tuple(row[name] for name in group_fields)][row[cut_field]] = index
    for members in groups.values():
        _suppress_group(members, rows, units, dimensions, count_fields, below, hidden)
    for row_hidden in hidden:
        for name, inputs in (derived or {}).items():
            if row_hidden.intersection(inputs):
                row_hidden.add(name)
    order = [*count_fields, *(derived or {})]
    return [
        {**row, **dict.fromkeys(row_hidden, None), "suppressed": [name for name in order if name in row_hidden]}
        for row, row_hidden in zip(rows, hidden, strict=True)
    ]


def _suppress_group(
    members: Mapping[str, int],
    rows: Sequence[Mapping[str, Any]],
    units: Sequence[Mapping[Kind, int]],
    dimensions: Sequence[Dimension],
    count_fields: Sequence[str],
    below: int,
    hidden: list[set[str]],
) -> None:
    """Hide the small cells of one group, and with each the cells of the cheapest move that changes it."""
    small = [
        (index, name)
        for dimension in dimensions
        for index in (members[value] for value in dimension.values if value in members)
        for name in count_fields
        if 0 < rows[index][name] < below
    ]
    position = {name: i for i, name in enumerate(count_fields)}
    # The cells each place still shows, as bits of count_fields (bit i: count_fields[i]), which the search
    # trades and counts far faster than sets; the unpublished rest shows none.
    shown = {index: (1 << len(count_fields)) - 1 for index in members.values()}
    for index, name in small:
        shown[index] &= ~(1 << position[name])
    shown[REST] = 0
    for dimension in dimensions:
        places = [members[value] for value in dimension.values if value in members]
        held: dict[int, Mapping[Kind, int]] = {index: units[index] for index in places}
        if dimension.within is not None:
            rest = Counter(units[members[dimension.within]])
            rest.subtract(Counter({kind: n for index in places for kind, n in units[index].items()}))
            held[REST] = +rest
            places.append(REST)
        if len(places) < 2:
            raise ValueError("a dimension needs two places for a unit to move between")
        if not any(index in held for index, _ in small):
            continue
        # The kinds of unit each place holds, each once (and none: a move may take a unit one way only),
        # sorted once per dimension: every small cell's search reads them again.
        order = {kind: _key(kind, position) for kind in {k for place in places for k in held[place]}}
        kinds = {
            place: [
                0,
                *(_mask(k, position) for k in sorted((k for k, n in held[place].items() if n > 0), key=order.get)),
            ]
            for place in places
        }
        # The cells a move chosen so far changes, per place: all hidden, for good. A small cell among them
        # has a move that hides nothing new, which is what its own search would choose: it needs none.
        moved = dict.fromkeys(places, 0)
        moves = Moves(places, kinds, shown, rows, count_fields)
        for index, name in small:
            bit = position[name]
            if index in held and not moved[index] >> bit & 1:
                other, changed = moves.cheapest(index, bit)
                for place in (index, other):
                    if place != REST:
                        moves.hide(place, changed)
                    moved[place] |= changed
    for index in members.values():
        hidden[index].update(name for name, i in position.items() if not shown[index] >> i & 1)


def _key(kind: Kind, position: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(sorted(position[field] for field in kind))


def _mask(kind: Kind, position: Mapping[str, int]) -> int:
    """A kind as bits of the count fields (bit i: the i-th)."""
    return sum(1 << position[field] for field in kind)
