"""The catch-up runner: reads the log in pages and commits each page, rows and positions, in one transaction.

Each page first locks its projectors' positions (SQLite: the one writer lock), so two processes catching
up at once apply pages in turn; a position also only moves by a conditional update from the value read,
so a page can never be applied twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, select, text, update

from projections.db import Database, upsert
from projections.tables import ASIDE_PREFIX, aside, projection_positions

#: An event with its position in the log.
Positioned = tuple[int, Any]


class Projector:
    """A read model: its tables, and how one page of events (in log order) changes their rows. Made
    `aside`, it writes the copies a rebuild fills instead, under a position of their own."""

    def __init__(self, name: str, tables: Sequence[Table], aside: bool = False) -> None:
        self.is_aside = aside
        self.name = ASIDE_PREFIX + name if aside else name
        self.tables = tuple(self.table(table) for table in tables)

    def table(self, table: Table) -> Table:
        """The table this projector writes for `table`: itself, or its copy aside."""
        return aside(table) if self.is_aside else table

    def aside(self) -> Projector:
        """The same projector, writing the copies of its tables that a rebuild fills aside."""
        return type(self)(aside=True)  # type: ignore[call-arg]

    def apply_page(self, connection: Connection, page: Sequence[Positioned]) -> None:
        raise NotImplementedError

    def refresh(self, connection: Connection) -> None:
        """Bring up to date the rows that depend on the day (none, unless a projector says otherwise)."""


def ensure_positions(db: Database, names: Sequence[str]) -> None:
    """Start each named position at 0 unless it exists already."""
    with db.write() as connection:
        for name in names:
            connection.execute(
                upsert(connection)(projection_positions)
                .values(name=name, position=0)
                .on_conflict_do_nothing(index_elements=["name"])
            )


class _LostRace(Exception):
    pass


class PositionsGoneError(Exception):
    """A projector's position is no longer stored: its rebuild aside was switched in, or started over."""


class CatchUp:
    def __init__(
        self,
        log: Any,
        db: Database,
        projectors: Sequence[Projector],
        page_size: int = 1000,
        notify: str | None = None,
        create_positions: bool = True,
    ) -> None:
        """Positions missing start at 0, unless `create_positions` is off (a rebuild's own, which only it
        creates): then a page finding one missing raises PositionsGoneError."""
        self.log, self.db, self.projectors, self.page_size = log, db, tuple(projectors), page_size
        #: On PostgreSQL, a channel told (on commit) that a page moved the read models.
        self.notify = notify if not db.is_sqlite else None
        self._lock = threading.Lock()
        if create_positions:
            ensure_positions(db, [p.name for p in self.projectors])

    def positions(self, connection: Connection | None = None, lock: bool = False) -> dict[str, int]:
        """Each projector's position; with `lock`, held until the transaction ends (PostgreSQL)."""
        if connection is None:
            with self.db.read() as reading:
                return self.positions(reading)
        query = (
            select(projection_positions.c.name, projection_positions.c.position)
            .where(projection_positions.c.name.in_([p.name for p in self.projectors]))
            .order_by(projection_positions.c.name)
        )
        rows = connection.execute(query.with_for_update() if lock else query)
        known = {row.name: row.position for row in rows}
        if lock and len(known) < len(self.projectors):
            raise PositionsGoneError
        return {p.name: known.get(p.name, 0) for p in self.projectors}

    def lag(self) -> int:
        head = self.log.recorder.max_notification_id() or 0
        return max(0, head - min(self.positions().values(), default=head))

    def run(
        self,
        max_pages: int | None = None,
        on_page: Callable[[int], None] | None = None,
        stopping: threading.Event | None = None,
    ) -> int:
        """Apply every event not yet projected; returns how many were read. Once `stopping` is set (the
        process is shutting down), it stops after the page it is on: a long catch-up ends at a page boundary."""
        applied, pages = 0, 0
        with self._lock:
            while max_pages is None or pages < max_pages:
                try:
                    count = self._run_page()
                except _LostRace:
                    continue
                applied, pages = applied + count, pages + 1
                if on_page and count:
                    on_page(count)
                if count < self.page_size:
                    break  # a short page reached the head of the log
                if stopping is not None and stopping.is_set():
                    break
        return applied

    def _run_page(self) -> int:
        with self.db.write() as connection:
            return self.apply_next_page(connection)

    def apply_next_page(self, connection: Connection) -> int:
        """Apply the next page within the caller's transaction; returns how many events it read."""
        # Catch-ups in other processes wait here for this page, then read where it ended.
        positions = self.positions(connection, lock=True)
        for projector in self.projectors:
            projector.refresh(connection)
        start = min(positions.values())
        notifications = self.log.recorder.select_notifications(
            start=start, limit=self.page_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        page = [(n.id, self.log.mapper.to_domain_event(n)) for n in notifications]
        for projector in self.projectors:
            mine = [item for item in page if item[0] > positions[projector.name]]
            if mine:
                projector.apply_page(connection, mine)
        last = notifications[-1].id
        for projector in self.projectors:
            if positions[projector.name] < last:
                moved = connection.execute(
                    update(projection_positions)
                    .where(projection_positions.c.name == projector.name)
                    .where(projection_positions.c.position == positions[projector.name])
                    .values(position=last)
                )
                if moved.rowcount != 1:
                    raise _LostRace
        if self.notify:
            connection.execute(text("SELECT pg_notify(:channel, '')"), {"channel": self.notify})
        return len(notifications)

    def reset(self) -> None:
        """Empty every projector's tables and rewind it to the start of the log."""
        with self._lock, self.db.write() as connection:
            tables = [table for projector in self.projectors for table in projector.tables]
            if self.db.is_sqlite:
                for table in tables:
                    connection.execute(delete(table))
            else:
                connection.execute(text("TRUNCATE " + ", ".join(f'"{table.name}"' for table in tables)))
            for projector in self.projectors:
                connection.execute(
                    update(projection_positions).where(projection_positions.c.name == projector.name).values(position=0)
                )
