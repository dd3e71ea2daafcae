"""Live counts: active persons per population now."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from events.populations import POPULATIONS
from projections.reports.flows import active_at


def live_counts(connection: Connection, *, on: date) -> dict[str, int]:
    """Active persons per population at the end of `on` (today, for the live view)."""
    return active_at(connection, on, POPULATIONS)
