"""The migrations create exactly the tables the project describes in SQLAlchemy (`coord.tables.ALL_METADATA`:
read models, tokens, access log, idempotency records and the keystore), on SQLite and PostgreSQL: a column added
to one and not the other fails here, not in production. Only the event store's own table, made by the
eventsourcing library beside them, is left out."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from coord.tables import ALL_METADATA

#: The eventsourcing library's table on SQLite and on PostgreSQL (named after the application).
EVENT_STORE_TABLES = {"stored_events", "coord_events"}


def _event_store_object(difference: Any) -> bool:
    """A table or index only the event store has: the one kind of difference that is expected."""
    if not isinstance(difference, tuple):
        return False  # a list of column changes inside one table
    kind, target = difference[0], difference[1]
    return (kind == "remove_table" and target.name in EVENT_STORE_TABLES) or (
        kind == "remove_index" and target.table.name in EVENT_STORE_TABLES
    )


def test_the_migrated_schema_matches_every_table_the_project_owns(coord):
    # `coord` has run the migrations beside the event store, as a started service does.
    with coord.service.db.engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, list(ALL_METADATA)) if not _event_store_object(d)]
    assert differences == []
    assert names & EVENT_STORE_TABLES, "the event store is there, so leaving it out is tested"
    assert {table for metadata in ALL_METADATA for table in metadata.tables} <= names
