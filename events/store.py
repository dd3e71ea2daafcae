"""Store setup: maps COORD_DATABASE_URL onto the eventsourcing library's own settings and builds the log.

Users configure one URL; the library's variables are derived here and never read from the environment.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import Environment

from events.crypto import MasterKey
from events.fieldcrypt import DateAsISO, PIITranscoding, UUIDAsCachedHex
from events.keystore import KeyStore


class StoreURLError(ValueError):
    """COORD_DATABASE_URL names no store this service can use."""


def library_env(database_url: str) -> dict[str, str]:
    """The eventsourcing settings for a `sqlite:///path` or `postgresql://user:pw@host:port/db` URL."""
    parts = urlsplit(database_url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "sqlite":
        path = unquote(database_url.split(":///", 1)[1]) if ":///" in database_url else ""
        if not path or path == ":memory:":
            raise StoreURLError("a SQLite store needs a file: sqlite:///path/to/coord.db")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "APPLICATION_RECORDER_TOPIC": "events.recorders:SQLiteLogRecorder",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    if scheme in ("postgresql", "postgres"):
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname:
            raise StoreURLError("a PostgreSQL URL needs a database name: postgresql://user@host:5432/dbname")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": "events.recorders:PostgresLogRecorder",
            # A pooled connection is checked before use: one the server dropped is replaced, not failed on.
            "POSTGRES_PRE_PING": "y",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or getpass.getuser()),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_LOCK_TIMEOUT": "10",
        }
    raise StoreURLError(f"unsupported database URL scheme {parts.scheme!r}: use sqlite:/// or postgresql://")


class EventLog(Application):
    """The one append-only log, with field encryption wired into its transcoder.

    Recently read aggregates are cached (the library's repository cache): a read brings its copy up to date
    with the events stored since (fast-forward, so writes by other processes are seen) instead of decoding the
    whole history again, and hands out a copy, so a command never changes the cached one."""

    name = "coord"
    #: Events decode with orjson (events/transcoder.py): a rebuild decodes the whole log.
    env: ClassVar[dict[str, str]] = {
        "CREATE_TABLE": "y",
        "TRANSCODER_TOPIC": "events.transcoder:FastJSONTranscoder",
        "AGGREGATE_CACHE_MAXSIZE": "5000",
    }

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The library names tables after the class; subclasses add behaviour, not another log.
        cls.name = EventLog.name

    def __init__(self, database_url: str, master: MasterKey, previous_masters: Sequence[MasterKey] = ()) -> None:
        self._masters = (master, tuple(previous_masters))
        env = library_env(database_url)
        with _one_at_a_time(env):
            super().__init__(env=env)

    def construct_env(self, name: str, env: Any = None) -> Environment:
        # Only the settings derived from the URL: stray library variables in os.environ must not apply.
        return Environment(name, {**type(self).env, **(env or {})})

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        master, previous = self._masters
        self.keystore = KeyStore(self.factory.datastore, master, previous)
        transcoder.register(DateAsISO())
        transcoder.register(UUIDAsCachedHex())
        transcoder.register(PIITranscoding(self.keystore))


#: The advisory lock processes take to create the library's tables (an arbitrary number, the same for all).
CREATE_LOCK = 7_401_202_612


@contextmanager
def _one_at_a_time(env: dict[str, str]) -> Iterator[None]:
    """Processes starting together (gunicorn's workers) create the library's tables and functions one at a
    time: PostgreSQL refuses a concurrent CREATE OR REPLACE FUNCTION ("tuple concurrently updated")."""
    if env["PERSISTENCE_MODULE"] != "eventsourcing.postgres":
        yield
        return
    with psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
        autocommit=True,
    ) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (CREATE_LOCK,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (CREATE_LOCK,))
