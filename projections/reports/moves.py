"""The search for the cheapest move of small-cell suppression (projections/reports/suppression.py), fast
enough for cuts whose units are nearly all of a kind of their own (spells over every month of a report).

A move trades a unit of one place (or none) for a unit (or none) of another; it costs the cells it newly
hides in the two places. A trade of kinds whose shown cells number a and b in the first place and a' and b'
in the second changes at least |a - a'| + |b - b'| shown cells, so each place's kinds are kept grouped by
those numbers, for every other place, and updated as cells are hidden (only the kinds holding a cell move
group when it is). A search looks up partners nearest first, and stops once no group left can hold a move
that costs less than the best found: it finds the very move that trying every trade finds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from typing import Any

#: Positions of a place's kinds by their numbers of shown cells (in that place, in another).
Groups = dict[tuple[int, int], set[int]]


class Moves:
    """The places of one dimension, the kinds of unit each holds (as bits of the count fields, none first),
    and the cells each shows (`shown`, updated by `hide`)."""

    def __init__(
        self,
        places: Sequence[int],
        kinds: Mapping[int, Sequence[int]],
        shown: MutableMapping[int, int],
        rows: Sequence[Mapping[str, Any]],
        count_fields: Sequence[str],
    ) -> None:
        self.places, self.kinds, self.shown = places, kinds, shown
        self.rows, self.count_fields = rows, count_fields
        #: Which kinds of each place hold each cell.
        self.holding: dict[int, dict[int, list[int]]] = {place: defaultdict(list) for place in places}
        for place in places:
            for k, kind in enumerate(kinds[place]):
                for bit in _bits(kind):
                    self.holding[place][bit].append(k)
        #: near[q][p][k]: the cells kind k of place q holds that place p shows.
        self.near = {q: {p: [(kind & shown[p]).bit_count() for kind in kinds[q]] for p in places} for q in places}
        #: groups[(q, p)]: the kinds of q by (near[q][q], near[q][p]).
        self.groups: dict[tuple[int, int], Groups] = {}
        for q in places:
            for p in places:
                if p != q:
                    groups: Groups = defaultdict(set)
                    for k, (a, b) in enumerate(zip(self.near[q][q], self.near[q][p], strict=True)):
                        groups[(a, b)].add(k)
                    self.groups[(q, p)] = groups

    def hide(self, place: int, cells: int) -> None:
        """Hide `cells` in `place`, and regroup the kinds holding any that it showed."""
        newly = cells & self.shown[place]
        self.shown[place] &= ~cells
        for bit in _bits(newly):
            for q in self.places:
                for k in self.holding[q].get(bit, ()):
                    self._regroup(q, place, k)

    def _regroup(self, q: int, p: int, k: int) -> None:
        """Kind k of q holds one shown cell of p fewer."""
        near = self.near[q]
        for other in (o for o in self.places if o != q) if p == q else (p,):
            groups = self.groups[(q, other)]
            key = (near[q][k], near[other][k])
            groups[key].discard(k)
            if not groups[key]:
                del groups[key]
        near[p][k] -= 1
        for other in (o for o in self.places if o != q) if p == q else (p,):
            self.groups[(q, other)][(near[q][k], near[other][k])].add(k)

    def cheapest(self, index: int, bit: int) -> tuple[int, int]:
        """The other place and the cells changed by the cheapest move that changes cell (`index`, count field
        number `bit`): exactly one of the two units counted in it. A move costs the cells it newly hides (none
        in the unpublished rest), then their sum; of moves that cost the same, the first in the order of
        places, then of each place's kinds."""
        here, mine = self.shown[index], self.kinds[index]
        counted = self.holding[index].get(bit, ())
        best: tuple[int, int, int, int, int] | None = None
        found = (index, 0)
        reach = 0
        while best is None or reach <= best[0]:
            if reach > 2 * len(self.count_fields):  # cannot happen: a unit counted in the cell can move alone
                raise ValueError(f"no move changes {self.count_fields[bit]} of row {index}")
            for rank, other in enumerate(self.places):
                if other == index:
                    continue
                there, theirs = self.shown[other], self.kinds[other]
                for i, j in self._pairs(index, other, bit, counted, reach):
                    changed = mine[i] ^ theirs[j]
                    mine_new, their_new = changed & here, changed & there
                    count = mine_new.bit_count() + their_new.bit_count()
                    if best is not None and count > best[0]:
                        continue
                    if count == 0:  # hides nothing new: no move can cost less
                        return other, changed
                    spent = self._total(index, mine_new) + (self._total(other, their_new) if their_new else 0)
                    cost = (count, spent, rank, i, j)
                    if best is None or cost < best:
                        best, found = cost, (other, changed)
            reach += 1
        return found

    def _pairs(self, index: int, other: int, bit: int, counted: Sequence[int], reach: int) -> Iterator[tuple[int, int]]:
        """The trades (kind i of index, kind j of other), exactly one counted in the cell, whose bound is
        `reach`. Few kinds count in a small cell, so the search starts from them and looks up partners."""
        flag, kinds, mine, theirs = 1 << bit, self.kinds[other], self.near[index], self.near[other]
        partners = self.groups[(other, index)]
        for i in counted:
            for key in _ring(mine[other][i], mine[index][i], reach):
                for j in partners.get(key, ()):
                    if not kinds[j] & flag:
                        yield i, j
        partners, kinds = self.groups[(index, other)], self.kinds[index]
        for j in self.holding[other].get(bit, ()):
            for key in _ring(theirs[index][j], theirs[other][j], reach):
                for i in partners.get(key, ()):
                    if not kinds[i] & flag:
                        yield i, j

    def _total(self, place: int, cells: int) -> int:
        row = self.rows[place]
        return sum(row[self.count_fields[bit]] for bit in _bits(cells))


def _ring(a: int, b: int, reach: int) -> Iterator[tuple[int, int]]:
    """The groups (a', b') with |a - a'| + |b - b'| = reach."""
    for step in range(-reach, reach + 1):
        rest = reach - abs(step)
        yield a + step, b + rest
        if rest:
            yield a + step, b - rest


def _bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low
