"""One person's Built for Zero flows, folded from the clear facts of their timeline by effective date.

Facts apply in effective-date order, and in log order (version) on one date; an attribute change dated
before identification applies on the identification day, after identification's own values (the ranking
of events/attributes.py `statement`, so the fold and the person agree). Each status change or
population change becomes one flow on its day in every population it touches, so summing a population's
flows up to a day gives exactly the number of active persons in it at the end of that day. A fact is named
for its event; what it means (the status it leads to, its flow) is events/person_vocabulary.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from events.attributes import statement
from events.person_vocabulary import ACTIVE, PERSON_EVENTS
from events.populations import populations_of

#: Clear attributes a fact may carry: the ones populations and report cuts are made of.
TRACKED_ATTRIBUTES = ("household_type", "veteran", "chronic", "race_ethnicity", "sex", "birth_year", "birth_month")
#: The flows of a person who joins or leaves a population while active, by an attribute change.
JOINS, LEAVES = "newly_identified", "no_longer_meets_population_criteria"


@dataclass(frozen=True)
class Fact:
    version: int
    effective_on: date
    kind: str
    attributes: Mapping[str, Any] | None = None


#: (population, day) -> flow name -> count; "days_to_housing" sums days for the day's placements.
Flows = dict[tuple[str, date], Counter[str]]
#: (population, day, spell) -> flow name -> count: the same flows, each in the spell it belongs to.
SpellFlows = dict[tuple[str, date, int], Counter[str]]


def fold(facts: Iterable[Fact]) -> Flows:
    """The person's flows per population and day."""
    return by_day(fold_spells(facts))


def by_day(spells: SpellFlows) -> Flows:
    """Flows per population and day, whatever spell they belong to."""
    flows: Flows = {}
    for (population, day, _spell), counts in spells.items():
        flows.setdefault((population, day), Counter()).update(counts)
    return flows


def fold_spells(facts: Iterable[Fact]) -> SpellFlows:
    """The person's flows per population, day and spell: a spell is one stretch of being active (1 from
    identification, 2 from the first return, ...), and holds the inflow that began it, the population moves
    made during it and the outflow that ended it. So each spell is active in a population at most once at a
    time, and its flows alone keep active(M-1) + inflow - outflow = active(M) in every population."""
    flows: SpellFlows = {}
    spell = 0
    status: str | None = None
    attributes: dict[str, Any] = {}
    started_on: date | None = None  # identification or latest return: where days to housing count from

    def add(populations: Iterable[str], day: date, flow: str, amount: int = 1) -> None:
        for population in populations:
            flows.setdefault((population, day, spell), Counter())[flow] += amount

    facts = list(facts)
    identified_on = _identified_on(facts)
    for fact in sorted(facts, key=lambda f: _rank(f, identified_on)):
        meaning, day = PERSON_EVENTS[fact.kind], max(fact.effective_on, identified_on)
        counted = populations_of(attributes) if status == ACTIVE else set()
        attributes.update(fact.attributes or {})
        # A status move applies from a status it may follow (the first fact: from none at all).
        if meaning.leads_to is not None and (status in meaning.follows or (status is None and not meaning.follows)):
            if meaning.leads_to == ACTIVE and status != ACTIVE:
                spell += 1
            status = meaning.leads_to
            if status == ACTIVE:
                started_on = day
        now = populations_of(attributes) if status == ACTIVE else set()
        add(now - counted, day, meaning.flow or JOINS)
        add(counted - now, day, meaning.flow or LEAVES)
        if meaning.flow == "housing_placements" and started_on is not None:
            add(counted - now, day, "days_to_housing", (day - started_on).days)
    # A person entered in error was never on the list: no flow of theirs counts, in any month.
    return {} if struck_out(facts) else flows


def attributes_on(facts: Sequence[Fact], day: date) -> tuple[dict[str, Any], date | None]:
    """The attributes in force on `day` (before identification, identification's own), and the next day
    after it on which one of them changes (a change dated ahead), if any."""
    identified_on = _identified_on(facts)
    day = max(day, identified_on)
    attributes: dict[str, Any] = {}
    ahead: list[date] = []
    for fact in sorted(facts, key=lambda f: _rank(f, identified_on)):
        applies_from = _rank(fact, identified_on)[0]
        if fact.attributes and applies_from <= day:
            attributes.update(fact.attributes)
        elif fact.attributes:
            ahead.append(applies_from)
    return attributes, min(ahead, default=None)


def struck_out(facts: Iterable[Fact]) -> bool:
    """A person entered in error was never on the list."""
    return any(PERSON_EVENTS[f.kind].strikes_out for f in facts)


def _identified_on(facts: Sequence[Fact]) -> date:
    return min((f.effective_on for f in facts if f.kind == "Identified"), default=date.min)


def _rank(fact: Fact, identified_on: date) -> tuple[date, date, int]:
    stated = statement(None, fact.effective_on, identified_on, fact.kind == "Identified")
    return stated[0], stated[1], fact.version


def race_category(race_ethnicity: list[str] | None) -> str:
    """One value to cut by: the category itself, or "multiple" when a person gave several."""
    if not race_ethnicity:
        return "unknown"
    return race_ethnicity[0] if len(race_ethnicity) == 1 else "multiple"
