"""Codes in plain words for the pages: statuses, populations, reasons, handoff moves. Only labels: what a code
means and which codes exist are the vocabularies' (events/)."""

from __future__ import annotations

from coord.dashboard import POPULATION_LABELS

#: The button that makes each handoff move, by the status it leads to.
HANDOFF_MOVES = {
    "accepted": "Accept",
    "rejected": "Reject",
    "in_progress": "Start work",
    "on_hold": "Put on hold",
    "completed": "Complete",
    "failed": "Mark failed",
    "cancelled": "Cancel handoff",
    "entered_in_error": "Strike out (entered in error)",
}
PERSON_MOVES = {
    "housed": "Housed",
    "inactive": "Inactive",
    "active": "Returned (back on the list)",
    "entered_in_error": "Whole record entered in error",
}
FIELD_NAMES = {
    "first_name": "first name",
    "last_name": "last name",
    "dob": "date of birth",
    "ssn_last4": "last 4 of SSN",
    "phone": "phone",
    "email": "email",
    "notes": "notes",
    "birth_year": "birth year",
    "race_ethnicity": "race and ethnicity",
    "household_type": "household",
    "birth_month": "birth month",
}


def words(code: object) -> str:
    """A code as words: `no_capacity` -> "no capacity"; None -> an empty string."""
    if code is None:
        return ""
    if isinstance(code, bool):
        return "yes" if code else "no"
    if isinstance(code, list | tuple):
        return ", ".join(words(item) for item in code)
    return str(code).replace("_", " ")


def population(code: str) -> str:
    return POPULATION_LABELS.get(code, words(code))


def field(name: str) -> str:
    return FIELD_NAMES.get(name, words(name))
