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
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import retry
from psycopg import InterfaceError, OperationalError
from psycopg.sql import SQL, Identifier

#: Runs one statement (`%s` marks each parameter) in the events' transaction; returns the rows it selected.
Execute = Callable[[str, Sequence[Any]], list[Any]]
#: Writes one row (or a few) with `Execute`; the flag says whether the store is SQLite.
RowWriter = Callable[[Execute, bool], None]


def write_rows(cursor: Any, rows: Iterable[RowWriter], sqlite: bool) -> None:
    def execute(statement: str, params: Sequence[Any]) -> list[Any]:
        if sqlite:
            cursor.execute(statement.replace("%s", "?"), params)
        else:
            # Never prepared: psycopg prepares a statement run often, and in a pipeline a failed statement
            # (a key another request took) aborts the ones after it, whose preparation psycopg would still
            # count on in the next transaction ("prepared statement does not exist").
            cursor.execute(statement, params, prepare=False)
        if not statement.lstrip().upper().startswith("SELECT"):
            return []
        # Rows as tuples from either store (a fetch in PostgreSQL's pipeline syncs it first).
        return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in cursor.fetchall()]

    for write in rows:
        write(execute, sqlite)


class PostgresLogRecorder(PostgresApplicationRecorder):
    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._insert_stored_events(curs, stored_events, **kwargs)
        # After the events, in the same pipelined transaction, on a cursor of its own: the events' cursor
        # keeps the notification ids the library fetches next, and a row that fails (a key another request
        # took) aborts none of the statements the library prepared.
        with curs.connection.cursor() as own:
            write_rows(own, kwargs.get("rows", ()), sqlite=False)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def latest_versions(self, ids: Sequence[UUID]) -> dict[UUID, int]:
        """The newest version of each aggregate of `ids` that has events, in one query (see SQLite's)."""
        statement = SQL(
            "SELECT originator_id, MAX(originator_version) AS version FROM {table} "
            "WHERE originator_id = ANY(%s) GROUP BY originator_id"
        ).format(table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(statement, [list(ids)], prepare=True)
            return {row["originator_id"]: row["version"] for row in cursor.fetchall()}


class SQLiteLogRecorder(SQLiteApplicationRecorder):
    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        write_rows(c, kwargs.get("rows", ()), sqlite=True)
        return super()._insert_events(c, stored_events, **kwargs)

    def latest_versions(self, ids: Sequence[UUID]) -> dict[UUID, int]:
        """The newest version of each aggregate of `ids` that has events, in one query: a listing learns which
        of its cached aggregates are current without a query per aggregate."""
        marks = ",".join("?" * len(ids))
        statement = (
            f"SELECT originator_id, MAX(originator_version) FROM {self.events_table_name} "
            f"WHERE originator_id IN ({marks}) GROUP BY originator_id"
        )
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [i.hex for i in ids])
            return {UUID(row[0]): row[1] for row in cursor.fetchall()}
