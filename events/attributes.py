"""A person's clear attributes and personal-data fields: which may be given, and the check on each value.
The request schemas read the same limits (coord/api/schemas.py), so both sides refuse the same values."""

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from events.dates import FIRST_DAY, today
from events.errors import RuleError
from events.pii import PERSON_PII_FIELDS, PII
from events.vocabulary import (
    GENDERS,
    HOUSEHOLD_TYPES,
    RACE_ETHNICITY,
    SEXES,
    STAND_ALONE_VALUES,
    VETERAN,
    check_choice,
    whole_within,
)

#: The clear (not personal) attributes of a person.
PERSON_ATTRIBUTES = (
    "birth_year",
    "race_ethnicity",
    "sex",
    "gender",
    "veteran",
    "chronic",
    "household_type",
    "source",
)
#: Clear attributes no caller states: the person derives them (`from_dob`).
DERIVED_ATTRIBUTES = ("birth_month",)
#: Every attribute with a timeline: the stated ones and the derived ones.
TIMELINE_ATTRIBUTES = (*PERSON_ATTRIBUTES, *DERIVED_ATTRIBUTES)
REQUIRED_ATTRIBUTES = ("household_type", "veteran")
DEFAULT_ATTRIBUTES: dict[str, Any] = {
    "birth_year": None,
    "race_ethnicity": ["unknown"],
    "sex": "unknown",
    "gender": None,
    "chronic": False,
    "source": None,
}
FIRST_BIRTH_YEAR = FIRST_DAY.year
#: Where a record came from: a scheme code, a colon, then identifier characters (no spaces, no free text), e.g.
#: `hmis:export-2024-10`. It is clear, shown to every role and kept after erasure, so it names the source
#: system and export, never the person: their id in another system is personal data (docs/erasure.md).
SOURCE_PATTERN = r"^[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9._:-]{1,160}\Z"  # \Z: no newline after
SOURCE_RULE = "source must be a scheme code, a colon and identifier characters (e.g. hmis:export-2024-10)"
_SOURCE = re.compile(SOURCE_PATTERN)
#: (applies from, stated for, value): see `statement`.
Statement = tuple[date, date, Any]
SINGLE_CHOICES = {"veteran": VETERAN, "sex": SEXES, "household_type": HOUSEHOLD_TYPES}
LIST_CHOICES = {"race_ethnicity": RACE_ETHNICITY, "gender": GENDERS}


def last_birth_year() -> int:
    """Nobody on the list is born after the current year."""
    return today().year


def check_required(attributes: Mapping[str, Any]) -> None:
    missing = [name for name in REQUIRED_ATTRIBUTES if name not in attributes]
    if missing:
        raise RuleError(f"{' and '.join(missing)} must be given to identify a person")


def clean_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate clear attributes; return a copy, so an event never shares a list with its caller."""
    unknown = sorted(set(attributes) - set(PERSON_ATTRIBUTES))
    if unknown:
        raise RuleError(f"unknown attributes {', '.join(unknown)}; allowed: {', '.join(PERSON_ATTRIBUTES)}")
    for name, value in attributes.items():
        if name in SINGLE_CHOICES:
            check_choice(name, value, SINGLE_CHOICES[name])
        elif name in LIST_CHOICES and (value is not None or name == "race_ethnicity"):
            _check_category_list(name, value, LIST_CHOICES[name])
        elif name == "chronic" and not isinstance(value, bool):
            raise RuleError("chronic must be true or false")
        elif name == "birth_year" and value is not None:
            _check_birth_year(value)
        elif name == "source" and value is not None and not (isinstance(value, str) and _SOURCE.fullmatch(value)):
            raise RuleError(SOURCE_RULE)
    return {name: list(value) if isinstance(value, list) else value for name, value in attributes.items()}


def from_dob(clean: Mapping[str, Any], pii: Mapping[str, PII], birth_month_in_force: str | None) -> dict[str, Any]:
    """The clear attributes a statement records: a date of birth also states its birth_year and a clear
    birth month (YYYY-MM), so the age at any day stays exact after the dob is erased; a birth_year given with
    it must agree. A birth_year stated alone that contradicts the birth month in force clears the month."""
    dob = pii.get("dob")
    if dob is None or dob.plaintext is None:
        contradicted = birth_month_in_force is not None and "birth_year" in clean
        if contradicted and clean["birth_year"] != int(birth_month_in_force[:4]):
            return {**clean, "birth_month": None}
        return dict(clean)
    try:
        born = date.fromisoformat(dob.plaintext)
    except ValueError:
        raise RuleError("dob must be a date (YYYY-MM-DD)") from None
    if not FIRST_DAY <= born <= today() + timedelta(days=1):
        raise RuleError(f"dob must be a date from {FIRST_DAY.isoformat()} to today")
    if clean.get("birth_year") not in (None, born.year):
        # The message names no value: the date of birth is personal data.
        raise RuleError("dob contradicts birth_year: leave birth_year out, or give the dob's own year")
    return {**clean, "birth_year": born.year, "birth_month": f"{born.year:04d}-{born.month:02d}"}


def statement(value: Any, effective_on: date, identified_on: date, identification: bool = False) -> Statement:
    """One statement of an attribute's value, ranked as docs/design.md "Vocabularies" says: by the day it
    applies from (never before identification), then its own date (identification's values rank below every
    change from that day), then log order (the order statements are kept in)."""
    return (max(effective_on, identified_on), date.min if identification else effective_on, value)


def add_statements(
    statements: dict[str, list[Statement]],
    attributes: Mapping[str, Any],
    effective_on: date,
    identified_on: date,
    identification: bool = False,
) -> None:
    """Keep one statement per attribute stated, as `statement` ranks it."""
    for name, value in attributes.items():
        # Copy lists so the aggregate never shares mutable state with its events.
        copied = list(value) if isinstance(value, list) else value
        statements.setdefault(name, []).append(statement(copied, effective_on, identified_on, identification))


def in_force(statements: Sequence[Statement], day: date) -> Any:
    """The value of the latest statement applying on or before `day` (None before the first)."""
    best: Statement | None = None
    for stated in statements:
        if stated[0] <= day and (best is None or stated[:2] >= best[:2]):
            best = stated
    return best[2] if best else None


def check_pii(pii: Mapping[str, PII], subject: UUID) -> None:
    unknown = sorted(set(pii) - set(PERSON_PII_FIELDS))
    if unknown:
        allowed = ", ".join(PERSON_PII_FIELDS)
        raise RuleError(f"unknown personal data fields {', '.join(unknown)}; allowed: {allowed}")
    for name, value in pii.items():
        if not isinstance(value, PII):
            raise RuleError(f"personal data field {name} must be a PII value")
        if value.subject != subject:
            raise RuleError(f"personal data field {name} is bound to another person")


def _check_birth_year(value: object) -> None:
    last = last_birth_year()
    if not whole_within(value, range(FIRST_BIRTH_YEAR, last + 1)):
        raise RuleError(f"birth_year must be a year from {FIRST_BIRTH_YEAR} to {last}")


def _check_category_list(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, list) or not value:
        raise RuleError(f"{name} must be a non-empty list")
    for item in value:
        check_choice(name, item, allowed)
    if len(set(value)) != len(value):
        raise RuleError(f"{name} must not repeat a value")
    if len(value) > 1 and set(value) & set(STAND_ALONE_VALUES):
        raise RuleError(f"{name} values {' and '.join(STAND_ALONE_VALUES)} must stand alone")
