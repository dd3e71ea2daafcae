"""The replay's scratch read model: a throwaway SQLite database that the populations projector folds a stretch of
the log into, exactly as the live read model is folded (a replay and a replay snapshot are both made this way).
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from coord.wiring import Coord
from projections.db import Database
from projections.populations_projector import PopulationsProjector
from projections.tables import metadata

PAGE = 1000


@dataclass
class Folded:
    """What a fold read: how many events it folded in, the last position it read, and the earliest and latest
    recorded time among every event it read (folded in or not)."""

    events: int = 0
    position: int = 0
    earliest: datetime | None = None
    latest: datetime | None = None

    def saw(self, recorded: list[datetime]) -> None:
        low, high = min(recorded), max(recorded)
        self.earliest = low if self.earliest is None else min(self.earliest, low)
        self.latest = high if self.latest is None else max(self.latest, high)


@contextmanager
def scratch_file() -> Iterator[Path]:
    """Where a scratch database lives while it is used: a private folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="coord-replay-") as folder:
        yield Path(folder) / "replay.db"


@contextmanager
def scratch(path: Path, projector: PopulationsProjector) -> Iterator[Database]:
    """The scratch database at `path` (made empty there unless a snapshot was restored to it)."""
    db = Database(f"sqlite:///{path}")
    try:
        metadata.create_all(db.engine, tables=list(projector.tables))
        yield db
    finally:
        db.dispose()


def fold(
    coord: Coord,
    db: Database,
    projector: PopulationsProjector,
    *,
    after: int,
    stop: int | None = None,
    recorded_before: datetime | None = None,
    stopping: threading.Event | None = None,
) -> Folded:
    """Fold the events at positions in (after, stop] (to the end without `stop`), in log order, those recorded
    before `recorded_before` only when it is given; `stopping` set ends it after the page it is on."""
    app, folded = coord.service, Folded(position=after)
    while not (stopping and stopping.is_set()) and (
        page := app.recorder.select_notifications(
            start=folded.position, limit=PAGE, stop=stop, inclusive_of_start=False
        )
    ):
        decoded: list[tuple[int, Any]] = [(n.id, app.mapper.to_domain_event(n)) for n in page]
        kept = [(p, e) for p, e in decoded if recorded_before is None or e.timestamp < recorded_before]
        with db.write() as connection:
            projector.apply_page(connection, kept)
        folded.saw([e.timestamp for _, e in decoded])
        folded.events, folded.position = folded.events + len(kept), page[-1].id
    return folded
