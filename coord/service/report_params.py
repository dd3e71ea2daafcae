"""Report parameters (a month, a range of months, the report date, the window, the cut): read and checked here
once, for the HTTP API and the CLI alike, so both accept and refuse the same values with the same messages."""

from __future__ import annotations

import re
from datetime import date

from events.dates import FIRST_DAY, today
from events.errors import RuleError
from events.populations import POPULATIONS
from events.vocabulary import OUTCOME_INDICATORS
from projections.reports import periods
from projections.reports.cut_units import CUTS as PERSON_CUTS
from projections.reports.handoff_gaps import CUTS
from projections.reports.months import add_months, label, month_of, months_between

#: How a month is written; the API's schemas publish it as the pattern of every month parameter.
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTH_EXAMPLE = "2026-01"
MAX_MONTHS = 120
#: The smallest and largest handoff window a report may ask for, in days.
WINDOW_DAYS = (1, 365)
#: The most periods an outcomes report covers, and how many it covers by default (ending with the current one).
MAX_PERIODS = 50
DEFAULT_PERIODS = 5
#: The outcomes report's kinds of period, for the API's query schema and the CLI's options.
PERIODS = periods.PERIODS
__all__ = ["CUTS", "OUTCOME_INDICATORS", "PERSON_CUTS", "POPULATIONS"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str, name: str) -> date:
    """`YYYY-MM` as the date of the month's first day; `name` is how the caller calls the parameter."""
    match = _MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < FIRST_DAY.year:
        raise RuleError(f"{name} must be a month written YYYY-MM, e.g. {MONTH_EXAMPLE}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_range(first: date | None, last: date | None) -> tuple[date, date]:
    """Default: the twelve months ending with this one. Months after the current one are refused, even on a
    month's last day, when an effective date may already be tomorrow."""
    current = month_of(today())
    last = last or current
    first = first or add_months(last, -11)
    if last > current:
        raise RuleError(f"to may not be after {label(current)}")
    if first > last:
        raise RuleError("from must not be after to")
    if len(months_between(first, last)) > MAX_MONTHS:
        raise RuleError(f"a report covers at most {MAX_MONTHS} months")
    return first, last


def one_month(month: date | None, default: date | None = None) -> date:
    """A single month (default: `default`, else this one), checked like a range."""
    month = month or default or month_of(today())
    month_range(month, month)
    return month


def closable_month(month: date) -> date:
    """A month that may be closed: a complete past month or the current one, never one still to come."""
    current = month_of(today())
    if month > current:
        raise RuleError(f"month may not be after {label(current)}: only past months and this one can be closed")
    return month


def last_complete_month() -> date:
    return add_months(month_of(today()), -1)


def report_date(as_of: date | None) -> date:
    """The date a report is as of: today by default, never later."""
    as_of = as_of or today()
    if as_of > today():
        raise RuleError("as_of may not be in the future")
    return as_of


def episodes(
    first: date | None, last: date | None, as_of: date | None, days: int | None
) -> tuple[date, date, date, int | None]:
    """The months, report date and window of a report on handoff episodes (handoff gaps, the funnel)."""
    return (*month_range(first, last), report_date(as_of), window_days(days))


def window_days(days: int | None) -> int | None:
    low, high = WINDOW_DAYS
    if days is not None and not low <= days <= high:
        raise RuleError(f"window_days must be from {low} to {high}")
    return days


def cut(by: str | None) -> str | None:
    if by is not None and by not in CUTS:
        raise RuleError(f"by must be one of: {', '.join(CUTS)}")
    return by


def person_cut(by: str | None) -> str | None:
    """A cut of population counts: by a person's race/ethnicity, sex or age band (a population is a row)."""
    if by is not None and by not in PERSON_CUTS:
        raise RuleError(f"by must be one of: {', '.join(PERSON_CUTS)}")
    return by


def population(name: str | None) -> str | None:
    if name is not None and name not in POPULATIONS:
        raise RuleError(f"population must be one of: {', '.join(POPULATIONS)}")
    return name


# -- the outcomes report: periods, an indicator, its cuts ---------------------------------------------------


def period_kind(kind: str | None) -> str:
    """School years by default."""
    kind = kind or PERIODS[0]
    if kind not in PERIODS:
        raise RuleError(f"period must be one of: {', '.join(PERIODS)}")
    return kind


def parse_period(kind: str, text: str, name: str) -> date:
    """A period's label (e.g. 2025-26, or 2025 for a calendar year) as the date of its first day."""
    start = periods.parse_period(kind, text)
    if start is None or start.year < FIRST_DAY.year:
        raise RuleError(f"{name} must be a {kind.replace('_', ' ')} written like {periods.PERIOD_EXAMPLES[kind]}")
    return start


def period_range(kind: str, first: str | None, last: str | None) -> tuple[date, date]:
    """Default: the five periods ending with the current one; periods after the current one are refused."""
    current = periods.period_of(kind, today())
    end = parse_period(kind, last, "to") if last else current
    start = parse_period(kind, first, "from") if first else periods.add_periods(end, 1 - DEFAULT_PERIODS)
    if end > current:
        raise RuleError(f"to may not be after {periods.period_label(kind, current)}")
    if start > end:
        raise RuleError("from must not be after to")
    if len(periods.periods_between(start, end)) > MAX_PERIODS:
        raise RuleError(f"a report covers at most {MAX_PERIODS} periods")
    return start, end


def indicator(name: str | None) -> tuple[str, ...]:
    """The indicators a report covers: the one named, or all."""
    if name is not None and name not in OUTCOME_INDICATORS:
        raise RuleError(f"indicator must be one of: {', '.join(OUTCOME_INDICATORS)}")
    return (name,) if name else OUTCOME_INDICATORS
