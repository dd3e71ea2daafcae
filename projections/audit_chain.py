"""The audit hash chain: h_p = SHA-256(h_prev || canonical bytes of the event stored at p), over the raw
stored events (never decoded, so erasure, which only deletes keys, leaves every hash as it was).

The chain is extended page by page like a projection. Verification walks the stored events and the chain
side by side and names the first position where an event was altered, removed, inserted or reordered. A
chain rewritten along with the events, or cut short, is caught by a signed head kept elsewhere
(coord/service/anchoring.py): the hash recomputed at its position must be the one it signs.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update

from events.errors import RuleError
from projections.db import Database
from projections.runner import ensure_positions
from projections.tables import audit_chain, projection_positions

NAME = "audit_chain"
GENESIS = "0" * 64
#: Rows a page of verification reads, of the stored events and of the chain alike.
VERIFY_PAGE = 1000


#: The length prefix of an originator id's 16 bytes.
ID_LENGTH = (16).to_bytes(8, "big")


def canonical(stored: Any) -> bytes:
    """An event's stored form as bytes, each part length-prefixed so that no two events encode alike."""
    return _canonical(stored.originator_id.bytes, stored.originator_version, stored.topic, stored.state)


def _canonical(originator_id: bytes, version: int, topic: str, state: Any) -> bytes:
    state = state if isinstance(state, bytes) else str(state).encode()  # tampered to text
    return b"".join((ID_LENGTH, originator_id, _part(version), _part(topic), len(state).to_bytes(8, "big"), state))


@lru_cache(maxsize=65536, typed=True)
def _part(value: int | str) -> bytes:
    """A version or a topic, length-prefixed: both repeat from event to event, so each is encoded once."""
    data = str(value).encode()
    return len(data).to_bytes(8, "big") + data


def _id_bytes(originator_id: Any) -> bytes:
    """The 16 bytes of an originator id as the store returns it: a UUID (PostgreSQL), or its text (SQLite)."""
    if isinstance(originator_id, UUID):
        return originator_id.bytes
    # Much cheaper than UUID(text), and alike for 32 hex digits between hyphens; other text is UUID's to read.
    digits = originator_id.replace("-", "")
    try:
        raw = bytes.fromhex(digits) if len(digits) == 32 else b""
    except ValueError:
        raw = b""
    return raw if len(raw) == 16 else UUID(originator_id).bytes


def link(previous: str, stored: Any) -> str:
    return hashlib.sha256(bytes.fromhex(previous) + canonical(stored)).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    #: Events checked against the chain, and the last position the chain covers.
    checked: int
    chained_to: int
    position: int | None = None
    problem: str | None = None
    #: The last position of the log, and the hash recomputed from the stored events at each position asked for.
    last_position: int = 0
    hashes: dict[int, str] = field(default_factory=dict)


