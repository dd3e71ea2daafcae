"""Whether the live counts are stale (projections/staleness.py), as /readyz, /stream, the dashboard and
`coord health projector` say it. Nothing personal: positions and a recorded time, so no right is asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from coord.wiring import Coord
from projections.staleness import Staleness
from projections.staleness import counts_staleness as _counts_staleness


def counts_staleness(
    coord: Coord, *, now: datetime | None = None, stale_after: timedelta | None = None, read_model: str | None = None
) -> Staleness:
    if read_model is None:
        return _counts_staleness(coord.service, coord.db, now=now, stale_after=stale_after)
    return _counts_staleness(coord.service, coord.db, now=now, stale_after=stale_after, read_model=read_model)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC, or None."""
    return moment.astimezone(UTC).isoformat() if moment else None


def stale_data(staleness: Staleness) -> dict[str, Any]:
    """The data of the stream's `event: stale`."""
    return {"since": iso(staleness.since), "behind": staleness.behind}
