"""Calendar months as reports use them: a month is the date of its first day, labelled YYYY-MM."""

from __future__ import annotations

import calendar
from datetime import date


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_between(first: date, last: date) -> list[date]:
    """Every month from `first` to `last`, both included."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, i) for i in range(max(0, count))]


def label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"
