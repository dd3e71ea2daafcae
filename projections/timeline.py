"""One person's Built for Zero flows, folded from the clear facts of their timeline by effective date.

Facts apply in effective-date order, and in log order (version) on one date. Each status change or
population change becomes one flow on its day in every population it touches, so summing a population's
flows up to a day gives exactly the number of active persons in it at the end of that day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from events.populations import populations_of

#: Clear attributes a fact may carry: the ones populations and report cuts are made of.
TRACKED_ATTRIBUTES = ("household_type", "veteran", "chronic", "race_ethnicity", "sex", "birth_year")

RETURNS = {"returned_from_housing": "returned_from_housing", "returned_from_inactive": "returned_from_inactive"}
EXITS = {"housed": ("housed", "housing_placements"), "inactive": ("inactive", "moved_to_inactive")}


@dataclass(frozen=True)
class Fact:
    version: int
    effective_on: date
    kind: str
    attributes: Mapping[str, Any] | None = None


#: (population, day) -> flow name -> count; "days_to_housing" sums days for the day's placements.
Flows = dict[tuple[str, date], Counter[str]]


def fold(facts: Iterable[Fact]) -> tuple[Flows, dict[str, Any]]:
    """The person's flows per population and day, and their latest attributes by effective date."""
    flows: Flows = {}
    status: str | None = None
    attributes: dict[str, Any] = {}
    started_on: date | None = None  # identification or latest return: where days to housing count from

    def add(populations: Iterable[str], day: date, flow: str, amount: int = 1) -> None:
        for population in populations:
            flows.setdefault((population, day), Counter())[flow] += amount

    for fact in sorted(facts, key=lambda f: (f.effective_on, f.version)):
        day, inside = fact.effective_on, populations_of(attributes)
        if fact.kind == "identified":
            attributes.update(fact.attributes or {})
            status, started_on = "active", day
            add(populations_of(attributes), day, "newly_identified")
        elif fact.kind == "attributes":
            attributes.update(fact.attributes or {})
            if status == "active":
                now_inside = populations_of(attributes)
                add(inside - now_inside, day, "no_longer_meets_population_criteria")
                add(now_inside - inside, day, "newly_identified")
        elif fact.kind in EXITS and status == "active":
            status, flow = EXITS[fact.kind]
            add(inside, day, flow)
            if fact.kind == "housed" and started_on is not None:
                add(inside, day, "days_to_housing", (day - started_on).days)
        elif fact.kind in RETURNS and status in ("housed", "inactive"):
            status, started_on = "active", day
            add(inside, day, RETURNS[fact.kind])
    return flows, attributes


def race_category(race_ethnicity: list[str] | None) -> str:
    """One value to cut by: the category itself, or "multiple" when a person gave several."""
    if not race_ethnicity:
        return "unknown"
    return race_ethnicity[0] if len(race_ethnicity) == 1 else "multiple"
