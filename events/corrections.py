"""Corrections of a person's record: which entries may be voided and the state a person has without one.
The aggregate keeps each voidable entry by version (docs/design.md "Vocabularies"), so a void re-derives the
state as if the entry had never been recorded, while the log keeps both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from events.errors import NotFoundError, RuleError
from events.pii import PII
from events.vocabulary import check_choice

#: Why an entry was voided (docs/design.md "Vocabularies").
CORRECTION_REASONS = ("entered_in_error", "wrong_person", "wrong_date", "duplicate_record")
#: Entries that may be voided at any time; a status transition only while it is the latest.
ANY_TIME = ("ContactRecorded", "AttributesChanged", "OutcomeRecorded")
#: Entries that are not status transitions.
EVERYDAY = ("Identified", *ANY_TIME)
#: Entries that count as seeing the person.
CONTACTS = ("Identified", "ContactRecorded")
#: The status columns a transition sets; a void of the latest transition puts back what they were.
STATUS_FIELDS = ("status", "inactive_reason", "destination", "last_transition_on")


@dataclass(frozen=True)
class Entry:
    """One voidable entry: the event's name, its day, and what undoing it needs."""

    kind: str
    effective_on: date
    #: A transition: the status fields before it. Identification, an attribute change: (attributes, pii). An
    #: outcome: its Outcome (events/outcomes.py).
    data: Any = None


def check_void(person: Any, voids: int, reason: str, note: PII | None) -> Entry:
    """The entry at `voids`, if it may be voided now; raises why not."""
    check_choice("reason", reason, CORRECTION_REASONS)
    if note is not None and (not isinstance(note, PII) or note.subject != person.id):
        raise RuleError("note must be a PII value bound to the person")
    if not isinstance(voids, int) or isinstance(voids, bool) or not 1 <= voids <= person.version:
        raise NotFoundError(f"the person has no entry at version {voids}")
    if voids in person.voided:
        raise RuleError(f"the entry at version {voids} is already voided")
    entry = person.entries.get(voids)
    if entry is None:
        raise RuleError(
            f"the entry at version {voids} cannot be voided: only contacts, attribute changes, outcomes and the "
            "latest status transition can be"
        )
    if entry.kind == "Identified":
        raise RuleError("the identification cannot be voided; mark the person entered in error instead")
    if entry.kind == "EnteredInError":
        raise RuleError("a person entered in error stays so: that entry cannot be voided")
    if entry.kind not in ANY_TIME and voids != max(v for v, e in person.entries.items() if e.kind not in EVERYDAY):
        raise RuleError(f"the status transition at version {voids} is not the person's latest; void later ones first")
    return entry


def row_after(person: Any, voids: int) -> dict[str, Any]:
    """The list row's columns once the entry at `voids` is voided: what the projectors cannot re-derive."""
    entry = person.entries[voids]
    status, _reason, _destination, last_transition_on = (
        entry.data if entry.kind not in EVERYDAY else (person.status, None, None, person.last_transition_on)
    )
    contacts = [e.effective_on for v, e in person.entries.items() if v != voids and e.kind in CONTACTS]
    return {"status": status, "last_transition_on": last_transition_on, "last_contact_on": max(contacts)}


def undo(person: Any, voids: int) -> None:
    """Put the person's state back as if the entry at `voids` had never been recorded."""
    entry = person.entries.pop(voids)
    person.voided.add(voids)
    if entry.kind == "ContactRecorded":
        person.last_contact_on = max(e.effective_on for e in person.entries.values() if e.kind in CONTACTS)
    elif entry.kind == "AttributesChanged":
        person.attribute_statements = {}
        pii: dict[str, PII] = {}
        for version in sorted(person.entries):
            kept = person.entries[version]
            if kept.kind in ("Identified", "AttributesChanged"):
                person.state(kept.data[0], kept.effective_on, kept.kind == "Identified")
                pii.update(kept.data[1])
        person.pii = {} if person.erased else pii
    elif entry.kind not in ANY_TIME:  # a status transition (an outcome leaves nothing else to undo)
        for name, value in zip(STATUS_FIELDS, entry.data, strict=True):
            setattr(person, name, value)
