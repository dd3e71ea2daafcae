"""Reporting periods of the outcomes report: a school year runs from July 1 to June 30 and is labelled by its
two calendar years ("2025-26"); a calendar year is labelled by its year ("2025"). A period is the date of its
first day."""

from __future__ import annotations

import re
from datetime import date, timedelta

PERIODS = ("school_year", "calendar_year")
#: The month a school year starts in.
SCHOOL_YEAR_START = 7
#: How each kind of period is written; the API publishes these as the patterns of its period parameters.
PERIOD_PATTERNS = {"school_year": r"^\d{4}-\d{2}$", "calendar_year": r"^\d{4}$"}
PERIOD_EXAMPLES = {"school_year": "2025-26", "calendar_year": "2025"}


def period_of(kind: str, day: date) -> date:
    """The first day of the period of `kind` that holds `day`."""
    if kind == "calendar_year":
        return date(day.year, 1, 1)
    year = day.year if day.month >= SCHOOL_YEAR_START else day.year - 1
    return date(year, SCHOOL_YEAR_START, 1)


def add_periods(start: date, count: int) -> date:
    return start.replace(year=start.year + count)


def period_end(start: date) -> date:
    """The last day of the period starting on `start` (every kind lasts a year)."""
    return add_periods(start, 1) - timedelta(days=1)


def periods_between(first: date, last: date) -> list[date]:
    """Every period from `first` to `last`, both included."""
    return [add_periods(first, i) for i in range(max(0, last.year - first.year + 1))]


def period_label(kind: str, start: date) -> str:
    if kind == "calendar_year":
        return f"{start.year:04d}"
    return f"{start.year:04d}-{(start.year + 1) % 100:02d}"


def parse_period(kind: str, text: str) -> date | None:
    """The first day of the period `text` names, or None when it names none (a school year's two years must
    follow each other: "2025-26", never "2025-27")."""
    if not re.match(PERIOD_PATTERNS[kind], text or ""):
        return None
    start = date(int(text[:4]), SCHOOL_YEAR_START if kind == "school_year" else 1, 1)
    return start if period_label(kind, start) == text else None
