"""An HMIS client's records as a dated by-name-list history: the steps (identification, contacts, status
transitions, attribute changes) the rules of docs/design.md "HMIS import" derive from their facts (facts.py).
Pure: the importer turns each step into a Person command."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from coord.hmis.facts import ACTIVITY, ATTRIBUTES, DEATH, HOUSING, Fact, Index
from coord.hmis.records import Export

ACTIVE, HOUSED, INACTIVE, DECEASED = "active", "housed", "inactive", "deceased"


@dataclass(frozen=True)
class Step:
    """One by-name-list event: `kind` is its event name (events/person_vocabulary.py). A history lists its
    steps by date; on one date: attribute changes, then each activity's status step and its contact, then
    housing, then death."""

    kind: str
    on: date
    #: MarkedInactive: "no_contact" or "deceased".
    reason: str | None = None
    #: Housed: the HMIS 3.12 destination (an exit's own, or 435 for a move-in).
    destination: int | None = None
    #: Identified: every clear attribute the records give; AttributesChanged: the ones that changed.
    attributes: dict[str, Any] | None = None
    #: ContactRecorded: the project of the enrollment the activity came from (the contact's service).
    project_id: str | None = None


def client_history(export: Export, personal_id: str, inactive_days: int = 90, index: Index | None = None) -> list[Step]:
    """The client's steps in date order; pass `index` (facts.Index) when walking many clients of one export."""
    if inactive_days < 0:
        raise ValueError("inactive_days must not be negative")
    index = index or Index(export)
    walk = _Walk(index.first_attributes(personal_id), timedelta(days=inactive_days))
    for fact in index.client_facts(personal_id):
        walk.see(fact)
    walk.end(export.end)
    return walk.steps


def histories(export: Export, inactive_days: int = 90) -> Iterator[tuple[str, list[Step]]]:
    """Every client's steps, by PersonalID; clients with no activity have none."""
    index = Index(export)
    for personal_id in sorted(export.clients):
        yield personal_id, client_history(export, personal_id, inactive_days, index)


class _Walk:
    """The rules' walk over one client's facts in date order, collecting the steps."""

    def __init__(self, attributes: dict[str, Any], inactive_after: timedelta) -> None:
        self.attributes = attributes
        self.inactive_after = inactive_after
        self.steps: list[Step] = []
        self.status: str | None = None
        self.last_activity = date.min
        self.housed_on = date.min
        self.contact_on: date | None = None

    def see(self, fact: Fact) -> None:
        if self.status == DECEASED:
            return  # a death is final: the aggregate refuses any return from it, and later records are errors
        if self.status == ACTIVE and fact.on > self.last_activity + self.inactive_after:
            self._move(INACTIVE, Step("MarkedInactive", self.last_activity + self.inactive_after, "no_contact"))
        if fact.kind == ATTRIBUTES:
            self._state(fact)
        elif fact.kind == ACTIVITY:
            self._activity(fact)
        elif fact.kind == HOUSING and self.status == ACTIVE:
            self.housed_on = fact.on
            self._move(HOUSED, Step("Housed", fact.on, destination=fact.destination))
        elif fact.kind == DEATH and self.status == ACTIVE:
            self._move(DECEASED, Step("MarkedInactive", fact.on, reason="deceased"))

    def end(self, export_end: date) -> None:
        if self.status == ACTIVE and self.last_activity + self.inactive_after <= export_end:
            self._move(INACTIVE, Step("MarkedInactive", self.last_activity + self.inactive_after, "no_contact"))

    def _activity(self, fact: Fact) -> None:
        if self.status == HOUSED and fact.enrollment.entry_date <= self.housed_on:
            return  # a late record of the stay before housing
        if self.status is None:
            self._move(ACTIVE, Step("Identified", fact.on, attributes=dict(self.attributes)))
        elif self.status == INACTIVE:
            self._move(ACTIVE, Step("ReturnedFromInactive", fact.on))
        elif self.status == HOUSED:
            self._move(ACTIVE, Step("ReturnedFromHousing", fact.on))
        self.last_activity = max(self.last_activity, fact.on, fact.until or fact.on)
        if self.contact_on != fact.on:
            self.contact_on = fact.on
            self.steps.append(Step("ContactRecorded", fact.on, project_id=fact.enrollment.project_id))

    def _state(self, fact: Fact) -> None:
        changed = {name: value for name, value in fact.attributes.items() if self.attributes[name] != value}
        self.attributes.update(changed)
        if changed and self.status is not None:
            self.steps.append(Step("AttributesChanged", fact.on, attributes=changed))

    def _move(self, status: str, step: Step) -> None:
        self.status = status
        self.steps.append(step)
