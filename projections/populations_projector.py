"""The populations projector: person timelines, their profile today, and daily flows per population.

A page's facts are added to each touched person's timeline; the person's flows are folded again from
the whole timeline and only the difference is added to `population_days`. So a back-dated event moves
flows between past days, and projecting page by page gives the same rows as one long rebuild. A profile
holds the attributes in force today; a change dated ahead sets its `pending_on`, and the first catch-up on
or after that day profiles the person again (`refresh`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, tuple_

from events.dates import today
from events.person import Person
from events.person_vocabulary import PERSON_EVENTS
from events.populations import POPULATIONS, populations_of
from projections.db import upsert
from projections.runner import Positioned, Projector
from projections.tables import FLOWS, person_facts, person_flows, person_profiles, population_days
from projections.timeline import (
    TRACKED_ATTRIBUTES,
    Fact,
    Flows,
    SpellFlows,
    attributes_on,
    by_day,
    fold_spells,
    race_category,
    struck_out,
)

COLUMNS = (*FLOWS, "days_to_housing")


def fact_of(event: Any) -> Fact | None:
    """The clear fact an event adds to its person's timeline, if it adds one: a status move (per the
    vocabulary) or attributes that populations and report cuts are made of, under the event's name."""
    if not isinstance(event, Person.Event):
        return None
    name = type(event).__name__
    tracked = _tracked(event.attributes) if isinstance(event, Person.Identified | Person.AttributesChanged) else None
    if PERSON_EVENTS[name].leads_to is None and not tracked:
        return None
    return Fact(event.originator_version, event.effective_on, name, tracked)


def _tracked(attributes: dict[str, Any]) -> dict[str, Any]:
    return {name: attributes[name] for name in TRACKED_ATTRIBUTES if name in attributes}


