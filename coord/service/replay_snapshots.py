"""Replay snapshots: the populations read model of the log up to a position, folded into a scratch database and kept
compressed in `replay_snapshots`, so a replay of a past moment starts from the newest one before it.

The daily audit-checkpoint job (and `coord replay-snapshot`) adds one by restoring the previous snapshot and folding
what was recorded since. A snapshot that cannot be used (an unknown format, a blob that does not match its digest,
a file that is not the scratch database this code makes) is never restored: the replay starts from an older one, or
from the first event, and says so in the log. Rule of keeping (docs/audit.md): every snapshot of the last 31 days,
and before that the newest of each week.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import sqlite3
import threading
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update

from coord.service.replay_scratch import fold, scratch, scratch_file
from coord.tables import replay_snapshots
from coord.wiring import Coord
from projections.db import upsert
from projections.populations_projector import populations_projector

#: The one format written: the scratch SQLite file (compacted by VACUUM INTO), zlib-compressed.
FORMAT = 1
#: zlib's default level: every replay decompresses, and the smaller output of this level decompresses a little
#: faster than the fastest level's (compressing runs once a day).
LEVEL = 6
CHUNK = 1 << 20
#: Snapshots recorded within this many days are all kept; older ones only the newest of each week (ISO), so a
#: replay of an older moment folds at most about a week of the log (~6,500 events at 1 M events in 3 years).
KEEP_DAYS = 31

log = logging.getLogger("coord.replay")


class SnapshotError(Exception):
    """A snapshot that must not be restored; the message says why (never what it holds)."""


@dataclass(frozen=True)
class Snapshot:
    #: The last event folded in: every event at or before it is.
    position: int
    events: int
    latest_recorded: datetime
    #: The earliest recorded time among the events after the previous snapshot's position.
    earliest_recorded: datetime


_BEGINNING = datetime.min.replace(tzinfo=UTC)
#: Where a replay starts when no snapshot serves: before the first event, nothing folded.
ORIGIN = Snapshot(0, 0, _BEGINNING, _BEGINNING)


def listed(coord: Coord) -> list[Snapshot]:
    """Every snapshot, in log order (without the blobs)."""
    table = replay_snapshots
    columns = (table.c.position, table.c.events, table.c.latest_recorded, table.c.earliest_recorded)
    with coord.db.read() as connection:
        rows = connection.execute(select(*columns).order_by(table.c.position)).all()
    return [Snapshot(row.position, row.events, _utc(row.latest_recorded), _utc(row.earliest_recorded)) for row in rows]


def restore_newest(coord: Coord, snapshots: list[Snapshot], recorded_before: datetime, path: Path) -> Snapshot:
    """Restore to `path` the newest usable snapshot whose events were all recorded before the moment; ORIGIN (and
    nothing written) when there is none."""
    for snapshot in reversed([s for s in snapshots if s.latest_recorded < recorded_before]):
        try:
            _restore(coord, snapshot, path)
        except SnapshotError as error:
            log.warning("replay snapshot at position %d not used: %s", snapshot.position, error)
            path.unlink(missing_ok=True)
        else:
            return snapshot
    return ORIGIN


def take(coord: Coord, *, up_to: int | None = None, stopping: threading.Event | None = None) -> Snapshot | None:
    """Add a snapshot of the log up to `up_to` (its end by default), from the newest usable snapshot at or before
    it; None when no event was recorded after that one, or when `stopping` was set (the first snapshot of a long
    log folds all of it: a process stopping meanwhile ends it between two pages and adds none)."""
    head = (coord.service.recorder.max_notification_id() or 0) if up_to is None else up_to
    earlier = [s for s in listed(coord) if s.position <= head]
    projector = populations_projector()
    with scratch_file() as path:
        start = restore_newest(coord, earlier, datetime.max.replace(tzinfo=UTC), path)
        with scratch(path, projector) as db:
            folded = fold(coord, db, projector, after=start.position, stop=head, stopping=stopping)
        if folded.earliest is None or folded.latest is None or (stopping and stopping.is_set()):
            return None
        state = _pack(path)
    made = Snapshot(
        folded.position, start.events + folded.events, max(start.latest_recorded, folded.latest), folded.earliest
    )
    now = datetime.now(UTC)
    values = {
        "events": made.events,
        "latest_recorded": made.latest_recorded,
        "earliest_recorded": made.earliest_recorded,
        "taken_at": now,
        "format": FORMAT,
        "digest": hashlib.sha256(state).hexdigest(),
        "state": state,
    }
    with coord.db.write() as connection:
        # Taken twice at once, or again where one could not be used: the newest stands.
        statement = upsert(connection)(replay_snapshots).values(position=made.position, **values)
        connection.execute(statement.on_conflict_do_update(index_elements=["position"], set_=values))
    prune(coord, now)
    return made


def prune(coord: Coord, now: datetime) -> int:
    """Drop the snapshots older than KEEP_DAYS except the newest of each week; a dropped snapshot's stretch of
    the log joins the next one's, with the earlier of the two earliest times. How many were dropped."""
    snapshots = listed(coord)
    old = [s for s in snapshots if s.latest_recorded < now - timedelta(days=KEEP_DAYS)]
    newest_of_week = {s.latest_recorded.isocalendar()[:2]: s for s in old}
    gone = {s.position for s in old} - {s.position for s in newest_of_week.values()}
    table, earliest = replay_snapshots, None
    with coord.db.write() as connection:
        for snapshot in snapshots:
            if snapshot.position in gone:
                earliest = min(earliest or snapshot.earliest_recorded, snapshot.earliest_recorded)
                connection.execute(delete(table).where(table.c.position == snapshot.position))
            elif earliest is not None:
                merged = min(earliest, snapshot.earliest_recorded)
                connection.execute(
                    update(table).where(table.c.position == snapshot.position).values(earliest_recorded=merged)
                )
                earliest = None
    return len(gone)


