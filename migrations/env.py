"""Alembic environment: runs on the connection coord hands over (see coord/migrate.py)."""

from alembic import context
from sqlalchemy import text

MIGRATION_LOCK = 0x636F6F7264  # "coord": several processes starting at once migrate one at a time


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


run_migrations()