class PopulationsProjector(Projector):
    def __init__(self, aside: bool = False) -> None:
        super().__init__("populations", (person_facts, person_profiles, population_days, person_flows), aside)
        self.person_facts, self.person_profiles, self.population_days, self.person_flows = self.tables

    def apply_page(self, connection: Connection, page: Sequence[Positioned]) -> None:
        new: dict[str, list[Fact]] = defaultdict(list)
        voided: dict[str, set[int]] = defaultdict(set)
        for _position, event in page:
            fact = fact_of(event)
            if fact is not None:
                new[event.originator_id.hex].append(fact)
            elif isinstance(event, Person.EntryVoided):
                # A voided fact leaves the timeline, and the person's flows are folded again without it.
                voided[event.originator_id.hex].add(event.voids)
                new.setdefault(event.originator_id.hex, [])
        if not new:
            return
        old = self._timelines(connection, list(new))
        delta: Flows = defaultdict(Counter)
        profiles = []
        spells: dict[str, SpellFlows] = {}
        for person_id, facts in new.items():
            before = fold_spells(old.get(person_id, ()))
            new[person_id] = [f for f in facts if f.version not in voided[person_id]]
            timeline = [f for f in [*old.get(person_id, ()), *facts] if f.version not in voided[person_id]]
            after = fold_spells(timeline)
            if after != before:  # most facts (an attribute no population reads) move no flow
                spells[person_id] = after
                _subtract(delta, by_day(after), by_day(before))
            profiles.append(_profile(person_id, timeline))
        person_facts = self.person_facts
        gone = [(person_id, version) for person_id, versions in voided.items() for version in versions]
        if gone:
            connection.execute(
                delete(person_facts).where(tuple_(person_facts.c.person_id, person_facts.c.version).in_(gone))
            )
        rows = [
            {
                "person_id": person_id,
                "version": f.version,
                "effective_on": f.effective_on,
                "kind": f.kind,
                "attributes": f.attributes,
            }
            for person_id, facts in new.items()
            for f in facts
        ]
        if rows:
            connection.execute(insert(person_facts), rows)
        self._save_profiles(connection, profiles)
        self._add_flows(connection, delta)
        self._replace_person_flows(connection, spells)

    def refresh(self, connection: Connection) -> None:
        person_profiles = self.person_profiles
        due = select(person_profiles.c.person_id).where(person_profiles.c.pending_on <= today())
        timelines = self._timelines(connection, list(connection.execute(due).scalars()))
        if timelines:
            self._save_profiles(connection, [_profile(person_id, facts) for person_id, facts in timelines.items()])

    def _timelines(self, connection: Connection, person_ids: list[str]) -> dict[str, list[Fact]]:
        person_facts = self.person_facts
        rows = connection.execute(select(person_facts).where(person_facts.c.person_id.in_(person_ids)))
        timelines: dict[str, list[Fact]] = defaultdict(list)
        for row in rows:
            timelines[row.person_id].append(Fact(row.version, row.effective_on, row.kind, row.attributes))
        return timelines

    def _save_profiles(self, connection: Connection, profiles: list[dict[str, Any]]) -> None:
        statement = upsert(connection)(self.person_profiles)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["person_id"],
                set_={name: statement.excluded[name] for name in _PROFILE_COLUMNS},
            ),
            profiles,
        )

    def _replace_person_flows(self, connection: Connection, spells: dict[str, SpellFlows]) -> None:
        """Each person's flows per spell, written again whole (a person has a few rows)."""
        if not spells:
            return
        person_flows = self.person_flows
        connection.execute(delete(person_flows).where(person_flows.c.person_id.in_(list(spells))))
        rows = [
            {
                "person_id": person_id,
                "spell": spell,
                "population": population,
                "day": day,
                **{name: counts[name] for name in COLUMNS},
            }
            for person_id, flows in spells.items()
            for (population, day, spell), counts in flows.items()
        ]
        if rows:
            connection.execute(insert(person_flows), rows)

    def _add_flows(self, connection: Connection, delta: Flows) -> None:
        changed = [(key, counts) for key, counts in delta.items() if any(counts.values())]
        if not changed:
            return
        population_days = self.population_days
        statement = upsert(connection)(population_days)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["population", "day"],
                set_={name: population_days.c[name] + statement.excluded[name] for name in COLUMNS},
            ),
            [{"population": p, "day": d, **{name: counts[name] for name in COLUMNS}} for (p, d), counts in changed],
        )
        # A day whose flows cancel out leaves no row, exactly as if it had never had any. Flows never go
        # below zero and no row is kept with none, so only a day where one went down can be left empty.
        lowered = [key for key, counts in changed if any(count < 0 for count in counts.values())]
        if lowered:
            connection.execute(
                delete(population_days).where(
                    tuple_(population_days.c.population, population_days.c.day).in_(lowered),
                    and_(*(population_days.c[name] == 0 for name in COLUMNS)),
                )
            )


_PROFILE_COLUMNS = ("race_ethnicity", "sex", "birth_year", "birth_month", "populations", "in_error", "pending_on")


def _profile(person_id: str, timeline: Sequence[Fact]) -> dict[str, Any]:
    """What report cuts read of a person: the attributes in force today."""
    attributes, pending_on = attributes_on(timeline, today())
    return {
        "person_id": person_id,
        "race_ethnicity": race_category(attributes.get("race_ethnicity")),
        "sex": attributes.get("sex") or "unknown",
        "birth_year": attributes.get("birth_year"),
        "birth_month": attributes.get("birth_month"),
        "populations": [population for population in POPULATIONS if population in populations_of(attributes)],
        "in_error": struck_out(timeline),
        "pending_on": pending_on,
    }


def _subtract(delta: Flows, after: Flows, before: Flows) -> None:
    for key, counts in after.items():
        delta[key].update(counts)
    for key, counts in before.items():
        delta[key].subtract(counts)


def populations_projector() -> PopulationsProjector:
    return PopulationsProjector()
