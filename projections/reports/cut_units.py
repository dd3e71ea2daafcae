"""What the cuts of population flows by race/ethnicity, sex and age band add up: each person's spells
(projections/timeline.py `fold_spells`) with the person's value of the cut, and the units their small-cell
suppression moves (projections/reports/suppression.py).

A spell is one stretch of a person being active: it holds the inflow that began it, the population moves made
during it and the outflow that ended it. A spell adds at most one to each of a month's counts (it is active
in a population at most once at a time), and its own flows keep active(M-1) + inflow - outflow = active(M)
in every population; so moving a spell from one cut value to another is another history that publishes the
same uncut numbers and keeps the identity in every row. A person with two spells is two units.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from projections.reports.cuts import PERSON_CUT_VALUES, PERSON_CUTS, age_at, age_band
from projections.reports.suppression import Dimension, Kind, suppress
from projections.tables import FLOWS, INFLOWS, OUTFLOWS, person_flows, person_profiles

#: The person cuts of population flows (a population is not a cut here: each row is of one population).
CUTS = PERSON_CUTS
CUT_VALUES = PERSON_CUT_VALUES

_PROFILE = {
    "race_ethnicity": (person_profiles.c.race_ethnicity,),
    "sex": (person_profiles.c.sex,),
    "age_band": (person_profiles.c.birth_year, person_profiles.c.birth_month),
}


@dataclass
class Spell:
    """One spell of one person: its flows per population, day by day in date order."""

    value: str
    days: dict[str, list[tuple[date, Mapping[str, int]]]] = field(default_factory=lambda: defaultdict(list))

    def active_after(self, population: str, day: date) -> int:
        """1 if the spell is active in `population` at the end of `day`, else 0."""
        return sum(net(counts) for on, counts in self.days.get(population, ()) if on <= day)


def net(counts: Mapping[str, int]) -> int:
    return sum(counts[f] for f in INFLOWS) - sum(counts[f] for f in OUTFLOWS)


def spells(connection: Connection, *, until: date, populations: Sequence[str], by: str, band_on: date) -> list[Spell]:
    """Every spell with a flow in one of `populations` on or before `until`, with its person's value of the
    cut `by`: race/ethnicity and sex as in force today, age band at the age on `band_on`. A person with no
    profile is unknown."""
    if by not in CUTS:
        raise ValueError(f"population flows can be cut by {', '.join(CUTS)}, not {by!r}")
    f = person_flows.c
    query = (
        select(f.person_id, f.spell, f.population, f.day, *(f[name] for name in (*FLOWS, "days_to_housing")))
        .add_columns(*_PROFILE[by])
        .outerjoin(person_profiles, person_profiles.c.person_id == f.person_id)
        .where(f.day <= until, f.population.in_(populations))
        .order_by(f.person_id, f.spell, f.day)
    )
    found: dict[tuple[str, int], Spell] = {}
    width = 4 + len(FLOWS) + 1
    for row in connection.execute(query):
        spell = found.get((row.person_id, row.spell))
        if spell is None:
            spell = found[(row.person_id, row.spell)] = Spell(_value(by, row[width:], band_on))
        spell.days[row.population].append((row.day, row._mapping))
    return list(found.values())


def _value(by: str, profile: Sequence[Any], band_on: date) -> str:
    if by == "age_band":
        return age_band(age_at(profile[0], profile[1], band_on))
    return profile[0] if profile[0] is not None else "unknown"


def by_value(by: str, found: Iterable[Spell]) -> dict[str, list[Kind]]:
    """No units yet for each value of the cut, in order, and after them any value outside the vocabulary that
    a spell has: every value is a row, zeros included."""
    values = list(CUT_VALUES[by])
    return {value: [] for value in values + sorted({spell.value for spell in found} - set(values))}


def units_of(cells: Mapping[str, int]) -> list[Kind]:
    """A spell's counts as units that each add at most one to a count: a spell adds two to a count only when
    it moves into a population twice in one month (two attribute changes), and its second time is a unit of
    its own."""
    most = max(cells.values(), default=0)
    return [frozenset(name for name, n in cells.items() if n >= k) for k in range(1, most + 1)]


def suppress_cut(
    kinds: Mapping[str, Iterable[Kind]],
    count_fields: Sequence[str],
    below: int,
    derived: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """One row per cut value (`value`) of the counts its units add up to, small cells suppressed as one group
    in which every unit is in exactly one value (projections/reports/suppression.py)."""
    rows, units = [], []
    for value, found in kinds.items():
        held: Counter[Kind] = Counter(kind for kind in found if kind)
        totals: Counter[str] = Counter()
        for kind, n in held.items():
            for name in kind:
                totals[name] += n
        rows.append({"value": value, **{name: totals[name] for name in count_fields}})
        units.append(held)
    return suppress(
        rows,
        units,
        group_fields=(),
        cut_field="value",
        dimensions=[Dimension(tuple(kinds))],
        count_fields=count_fields,
        below=below,
        derived=derived,
    )
