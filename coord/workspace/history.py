"""A person's history in plain words: one line per event of their record, with its date, what happened, who
and for which agency; a voided entry is marked, and the correction that voided it says which entry and why.
Personal data is never opened here: a change of it names the fields, not the values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from coord.workspace.words import field, words
from events.pii import PII


@dataclass(frozen=True)
class Line:
    version: int
    effective_on: date
    recorded_on: date
    what: str
    actor: str
    agency: str
    #: The version of the correction that voided this entry, if one did.
    voided_by: int | None = None
    correction: bool = False


def history(events: list[Any], service_names: dict[str, str]) -> list[Line]:
    """Newest first, as a case manager reads a record."""
    voided_by = {e.voids: e.originator_version for e in events if type(e).__name__ == "EntryVoided"}
    kinds = {e.originator_version: e for e in events}
    lines = [
        Line(
            version=e.originator_version,
            effective_on=e.effective_on,
            recorded_on=e.timestamp.date(),
            what=_what(e, kinds, service_names),
            actor=e.actor,
            agency=e.agency,
            voided_by=voided_by.get(e.originator_version),
            correction=type(e).__name__ in ("EntryVoided", "EnteredInError"),
        )
        for e in events
    ]
    return list(reversed(lines))


def title(name: str) -> str:
    """What an event of this name is called on the page."""
    return _TITLES.get(name, words(name))


_TITLES = {
    "Identified": "Identified (added to the list)",
    "ContactRecorded": "Contact recorded",
    "OutcomeRecorded": "Outcome recorded",
    "Housed": "Housed",
    "MarkedInactive": "Marked inactive",
    "ReturnedFromHousing": "Returned to the list from housing",
    "ReturnedFromInactive": "Returned to the list from inactive",
    "AttributesChanged": "Details changed",
    "EntryVoided": "Correction",
    "EnteredInError": "Whole record marked entered in error",
    "ConsentRecorded": "Consent recorded",
    "ConsentRevoked": "Consent revoked",
    "Erased": "Personal data erased",
}


def _what(event: Any, kinds: dict[int, Any], service_names: dict[str, str]) -> str:
    name = type(event).__name__
    text = title(name)
    if name in ("Identified", "AttributesChanged"):
        return f"{text}: {_statement(event.attributes, event.pii)}"
    if name == "ContactRecorded" and event.service_id:
        return f"{text} at {service_names.get(event.service_id.hex, 'a service')}"
    if name == "OutcomeRecorded":
        return f"{text}: {words(event.indicator)}, {'met' if event.met else 'not met'} ({words(event.source)})"
    if name == "Housed":
        return f"{text} (HMIS destination {event.destination})"
    if name in ("MarkedInactive", "EnteredInError"):
        return f"{text}: {words(event.reason)}"
    if name == "EntryVoided":
        voided = kinds.get(event.voids)
        what = f"{title(type(voided).__name__)} of {voided.effective_on.isoformat()}" if voided else "an entry"
        return f"{text}: entry #{event.voids} ({what}) was entered in error; reason: {words(event.reason)}"
    if name == "ConsentRecorded":
        scope = "every agency" if event.agencies is None else ", ".join(event.agencies)
        until = f" until {event.expires_on.isoformat()}" if event.expires_on else ""
        return f"{text} for {scope}{until}"
    return text


def _statement(attributes: dict[str, Any], pii: dict[str, PII]) -> str:
    stated = {name: value for name, value in attributes.items() if name != "birth_month" and value is not None}
    shown = [f"{field(name)} {words(value)}" for name, value in stated.items()]
    if pii:
        shown.append("personal data: " + ", ".join(field(name) for name in pii))
    return "; ".join(shown) or "no change stated"
