"""Point-in-time replay: the live counts and monthly metrics as the list said them at a past moment,
recomputed from only the events recorded before it, whatever back-dated events changed later.

The events are folded by the same projector and read by the same report queries as the live read models,
into a scratch database, so a replay up to now agrees exactly with the reports.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from coord.report_formats import Report, plain
from coord.service import permissions, report_params
from coord.service.principal import Principal
from coord.wiring import Coord
from events.errors import RuleError
from events.populations import POPULATIONS
from projections.db import Database
from projections.populations_projector import populations_projector
from projections.reports.counts import live_counts
from projections.reports.monthly import METRICS, monthly
from projections.reports.months import month_of
from projections.tables import metadata

PAGE = 1000


def replay(coord: Coord, who: Principal, *, recorded_before: datetime, month: date | None = None) -> dict[str, Any]:
    permissions.require(who, permissions.READ_AUDIT)
    cutoff = recorded_before if recorded_before.tzinfo else recorded_before.replace(tzinfo=UTC)
    if cutoff.year < 1900:
        raise RuleError("recorded_before must be after 1900")
    # A moment still to come replays everything recorded so far, as of today.
    on = min(cutoff, datetime.now(UTC)).date()
    month = report_params.one_month(month, default=month_of(on))
    projector = populations_projector()
    with tempfile.TemporaryDirectory(prefix="coord-replay-") as scratch:
        db = Database(f"sqlite:///{Path(scratch) / 'replay.db'}")
        try:
            metadata.create_all(db.engine, tables=list(projector.tables))
            events = _apply(coord, db, projector, cutoff)
            with db.read() as connection:
                counts = live_counts(connection, on=on)
                rows = monthly(connection, first=month, last=month)
        finally:
            db.dispose()
    return plain(
        {
            "recorded_before": cutoff.isoformat(),
            "events": events,
            "counts": {"as_of": on, "rows": [{"population": p, "active": counts[p]} for p in POPULATIONS]},
            "monthly": Report({"month": month}, ["population", "month", *METRICS], rows).as_json(),
        }
    )


def _apply(coord: Coord, db: Database, projector: Any, cutoff: datetime) -> int:
    """Fold every event recorded before `cutoff` (in log order) into the scratch read model."""
    app, position, applied = coord.service, 0, 0
    while page := app.recorder.select_notifications(start=position, limit=PAGE, inclusive_of_start=False):
        decoded = [(n.id, app.mapper.to_domain_event(n)) for n in page]
        before = [(p, e) for p, e in decoded if e.timestamp < cutoff]
        with db.write() as connection:
            projector.apply_page(connection, before)
        applied, position = applied + len(before), page[-1].id
    return applied
