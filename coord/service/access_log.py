"""The append-only PII access log: who saw whose personal data, when and why. Ids only, never values.

Each entry is chained: its hash is SHA-256(the previous entry's hash || its own content), so an entry altered
or removed behind the application's back breaks the chain from there on, and a signed head (anchoring.py)
fixes the end of the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, insert, select, text

from coord.service.principal import Principal
from coord.tables import access_log
from events.recorders import Execute, RowWriter
from projections.db import Database, retry_once

GENESIS = "0" * 64
#: Taken by every PostgreSQL writer of the log, so that entries are chained one at a time.
CHAIN_LOCK = 0x636F6F72645F616C  # "coord_al"
#: An entry's content as the chain reads it, in this order.
CONTENT = ("at", "actor", "role", "agency", "person_id", "fields", "purpose")


def _utc_text(at: datetime) -> str:
    """The time as UTC text, so that it reads back alike from every store (SQLite keeps no offset)."""
    utc = (at.astimezone(UTC) if at.tzinfo else at).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds")


def entry_hash(previous: str, row: Any) -> str:
    return _chained(previous, [row[name] for name in CONTENT])


def _chained(previous: str, content: Iterable[Any]) -> str:
    """Each part length-prefixed so that no two entries encode alike; a missing agency is its own mark."""
    parts = [bytes.fromhex(previous)]
    for value in content:
        if value is None:
            parts.append(b"\xff" * 8)
            continue
        data = (_utc_text(value) if isinstance(value, datetime) else str(value)).encode("utf-8", "surrogatepass")
        parts.append(len(data).to_bytes(8, "big") + data)
    return hashlib.sha256(b"".join(parts)).hexdigest()


def _entry(who: Principal, person_id: UUID, fields: Sequence[str], purpose: str, at: datetime) -> dict[str, Any]:
    return {
        "at": at,
        "actor": who.id,
        "role": who.role,
        "agency": who.agency,
        "person_id": person_id.hex,
        "fields": ",".join(fields)[:200],
        "purpose": purpose[:200],
    }


@dataclass(frozen=True)
class AccessVerdict:
    ok: bool
    #: Entries whose hashes were recomputed, and the last entry's id (0: the log is empty).
    checked: int
    last_id: int
    entry_id: int | None = None
    problem: str | None = None
    #: The recomputed hash at each id asked for.
    hashes: dict[int, str] | None = None


class AccessLog:
    def __init__(self, db: Database, page_size: int = 1000) -> None:
        self.db, self.page_size = db, page_size

    def record(self, who: Principal, person_id: UUID, fields: Sequence[str], purpose: str) -> None:
        self.record_many(who, [(person_id, fields)], purpose)

    @retry_once
    def record_many(self, who: Principal, seen: Sequence[tuple[UUID, Sequence[str]]], purpose: str) -> None:
        """One entry per (person, fields) read, chained in this order, in one transaction (a listing's page)."""
        if not seen:
            return
        at = datetime.now(UTC)
        with self.db.write() as connection:  # SQLite: one writer at a time already
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
            previous, entries = self.head(connection)[1], []
            for person_id, fields in seen:
                entry = _entry(who, person_id, fields, purpose, at)
                previous = entry_hash(previous, entry)
                entries.append({**entry, "hash": previous})
            connection.execute(insert(access_log), entries)

    @staticmethod
    def entry_row(who: Principal, person_id: UUID, fields: Sequence[str], purpose: str) -> RowWriter:
        """The entry of a read that the answer to a write will show, written in the write's own transaction
        (events/recorders.py): chained after the head it reads there, under the same lock as `record_many`."""
        entry = _entry(who, person_id, fields, purpose, datetime.now(UTC))

        def write(execute: Execute, sqlite: bool) -> None:
            if not sqlite:
                execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK,))
            head = execute("SELECT hash FROM access_log ORDER BY id DESC LIMIT 1", ())
            digest = entry_hash(head[0][0] if head else GENESIS, entry)
            # SQLite keeps a time as SQLAlchemy writes it (UTC text, no offset): the same text as record_many.
            at = _utc_text(entry["at"]).replace("T", " ") if sqlite else entry["at"]
            values = (at, *(entry[name] for name in CONTENT[1:]), digest)
            columns = ", ".join((*CONTENT, "hash"))
            execute(f"INSERT INTO access_log ({columns}) VALUES ({', '.join(['%s'] * len(values))})", values)

        return write

    @staticmethod
    def head(connection: Connection) -> tuple[int, str]:
        """The last entry's (id, hash), or (0, GENESIS) for an empty log."""
        last = connection.execute(
            select(access_log.c.id, access_log.c.hash).order_by(access_log.c.id.desc()).limit(1)
        ).first()
        return (last.id, last.hash) if last else (0, GENESIS)

    def page(self, after: int = 0, limit: int = 100, person_id: UUID | None = None) -> list[dict[str, Any]]:
        query = select(access_log).where(access_log.c.id > after).order_by(access_log.c.id).limit(limit)
        if person_id is not None:
            query = query.where(access_log.c.person_id == person_id.hex)
        with self.db.read() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def verify(self, anchors: Sequence[int] = (), start: tuple[int, str] = (0, GENESIS)) -> AccessVerdict:
        """Recompute the chain over every entry and compare it with the hashes the entries carry: ok, or the
        first entry altered, or after an entry that was removed. Returns the recomputed hash at each anchor.
        `start`: an entry's id and hash (a signed head's) to recompute from, instead of the first entry."""
        wanted, found = set(anchors), {}
        last, previous = start
        checked = 0
        if last and last in wanted:
            found[last] = previous
        for entry_id, recorded, *content in self._rows(last):
            previous = _chained(previous, content)
            if previous != recorded:
                problem = f"the access-log entry {entry_id} was altered, or an entry just before it was removed"
                return AccessVerdict(False, checked, last, entry_id, problem)
            checked, last = checked + 1, entry_id
            if last in wanted:
                found[last] = previous
        return AccessVerdict(True, checked, last, hashes=found)

    def _rows(self, after: int) -> Iterator[Any]:
        """(id, hash, *CONTENT) of each entry after `after`, as plain rows (no mapping built per entry)."""
        columns = [access_log.c.id, access_log.c.hash, *(access_log.c[name] for name in CONTENT)]
        while True:
            with self.db.read() as connection:
                rows = connection.execute(
                    select(*columns).where(access_log.c.id > after).order_by(access_log.c.id).limit(self.page_size)
                ).all()
            if not rows:
                return
            yield from rows
            after = rows[-1][0]
