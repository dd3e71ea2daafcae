"""The jobs' clock: the system's, or for drills and tests the time written in COORD_JOBS_CLOCK_FILE.

A file lets one test move the time of several processes at once. It governs only which periods the jobs see as
due and the day they act as of; the dates they record come from the records themselves (events/lapses.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

Clock = Callable[[], datetime]


class ClockFileError(Exception):
    """The clock file cannot be read as a time."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def file_clock(path: Path) -> Clock:
    def now() -> datetime:
        try:
            text = path.read_text(encoding="utf-8").strip()
            value = datetime.fromisoformat(text)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise ClockFileError(f"COORD_JOBS_CLOCK_FILE {path} does not hold an ISO 8601 time: {error}") from None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    return now


def clock_for(clock_file: Path | None) -> Clock:
    return file_clock(clock_file) if clock_file is not None else system_clock


def write_clock(path: Path, at: datetime) -> None:
    """Move a file clock (tests and drills): written whole, so no reader sees half a time."""
    partial = path.with_suffix(".tmp")
    partial.write_text(at.isoformat(), encoding="utf-8")
    partial.replace(path)
