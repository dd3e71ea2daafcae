"""The SQLAlchemy side of the store: one engine for read models and the project's own tables.

SQLite transactions that write begin IMMEDIATE, so two writers queue on the lock instead of failing
when a read transaction tries to upgrade; within a process they also queue on one lock.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, create_engine, event, exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

P = ParamSpec("P")
T = TypeVar("T")


def sqlalchemy_url(database_url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    return database_url


def upsert(connection: Connection) -> Any:
    """The dialect's INSERT, which offers ON CONFLICT (both SQLite and PostgreSQL have it)."""
    return sqlite_insert if connection.dialect.name == "sqlite" else pg_insert


def libpq_url(database_url: str) -> str:
    """The URL as psycopg itself takes it (no SQLAlchemy driver suffix)."""
    return sqlalchemy_url(database_url).replace("postgresql+psycopg://", "postgresql://", 1)


def retry_once(call: Callable[P, T]) -> Callable[P, T]:
    """Run a database call again, once, when it met a connection the server had dropped: the pool then hands
    out a checked one. Only for calls that are safe to repeat (reads, or a transaction that rolled back)."""

    @functools.wraps(call)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return call(*args, **kwargs)
        except (exc.OperationalError, exc.InterfaceError):
            time.sleep(0.1)
            return call(*args, **kwargs)

    return wrapper


class Database:
    def __init__(self, database_url: str) -> None:
        self.url = sqlalchemy_url(database_url)
        self.is_sqlite = self.url.startswith("sqlite")
        #: SQLite has one writer per file. Every writer in this process (the event store's included)
        #: takes this lock first, so writers queue in order instead of starving in busy-wait retries.
        self.write_lock: AbstractContextManager[Any] = threading.RLock() if self.is_sqlite else nullcontext()
        if self.is_sqlite:
            # The driver keeps up to `cached_statements` prepared statements per connection; an IN list of
            # another length is another statement, and a rebuild's pages make hundreds, each large: with the
            # default 128 the process grew with the log (docs/performance.md, Memory).
            connect_args = {"timeout": 30, "check_same_thread": False, "cached_statements": 32}
            self.engine = create_engine(self.url, connect_args=connect_args)
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=10)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with (
            self.write_lock,
            self.engine.connect().execution_options(immediate=True) as connection,
            connection.begin(),
        ):
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection, connection.begin():
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (the pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get("immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
