"""The log's recorders: the library's own, plus rows that must commit in the same transaction as the events.

The library's process recorders insert their tracking record in the events' transaction from
`_insert_events`; these recorders use the same extension point for the rows a save passes as `rows=`
(`Application.save(..., rows=[...])` hands its keyword arguments down to the recorder): a person's new data
key, their blind-index entry and the write's idempotency record. So a write is stored whole or not at all,
and whether it landed can be asked of the database afterwards (coord/service/read_models.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

#: Writes one row (or a few) with the cursor of the events' transaction; the flag says whether it is SQLite,
#: whose driver takes `?` where psycopg takes `%s`.
RowWriter = Callable[[Any, bool], None]


def write_rows(cursor: Any, rows: Iterable[RowWriter], sqlite: bool) -> None:
    for write in rows:
        write(cursor, sqlite)


class PostgresLogRecorder(PostgresApplicationRecorder):
    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        write_rows(curs, kwargs.get("rows", ()), sqlite=False)
        super()._insert_events(curs, stored_events, **kwargs)


class SQLiteLogRecorder(SQLiteApplicationRecorder):
    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        write_rows(c, kwargs.get("rows", ()), sqlite=True)
        return super()._insert_events(c, stored_events, **kwargs)
