"""Property: a replay that starts from replay snapshots gives exactly the answer of a full replay (every event of
the log read, those recorded before the moment folded), whatever the log, wherever the snapshots were taken and
whatever the moment: before the first snapshot, exactly at a snapshot's latest recorded time, just before or after
it, at any event's recorded time, after the end.

Histories are the flow properties' (back-dated attribute changes and transitions, voids, persons entered in
error), recorded through the application service on a clock drawn by the test, which sometimes goes back: log
order is not recorded-time order (as with several writers), and several events share a recorded time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

from eventsourcing.domain import CanCreateTimestamp
from hypothesis import given, settings
from hypothesis import strategies as st

from coord.config import Config
from coord.service import replay_snapshots
from coord.service.principal import Principal
from coord.service.replay import replay
from coord.wiring import open_coord
from events.crypto import MasterKey
from projections.reports.months import month_of
from tests.integration.test_flow_properties import draw_history, record_through_the_service

AUDITOR = Principal("property", "auditor", None)
#: The recorded time of the first event: recent, so no snapshot is old enough to be pruned.
FIRST_RECORDED = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
TICK = timedelta(seconds=1)


class Clock:
    """Each event's recorded time: one tick after the previous event's, less a drawn lag of 0-6 ticks."""

    def __init__(self, data: st.DataObject) -> None:
        self.data, self.ticks = data, 0

    def __call__(self) -> datetime:
        self.ticks += 1
        lag = self.data.draw(st.sampled_from((0, 0, 0, 1, 3, 6)), label="lag")
        return FIRST_RECORDED + (self.ticks - lag) * TICK


@contextmanager
def store() -> Iterator[Any]:
    with tempfile.TemporaryDirectory() as folder:
        config = Config.from_env(
            {
                "COORD_DATA_DIR": folder,
                "COORD_DATABASE_URL": f"sqlite:///{folder}/coord.db",
                "COORD_MASTER_KEY": MasterKey.generate().to_base64(),
            }
        )
        coord = open_coord(config)
        try:
            yield coord
        finally:
            coord.close()


def recorded_times(coord: Any) -> list[datetime]:
    app = coord.service
    return [app.mapper.to_domain_event(n).timestamp for n in app.recorder.select_notifications(start=1, limit=10_000)]


def near(snapshots: list[replay_snapshots.Snapshot]) -> set[datetime]:
    """Each snapshot's latest and earliest recorded times, and a moment just before and just after each."""
    edges = [moment for s in snapshots for moment in (s.latest_recorded, s.earliest_recorded)]
    return {moment + shift for moment in edges for shift in (-TICK / 2, TICK * 0, TICK / 2)}


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_a_replay_from_snapshots_equals_a_full_replay(data: st.DataObject) -> None:
    events = draw_history(data)
    with store() as coord:
        with mock.patch.object(CanCreateTimestamp, "create_timestamp", staticmethod(Clock(data))):
            record_through_the_service(coord.service, events, catch_up_after=set())
        head = coord.service.recorder.max_notification_id()
        positions = data.draw(st.lists(st.integers(1, head), max_size=4, unique=True), label="snapshots at")
        for position in positions:
            replay_snapshots.take(coord, up_to=position)
        snapshots = replay_snapshots.listed(coord)
        assert [s.position for s in snapshots] == sorted(positions)
        months = sorted({month_of(e.effective_on) for e in events})
        recorded = recorded_times(coord)
        ends = [FIRST_RECORDED - TICK, max(recorded) + TICK]
        drawn = data.draw(st.lists(st.sampled_from(sorted({*recorded, *ends})), max_size=8), label="moments")
        for moment in sorted({*near(snapshots), *drawn}):
            month = data.draw(st.sampled_from([None, *months]), label="month")
            full = replay(coord, AUDITOR, recorded_before=moment, month=month, snapshots=False)
            assert replay(coord, AUDITOR, recorded_before=moment, month=month) == full, moment
