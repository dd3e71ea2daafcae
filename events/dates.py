"""Effective dates: every event may be back-dated, but never dated more than one day ahead."""

from datetime import UTC, date, datetime, timedelta

from events.errors import DateRuleError, RuleError


def today() -> date:
    """Today's date in UTC, the clock every date rule is measured against."""
    return datetime.now(UTC).date()


def check_date(value: object, name: str = "effective_on") -> None:
    """Refuse anything but a plain date; a datetime would compare wrongly with dates."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RuleError(f"{name} must be a date")


def check_not_future(effective_on: date, name: str = "effective_on") -> None:
    """Refuse a date after tomorrow (one day of slack covers clients ahead of UTC)."""
    check_date(effective_on, name)
    if effective_on > today() + timedelta(days=1):
        raise DateRuleError(f"{name} {effective_on.isoformat()} is more than one day in the future")
