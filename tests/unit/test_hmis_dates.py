"""The dates a real HMIS export holds: read exactly, or reported, never guessed."""

from __future__ import annotations

from datetime import date

import pytest

from coord.hmis.dates import UnreadableDate, parse_date, parse_optional_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-03-04", date(2022, 3, 4)),
        ("2022-03-04 13:45:00", date(2022, 3, 4)),
        ("2022-03-04T13:45:00", date(2022, 3, 4)),
        (" 2022-03-04 ", date(2022, 3, 4)),
        # Four-digit year: month first.
        ("03-04-2022", date(2022, 3, 4)),
        ("02-07-2023 12:00:00", date(2023, 2, 7)),
        ("12-31-1999", date(1999, 12, 31)),
        # Two-digit year: day first; 00-69 is 20yy, 70-99 is 19yy.
        ("03-04-22", date(2022, 4, 3)),
        ("31-12-99 23:59:59", date(1999, 12, 31)),
        ("01-01-00", date(2000, 1, 1)),
        ("15-06-69", date(2069, 6, 15)),
        ("15-06-70", date(1970, 6, 15)),
    ],
)
def test_accepted_formats(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("", ""),
        ("2022/03/04", "9999/99/99"),
        ("03/04/2022", "99/99/9999"),
        ("13-31-2022", "99-99-9999"),  # month 13: not read as day-first
        ("31-02-22", "99-99-99"),  # no 31 February
        ("2022-3-4", "9999-9-9"),
        ("2022-03-04 25:00:00", "9999-99-99 99:99:99"),
        ("2022-03-04 13:45", "9999-99-99 99:99"),
        ("20220304", "99999999"),
        ("March 4 2022", "Aaaaa 9 9999"),
        ("1990-07-24x", "9999-99-99a"),
    ],
)
def test_anything_else_is_unreadable_and_the_message_shows_only_its_shape(text: str, shape: str) -> None:
    with pytest.raises(UnreadableDate) as raised:
        parse_date(text)
    assert str(raised.value) == f"not a date in a known format (yyyy-mm-dd, mm-dd-yyyy or dd-mm-yy): {shape!r}"


def test_optional_date_is_none_when_empty() -> None:
    assert parse_optional_date("") is None
    assert parse_optional_date("  ") is None
    assert parse_optional_date(None) is None
    assert parse_optional_date("2022-01-02") == date(2022, 1, 2)
