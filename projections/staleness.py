"""Whether the live counts are stale: the one definition, for /readyz, the stream, the dashboard and the CLI.

The counts are stale since T when the read model behind them is behind the log and the first event it has
not applied was recorded at T, more than `STALE_AFTER` ago. A projector that is down while nothing is written
leaves the counts true, so they are not stale then: we say only what is true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from projections.db import Database
from projections.tables import projection_positions

#: Live counts move within a second of a write, and a PostgreSQL projector polls every 5 s even when a
#: NOTIFY is missed: an unapplied event older than this means the projector is not keeping up.
STALE_AFTER = timedelta(seconds=10)
#: The read model the live counts are read from (projections/reports/counts.py).
COUNTS_READ_MODEL = "populations"


@dataclass(frozen=True)
class Staleness:
    #: Events in the log the read model has not applied yet (log positions, as `projection_lag` counts them).
    behind: int
    #: When the first of them was recorded, if that is more than the allowed delay ago; else None.
    since: datetime | None


def counts_staleness(
    log: Any,
    db: Database,
    *,
    now: datetime | None = None,
    stale_after: timedelta | None = None,
    read_model: str = COUNTS_READ_MODEL,
) -> Staleness:
    """`log`: the event log (its recorder and mapper). One query for the position, one for the head and, only
    when behind, one indexed read of the first unapplied event. `read_model`: whose position (the notifier's
    outbox is followed the same way)."""
    with db.read() as connection:
        position = connection.execute(
            select(projection_positions.c.position).where(projection_positions.c.name == read_model)
        ).scalar()
    position = position or 0
    # Read after the position, so the head is never behind it.
    head = log.recorder.max_notification_id() or 0
    if head <= position:
        return Staleness(behind=0, since=None)
    (first,) = log.recorder.select_notifications(start=position, limit=1, inclusive_of_start=False)
    recorded = log.mapper.to_domain_event(first).timestamp
    allowed = STALE_AFTER if stale_after is None else stale_after
    late = (now or datetime.now(UTC)) - recorded > allowed
    return Staleness(behind=head - position, since=recorded if late else None)
