"""Rebuilding the read models aside: fill copies of their tables from the start of the log while the live
ones keep answering (and keep following the log), then switch the copies in, in one transaction.

The copies (`rebuild_<table>`, projections/tables.py) have positions of their own (`rebuild_<projector>`),
so a rebuild interrupted at any point goes on from its last page, and the live tables never show a partial
number. The switch locks the live positions (a live page in flight finishes first), catches the copies up
to the head of the log, drops the live tables, renames the copies to their names, and moves each live
position to where its copy stands: the events written meanwhile are in it, none twice.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from sqlalchemy import Connection, Table, delete, select, text, update

from projections.db import upsert
from projections.runner import CatchUp, PositionsGoneError
from projections.tables import projection_positions

#: Events per transaction of a rebuild: nobody waits for its pages, and each costs a few statements per table.
REBUILD_PAGE_SIZE = 10_000


class Rebuild:
    def __init__(self, live: CatchUp, page_size: int = REBUILD_PAGE_SIZE) -> None:
        self.live, self.db = live, live.db
        #: The same projectors writing aside, a page per transaction, under their own positions.
        self.aside = CatchUp(
            live.log,
            live.db,
            [projector.aside() for projector in live.projectors],
            page_size,
            create_positions=False,
        )

    def pending(self) -> bool:
        """Whether a rebuild was started and not switched in (it was stopped, or it runs elsewhere)."""
        names = [projector.name for projector in self.aside.projectors]
        with self.db.read() as connection:
            found = connection.execute(
                select(projection_positions.c.name).where(projection_positions.c.name.in_(names))
            )
            return len(found.all()) == len(names)

    def start(self) -> None:
        """Start over: empty copies of every table, their positions at the start of the log."""
        names = [projector.name for projector in self.aside.projectors]
        with self.db.write() as connection:
            # Created with the tables, in one transaction: positions found always have their tables.
            connection.execute(
                upsert(connection)(projection_positions)
                .values([{"name": name, "position": 0} for name in names])
                .on_conflict_do_nothing(index_elements=["name"])
            )
            self.aside.positions(connection, lock=True)  # a page being built aside elsewhere ends first
            for projector, copy in zip(self.live.projectors, self.aside.projectors, strict=True):
                for live_table, copy_table in zip(projector.tables, copy.tables, strict=True):
                    copy_table.drop(connection, checkfirst=True)
                    self._create_like(connection, live_table, copy_table)
            connection.execute(
                update(projection_positions).where(projection_positions.c.name.in_(names)).values(position=0)
            )

    def run(self, on_page: Callable[[int], None] | None = None, stopping: threading.Event | None = None) -> bool:
        """Fill the copies up to the head of the log, then switch them in; returns whether this call switched
        (not when stopped, nor when another process building the same copies switched them in first)."""
        try:
            self.aside.run(on_page=on_page, stopping=stopping)
            if stopping is not None and stopping.is_set():
                return False
            with self.db.write() as connection:
                self._switch(connection, on_page)
        except PositionsGoneError:
            return False
        return True

    def _switch(self, connection: Connection, on_page: Callable[[int], None] | None) -> None:
        # Lock order as every page takes it: positions first, then tables.
        self.live.positions(connection, lock=True)
        while count := self.aside.apply_next_page(connection):
            if on_page:
                on_page(count)
            if count < self.aside.page_size:
                break
        built = self.aside.positions(connection, lock=True)
        pairs = list(zip(self.live.projectors, self.aside.projectors, strict=True))
        for projector, copy in pairs:
            for live_table, copy_table in zip(projector.tables, copy.tables, strict=True):
                self._replace(connection, live_table, copy_table)
        for projector, copy in pairs:
            connection.execute(
                update(projection_positions)
                .where(projection_positions.c.name == projector.name)
                .values(position=built[copy.name])
            )
        connection.execute(delete(projection_positions).where(projection_positions.c.name.in_(list(built))))
        if self.live.notify:
            connection.execute(text("SELECT pg_notify(:channel, '')"), {"channel": self.live.notify})

    def _replace(self, connection: Connection, live: Table, copy: Table) -> None:
        """Drop the live table and give the copy its name, and its indexes theirs."""
        live.drop(connection)
        connection.execute(text(f'ALTER TABLE "{copy.name}" RENAME TO "{live.name}"'))
        if self.db.is_sqlite:
            # SQLite cannot rename an index: the copy's are made again under the live names.
            for index in copy.indexes:
                connection.execute(text(f'DROP INDEX "{index.name}"'))
            for index in live.indexes:
                index.create(connection)
        else:
            # PostgreSQL renames an index in place, and a primary key's constraint with its index.
            found = connection.execute(
                text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :table"),
                {"table": live.name},
            )
            for (name,) in found.all():
                connection.execute(text(f'ALTER INDEX "{name}" RENAME TO "{name.replace(copy.name, live.name, 1)}"'))

    def _create_like(self, connection: Connection, live: Table, copy: Table) -> None:
        """The copy with the live table's columns as the migrations made them, in their order (a `SELECT *`
        reads both alike), its primary key, and the indexes of its metadata under the copy's names."""
        if self.db.is_sqlite:
            query = text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name")
            created = connection.execute(query, {"name": live.name}).scalar_one()
            head = re.compile(rf'^CREATE TABLE\s+("?){re.escape(live.name)}\1', re.IGNORECASE)
            connection.execute(text(head.sub(f'CREATE TABLE "{copy.name}"', created, count=1)))
        else:
            like = f'LIKE "{live.name}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS'
            connection.execute(text(f'CREATE TABLE "{copy.name}" ({like})'))
            keys = ", ".join(f'"{column.name}"' for column in copy.primary_key.columns)
            connection.execute(text(f'ALTER TABLE "{copy.name}" ADD PRIMARY KEY ({keys})'))
        for index in copy.indexes:
            index.create(connection)
