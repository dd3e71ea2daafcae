"""The migrations create exactly the read-model tables that projections/tables.py describes, on SQLite and
PostgreSQL: a column added to one and not the other fails here, not in production."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from coord.migrate import upgrade
from projections.db import Database
from projections.tables import metadata


def test_the_migrated_schema_matches_the_read_model_tables(store_url):
    db = Database(store_url)
    try:
        upgrade(db)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [
                d
                for d in compare_metadata(context, metadata)
                # Tables coord owns that are not read models (keystore, tokens, ...) are described elsewhere.
                if not (d[0] == "remove_table" or (d[0] == "remove_index" and d[1].table.name not in metadata.tables))
            ]
        assert differences == []
    finally:
        db.dispose()
