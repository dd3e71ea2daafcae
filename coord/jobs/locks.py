"""Who may act: one lock for the lead among schedulers, and one per job so that a run from the CLI and the
scheduler's never overlap. On PostgreSQL a session advisory lock on a connection of its own (it goes with the
connection: a killed process frees it at once); on SQLite a lock file in the data dir (freed by the kernel when
the process dies)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import time
from pathlib import Path
from typing import IO, Protocol

import psycopg

from coord.config import Config
from projections.db import libpq_url

log = logging.getLogger("coord.jobs")


class Lock(Protocol):
    def try_acquire(self) -> bool: ...

    def held(self) -> bool: ...

    def release(self) -> None: ...


def lock_for(config: Config, name: str) -> Lock:
    if config.is_postgres:
        return AdvisoryLock(libpq_url(config.database_url), name)
    return FileLock(config.data_dir / f"{name.replace(':', '-')}.lock")


def acquire_within(lock: Lock, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not lock.try_acquire():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for `name`, apart from the keys coord's other locks use."""
    digest = hashlib.sha256(f"coord.jobs:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AdvisoryLock:
    def __init__(self, conninfo: str, name: str) -> None:
        self.conninfo, self.key = conninfo, lock_key(name)
        self.connection: psycopg.Connection | None = None

    def try_acquire(self) -> bool:
        if self.held():
            return True
        self._drop()
        try:
            self.connection = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
            got = self.connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        except psycopg.Error as error:
            log.warning("cannot reach PostgreSQL for a job lock: %s", type(error).__name__)
            self._drop()
            return False
        if not (got and got[0]):
            self._drop()
            return False
        return True

    def held(self) -> bool:
        """Still held: the connection that holds it still answers."""
        if self.connection is None:
            return False
        try:
            self.connection.execute("SELECT 1")
        except psycopg.Error:
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self.connection is not None:
            # A connection that is gone took the lock with it.
            with contextlib.suppress(psycopg.Error):
                self.connection.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        self._drop()

    def _drop(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(psycopg.Error):
                self.connection.close()
        self.connection = None


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self.handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a")  # noqa: SIM115 - held open for as long as the lock is
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self.handle = handle
        return True

    def held(self) -> bool:
        return self.handle is not None

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
