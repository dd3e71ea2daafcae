"""The dates of a real HMIS export: ISO `yyyy-mm-dd`, `mm-dd-yyyy` and `dd-mm-yy`, each optionally followed by
a time `HH:MM:SS` (dropped). Anything else is unreadable and reported, never guessed.

The order of day and month is fixed by the number of year digits (`mm-dd-yyyy` is month first, `dd-mm-yy` day
first), so `03-04-2022` is 4 March and `03-04-22` is 3 April. A two-digit year `00`-`69` is 2000-2069 and
`70`-`99` is 1970-1999 (the pivot at 70, as in most spreadsheets)."""

from __future__ import annotations

import re
from datetime import date, time

_TIME = r"(?:[ T](\d{2}):(\d{2}):(\d{2}))?"
_ISO = re.compile(rf"(\d{{4}})-(\d{{2}})-(\d{{2}}){_TIME}")
_MONTH_FIRST = re.compile(rf"(\d{{2}})-(\d{{2}})-(\d{{4}}){_TIME}")
_DAY_FIRST = re.compile(rf"(\d{{2}})-(\d{{2}})-(\d{{2}}){_TIME}")
#: Two-digit years below the pivot are 20yy, the others 19yy.
PIVOT = 70


class UnreadableDate(ValueError):
    """The text is not a date in one of the accepted formats. The message shows the text's shape (digits as
    9s), never the text, which may be a date of birth."""

    def __init__(self, text: str) -> None:
        super().__init__(f"not a date in a known format (yyyy-mm-dd, mm-dd-yyyy or dd-mm-yy): {shape(text)!r}")


def shape(text: str) -> str:
    """The text with every digit written as 9 and letters as a/A: its format without its value."""
    return re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", re.sub(r"\d", "9", text)))[:40]


def parse_date(text: str) -> date:
    """The date `text` holds, in any of the accepted formats; UnreadableDate otherwise."""
    text = text.strip()
    if match := _ISO.fullmatch(text):
        year, month, day = match.group(1, 2, 3)
    elif match := _MONTH_FIRST.fullmatch(text):
        month, day, year = match.group(1, 2, 3)
    elif match := _DAY_FIRST.fullmatch(text):
        day, month, short_year = match.group(1, 2, 3)
        year = str((2000 if int(short_year) < PIVOT else 1900) + int(short_year))
    else:
        raise UnreadableDate(text)
    try:
        if match.group(4) is not None:
            time(*(int(part) for part in match.group(4, 5, 6)))
        return date(int(year), int(month), int(day))
    except ValueError:
        raise UnreadableDate(text) from None


def parse_optional_date(text: str | None) -> date | None:
    """None for an empty field, else as parse_date."""
    return parse_date(text) if text and text.strip() else None
