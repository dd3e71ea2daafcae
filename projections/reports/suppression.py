"""Small-cell suppression of a cut such that no hidden cell can be worked out from what is published.

A cut's rows count units (episodes), each unit in one row of each of the cut's dimensions (a partition such
as sex, or a subset of everyone such as veterans). A count from 1 to below-1 is hidden. Every hidden cell
then gets a *move*: a unit of its row and a unit of another row of the same dimension (or of the unpublished
rest of a subset; either unit may be none) trade places. That is another history, the same units with
other attributes, which publishes the same numbers everywhere else and gives the cell another value, as long
as every cell the move changes is hidden: so those are hidden too (complementary suppression), choosing the
move that hides the fewest (then the smallest) cells not yet hidden. Whoever reads the published numbers
cannot tell the two histories apart, so no hidden cell is pinned to one value, whatever they solve.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
        for name in count_fields:
            if row[name] != sum(n for kind, n in kinds.items() if name in kind):
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
    for index, name in small:
        hidden[index].add(name)
    position = {name: i for i, name in enumerate(count_fields)}
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
        # The kinds of unit each place holds, each once (and none: a move may take a unit one way only),
        # sorted once per dimension: every small cell's search reads them again. As bits of count_fields
        # (bit i: count_fields[i]), which the search trades and counts far faster than sets.
        order = {kind: _key(kind, position) for kind in {k for place in places for k in held[place]}}
        kinds = {
            place: [
                0,
                *(_mask(k, position) for k in sorted((k for k, n in held[place].items() if n > 0), key=order.get)),
            ]
            for place in places
        }
        for index, name in small:
            if index in held:
                _hide_a_move(index, position[name], places, kinds, rows, hidden, count_fields)


def _hide_a_move(
    index: int,
    bit: int,
    places: Sequence[int],
    kinds: Mapping[int, Sequence[int]],
    rows: Sequence[Mapping[str, Any]],
    hidden: list[set[str]],
    count_fields: Sequence[str],
) -> None:
    """Hide every cell of the cheapest move that changes cell (`index`, count field number `bit`): a unit of
    its row (or none) trading places with a unit (or none) of another place. Each kind a place holds is there
    to move. A move costs the cells it newly hides (none in the unpublished rest), then their sum."""
    shown = {place: 0 if place == REST else _bits(count_fields, set(count_fields) - hidden[place]) for place in places}

    def total(mask: int, place: int) -> int:
        return sum(rows[place][count_fields[i]] for i in range(mask.bit_length()) if mask >> i & 1)

    best: tuple[tuple[int, int], int, int] | None = None
    for other, mine, theirs in _trades(index, bit, places, kinds):
        changed = mine ^ theirs
        mine_new, their_new = changed & shown[index], changed & shown[other]
        count = mine_new.bit_count() + their_new.bit_count()
        if best is not None and count > best[0][0]:
            continue
        cost = (count, total(mine_new, index) + (total(their_new, other) if their_new else 0))
        if best is None or cost < best[0]:
            best = (cost, other, changed)
            if cost == (0, 0):  # hides nothing new: no move can cost less
                break
    if best is None:  # cannot happen: the cell's row holds a unit counted in it, which can move to another place
        raise ValueError(f"no move changes {count_fields[bit]} of row {index}")
    _, other, changed = best
    for place in (index, other):
        if place != REST:
            hidden[place].update(count_fields[i] for i in range(changed.bit_length()) if changed >> i & 1)


def _trades(
    index: int, bit: int, places: Sequence[int], kinds: Mapping[int, Sequence[int]]
) -> Iterator[tuple[int, int, int]]:
    """Every trade that changes count field `bit`: a kind of unit of row `index` and a kind of another place,
    exactly one of them counted in it, in the order of places and then of each place's kinds."""
    for other in places:
        if other == index:
            continue
        counted = [kind for kind in kinds[other] if kind >> bit & 1]
        uncounted = [kind for kind in kinds[other] if not kind >> bit & 1]
        for mine in kinds[index]:
            for theirs in uncounted if mine >> bit & 1 else counted:
                yield other, mine, theirs


def _bits(count_fields: Sequence[str], fields: set[str]) -> int:
    return sum(1 << i for i, name in enumerate(count_fields) if name in fields)


def _key(kind: Kind, position: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(sorted(position[field] for field in kind))


def _mask(kind: Kind, position: Mapping[str, int]) -> int:
    """A kind as bits of the count fields (bit i: the i-th)."""
    return sum(1 << position[field] for field in kind)
