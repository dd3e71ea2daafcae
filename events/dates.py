"""Effective dates: every event may be back-dated to 1900-01-01, but never dated more than one day ahead."""

from datetime import UTC, date, datetime, timedelta

from events.errors import DateRuleError, RuleError

#: The earliest date anything on the list may be dated.
FIRST_DAY = date(1900, 1, 1)


def today() -> date:
    """Today's date in UTC, the clock every date rule is measured against."""
    return datetime.now(UTC).date()


def check_date(value: object, name: str = "effective_on") -> None:
    """Refuse anything but a plain date; a datetime would compare wrongly with dates."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RuleError(f"{name} must be a date")


def check_effective_date(effective_on: date, name: str = "effective_on") -> None:
    """Refuse a date after tomorrow (one day of slack covers clients ahead of UTC), or before the first day a
    date on the list may have."""
    check_date(effective_on, name)
    if effective_on > today() + timedelta(days=1):
        raise DateRuleError(f"{name} {effective_on.isoformat()} is more than one day in the future")
    if effective_on < FIRST_DAY:
        raise DateRuleError(f"{name} may not be before {FIRST_DAY.isoformat()}")
