"""Point-in-time replay: the live counts and monthly metrics as the list said them at a past moment,
recomputed from only the events recorded before it, whatever back-dated events changed later.

The events are folded by the same projector and read by the same report queries as the live read models,
into a scratch database, so a replay up to now agrees exactly with the reports. It starts from the newest replay
snapshot whose events were all recorded before the moment (replay_snapshots.py), then folds, in log order, the
events after it recorded before the moment, reading only the stretches of the log that can hold one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from coord.report_formats import Report, plain
from coord.service import permissions, replay_snapshots, report_params
from coord.service.principal import Principal
from coord.service.replay_scratch import fold, scratch, scratch_file
from coord.service.replay_snapshots import Snapshot
from coord.wiring import Coord
from events.errors import RuleError
from events.populations import POPULATIONS
from projections.populations_projector import populations_projector
from projections.reports.counts import live_counts
from projections.reports.monthly import METRICS, monthly
from projections.reports.months import month_of


def replay(
    coord: Coord,
    who: Principal,
    *,
    recorded_before: datetime,
    month: date | None = None,
    snapshots: bool = True,
) -> dict[str, Any]:
    """`snapshots=False` folds the whole log from its first event: what a snapshot-based replay must equal."""
    permissions.require(who, permissions.READ_AUDIT)
    cutoff = recorded_before if recorded_before.tzinfo else recorded_before.replace(tzinfo=UTC)
    if cutoff.year < 1900:
        raise RuleError("recorded_before must be after 1900")
    # A moment still to come replays everything recorded so far, as of today.
    on = min(cutoff, datetime.now(UTC)).date()
    month = report_params.one_month(month, default=month_of(on))
    projector = populations_projector()
    kept = replay_snapshots.listed(coord) if snapshots else []
    with scratch_file() as path:
        start = replay_snapshots.restore_newest(coord, kept, cutoff, path)
        with scratch(path, projector) as db:
            with db.write() as connection:
                # Profiles hold the attributes in force on the day they were folded: bring them to today.
                projector.refresh(connection)
            events = start.events
            for after, stop in _stretches(kept, start, cutoff):
                events += fold(coord, db, projector, after=after, stop=stop, recorded_before=cutoff).events
            with db.read() as connection:
                counts = live_counts(connection, on=on)
                rows = monthly(connection, first=month, last=month)
    return plain(
        {
            "recorded_before": cutoff.isoformat(),
            "events": events,
            "counts": {"as_of": on, "rows": [{"population": p, "active": counts[p]} for p in POPULATIONS]},
            "monthly": Report({"month": month}, ["population", "month", *METRICS], rows).as_json(),
        }
    )


def _stretches(snapshots: list[Snapshot], start: Snapshot, cutoff: datetime) -> list[tuple[int, int | None]]:
    """The (after, stop] ranges of positions to read after `start`: each later snapshot's stretch that holds an
    event recorded before the moment, and always the tail after the last snapshot."""
    ranges: list[tuple[int, int | None]] = []
    after = start.position
    for snapshot in snapshots:
        if snapshot.position <= start.position:
            continue
        if snapshot.earliest_recorded < cutoff:
            ranges.append((after, snapshot.position))
        after = snapshot.position
    return [*ranges, (after, None)]