class AuditChain:
    def __init__(self, log: Any, db: Database, page_size: int = 1000) -> None:
        self.log, self.db, self.page_size = log, db, page_size
        ensure_positions(db, [NAME])

    def run(self, stopping: threading.Event | None = None) -> int:
        """Extend the chain to the head of the log, or once `stopping` is set to the end of the page it is on;
        returns how many events were linked."""
        linked = 0
        while True:
            count = self._run_page()
            linked += count
            if count < self.page_size or (stopping and stopping.is_set()):
                return linked

    def _run_page(self) -> int:
        with self.db.write() as connection:
            position = connection.execute(
                select(projection_positions.c.position).where(projection_positions.c.name == NAME).with_for_update()
            ).scalar_one()
            page = self.log.recorder.select_notifications(
                start=position, limit=self.page_size, inclusive_of_start=False
            )
            if not page:
                return 0
            previous = self._hash_at(connection, position)
            rows = []
            for stored in page:
                previous = link(previous, stored)
                rows.append({"position": stored.id, "hash": previous})
            connection.execute(insert(audit_chain), rows)
            connection.execute(
                update(projection_positions).where(projection_positions.c.name == NAME).values(position=page[-1].id)
            )
            return len(page)

    def _hash_at(self, connection: Any, position: int) -> str:
        if position == 0:
            return GENESIS
        return connection.execute(select(audit_chain.c.hash).where(audit_chain.c.position == position)).scalar_one()

    def head(self) -> tuple[int, str]:
        """(position, hash) of the chain's head, after extending it to the head of the log."""
        self.run()
        with self.db.read() as connection:
            head = connection.execute(select(audit_chain).order_by(audit_chain.c.position.desc()).limit(1)).first()
        if head is None:
            raise RuleError("the log is empty: there is nothing to checkpoint yet")
        return head.position, head.hash

    def verify(self, anchors: Collection[int] = (), start: tuple[int, str] = (0, GENESIS)) -> Verdict:
        """Recompute the chain from the stored events and compare it with the recorded one: ok, or the first
        position where an event was altered, removed, inserted or reordered. Events past the recorded chain
        are recomputed too, so the hash at each anchor never depends on the recorded chain. `start`: a
        position and the hash there (a signed head's) to recompute from, instead of the start of the log."""
        wanted: set[int] = set(anchors)
        found: dict[int, str] = {}
        after, start_hash = start
        try:
            previous: bytes | None = bytes.fromhex(start_hash)
        except ValueError:
            previous = None  # not a hash (a head altered in the database): fails once an event is chained to it
        chain = self._chain(after)
        entry = next(chain, None)
        checked, chained_to, last = 0, after, after
        if after in wanted:
            found[after] = start_hash

        def failed(position: int, problem: str) -> Verdict:
            return Verdict(False, checked, chained_to, position, problem, last, found)

        # One loop over raw rows, chaining digests: the stored events are read about as fast as the database
        # hands them over.
        sha256 = hashlib.sha256
        for position, originator_id, version, topic, state in self._stored(after):
            if entry is not None and position > entry[0]:
                return failed(entry[0], f"the event at position {entry[0]} was removed")
            previous = sha256(previous + _canonical(_id_bytes(originator_id), version, topic, state)).digest()
            last = position
            if last in wanted:
                found[last] = previous.hex()
            if entry is None:
                continue  # not chained yet
            if position < entry[0]:
                return failed(position, f"an event was inserted at position {position}")
            if previous.hex() != entry[1]:
                return failed(position, f"the event at position {position} was altered, or the log was reordered there")
            checked, chained_to, entry = checked + 1, entry[0], next(chain, None)
        if entry is not None:
            return failed(entry[0], f"the event at position {entry[0]} was removed")
        return Verdict(True, checked, chained_to, last_position=last, hashes=found)

    def _stored(self, position: int) -> Iterator[tuple[int, Any, int, str, Any]]:
        """(position, originator id, version, topic, state) of each stored event after `position`: the raw
        rows of the library's table (the chain never decodes an event)."""
        column = "rowid" if self.db.is_sqlite else "notification_id"  # the library's position column
        return self._rows(
            f"SELECT {column}, originator_id, originator_version, topic, state"
            f" FROM {self.log.recorder.events_table_name} WHERE {column} > %s ORDER BY {column} LIMIT %s",
            position,
        )

    def _chain(self, position: int) -> Iterator[tuple[int, str]]:
        return self._rows(
            "SELECT position, hash FROM audit_chain WHERE position > %s ORDER BY position LIMIT %s", position
        )

    def _rows(self, statement: str, position: int) -> Iterator[Any]:
        """The rows of `statement` (position first) after `position`, a page per read transaction, as the
        driver's own tuples: building SQLAlchemy rows would cost verification a third of its time."""
        if self.db.is_sqlite:
            statement = statement.replace("%s", "?")
        while True:
            with self.db.read() as connection:
                cursor = connection.connection.cursor()
                try:
                    cursor.execute(statement, (position, VERIFY_PAGE))
                    rows = cursor.fetchall()
                finally:
                    cursor.close()
            if not rows:
                return
            yield from rows
            position = rows[-1][0]
