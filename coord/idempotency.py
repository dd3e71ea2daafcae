"""Idempotency records: what a write stored, committed in the same transaction as its events.

Every write leaves one record, written by the event store's recorder with the events (events/recorders.py):
a request with an `Idempotency-Key` under (token, key), one without under a random receipt key. So a record
exists exactly when the write's events do: a repeat of a key is answered from it; a request that died
before its commit left nothing and runs again; two requests with one key at once both run, and the second
to commit fails on the record's primary key, its events with it, and is answered with the first one's
outcome. After a connection error on COMMIT the record says whether the write landed.

A record keeps what was created or changed (kind, id, version), never the response body: the body holds
personal data, and re-rendering the same version keeps erasure and consent in force on replays.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import delete, select

from coord.errors import IdempotencyKeyReusedError
from coord.tables import idempotency_records as records
from events.recorders import Execute, RowWriter
from projections.db import Database, retry_once

KEEP_FOR = timedelta(hours=24)
PRUNE_EVERY_SECONDS = 60
#: The token column of receipts: records of writes sent without a key (never a token id, which is hex).
RECEIPTS = "~receipt"


@dataclass(frozen=True)
class Outcome:
    status_code: int
    kind: str
    resource_id: str
    version: int


@dataclass(frozen=True)
class Intent:
    """The record a write will leave: under the caller's key, or a receipt's."""

    token_id: str
    key: str
    fingerprint: str = ""
    kind: str = ""
    status_code: int = 0

    @classmethod
    def receipt(cls) -> Intent:
        return cls(RECEIPTS, uuid4().hex)


#: The keyed request being served in this context (set by the HTTP layer around the view).
_KEYED: ContextVar[Intent | None] = ContextVar("keyed_request", default=None)


@contextmanager
def keyed(intent: Intent) -> Iterator[None]:
    """Within the block, the write made leaves its record under this key."""
    token = _KEYED.set(intent)
    try:
        yield
    finally:
        _KEYED.reset(token)


def current_intent() -> Intent:
    """The record the next write leaves: the keyed request's, else a fresh receipt."""
    return _KEYED.get() or Intent.receipt()


class AlreadyAnsweredError(Exception):
    """Another request with the same key committed first: answer with its outcome."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__("this Idempotency-Key was answered by a request that committed first")
        self.outcome = outcome


class IdempotencyStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._next_prune = 0.0

    @retry_once
    def lookup(self, token_id: str, key: str, fingerprint: str) -> Outcome | None:
        """The outcome of the write made under this key, if one was stored."""
        self.prune()
        row = self._row(token_id, key)
        if row is not None and row.state != "done":
            self._drop(token_id, key)  # an older version's reservation: its request never stored anything
            return None
        if row is None:
            return None
        if row.fingerprint != fingerprint:
            raise IdempotencyKeyReusedError("this Idempotency-Key was already used for a different request")
        return _outcome(row)

    @retry_once
    def stored(self, intent: Intent) -> Outcome | None:
        """The outcome recorded under the intent's key, if its write (or another with that key) committed."""
        row = self._row(intent.token_id, intent.key)
        if row is not None and row.fingerprint != intent.fingerprint:
            raise IdempotencyKeyReusedError("this Idempotency-Key was already used for a different request")
        return None if row is None else _outcome(row)

    def prune(self) -> None:
        """Drop records past their time, at most once a minute in a process (receipts pile up otherwise).
        Records an older version left for keys it reserved before writing ("in_flight") go at once."""
        if time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
        with self.db.write() as connection:
            old = (records.c.created_at < datetime.now(UTC) - KEEP_FOR) | (records.c.state != "done")
            connection.execute(delete(records).where(old))

    def _drop(self, token_id: str, key: str) -> None:
        with self.db.write() as connection:
            connection.execute(delete(records).where(records.c.token_id == token_id, records.c.key == key))

    def _row(self, token_id: str, key: str) -> Any:
        with self.db.read() as connection:
            query = select(records).where(records.c.token_id == token_id, records.c.key == key)
            return connection.execute(query).first()


def record_row(intent: Intent, kind: str, resource_id: str, version: int) -> RowWriter:
    """The row writer of the record a write leaves, run in its events' transaction (events/recorders.py)."""
    now = datetime.now(UTC)
    values = (
        intent.token_id,
        intent.key,
        intent.fingerprint,
        "done",
        intent.status_code,
        intent.kind or kind,
        resource_id,
        version,
    )

    def write(execute: Execute, sqlite: bool) -> None:
        # SQLAlchemy keeps SQLite timestamps as text in this form (read back as UTC: `_outcome` needs none).
        created_at = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
        execute(
            "INSERT INTO idempotency_records (token_id, key, fingerprint, state, status_code, resource_kind, "
            "resource_id, resource_version, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (*values, created_at),
        )

    return write


def _outcome(row: Any) -> Outcome:
    return Outcome(row.status_code, row.resource_kind, row.resource_id, row.resource_version)