def _pack(path: Path) -> bytes:
    compact = path.with_name("compact.db")
    with sqlite3.connect(path) as connection:
        connection.execute("VACUUM INTO ?", (str(compact),))
    connection.close()
    return zlib.compress(compact.read_bytes(), LEVEL)


def _restore(coord: Coord, snapshot: Snapshot, path: Path) -> None:
    table = replay_snapshots
    with coord.db.read() as connection:
        row = connection.execute(
            select(table.c.format, table.c.digest, table.c.state).where(table.c.position == snapshot.position)
        ).first()
    if row is None:
        raise SnapshotError("it was pruned meanwhile")
    if row.format != FORMAT:
        raise SnapshotError(f"format {row.format} is not one this version reads ({FORMAT})")
    if hashlib.sha256(row.state).hexdigest() != row.digest:
        raise SnapshotError("its state does not match its digest")
    _decompress(row.state, path)
    if _layout(path) != _fresh_layout():
        raise SnapshotError("its tables are not the ones this version folds into")


def _decompress(state: bytes, path: Path) -> None:
    """Write the file a chunk at a time: the whole of it is never in memory (tens of MB at a million events)."""
    decompressor = zlib.decompressobj()
    try:
        with path.open("wb") as file:
            for start in range(0, len(state), CHUNK):
                file.write(decompressor.decompress(state[start : start + CHUNK]))
            file.write(decompressor.flush())
    except zlib.error:
        raise SnapshotError("its state does not decompress") from None
    if not decompressor.eof:
        raise SnapshotError("its state does not decompress")


def _layout(path: Path) -> list[tuple[str, ...]] | None:
    """The tables and indexes of a SQLite file, as SQLite describes them; None when it is not a database."""
    try:
        with sqlite3.connect(path) as connection:
            rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
        connection.close()
    except sqlite3.DatabaseError:
        return None
    return [tuple(row) for row in rows]


@functools.cache
def _fresh_layout() -> list[tuple[str, ...]] | None:
    with scratch_file() as path:
        with scratch(path, populations_projector()):
            pass
        return _layout(path)


def _utc(moment: datetime) -> datetime:
    """SQLite gives back the stored UTC time without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
