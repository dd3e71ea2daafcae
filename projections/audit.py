"""The audit hash chain: h_p = SHA-256(h_prev || canonical bytes of the event stored at p), over the raw
stored events (never decoded, so erasure, which only deletes keys, leaves every hash as it was).

The chain is extended page by page like a projection. Verification walks the stored events and the chain
side by side and names the first position where an event was altered, removed, inserted or reordered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from projections.db import Database
from projections.tables import audit_chain, projection_positions

NAME = "audit_chain"
GENESIS = "0" * 64


def canonical(stored: Any) -> bytes:
    """An event's stored form as bytes, each part length-prefixed so that no two events encode alike."""
    state = stored.state if isinstance(stored.state, bytes) else str(stored.state).encode()  # tampered to text
    parts = (stored.originator_id.bytes, str(stored.originator_version).encode(), stored.topic.encode(), state)
    return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


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


class AuditChain:
    def __init__(self, log: Any, db: Database, page_size: int = 1000) -> None:
        self.log, self.db, self.page_size = log, db, page_size
        insert_ = sqlite_insert if db.is_sqlite else pg_insert
        with db.write() as connection:
            connection.execute(
                insert_(projection_positions).values(name=NAME, position=0).on_conflict_do_nothing(index_elements=["name"])
            )

    def run(self) -> int:
        """Extend the chain to the head of the log; returns how many events were linked."""
        linked = 0
        while True:
            count = self._run_page()
            linked += count
            if count < self.page_size:
                return linked

    def _run_page(self) -> int:
        with self.db.write() as connection:
            position = connection.execute(
                select(projection_positions.c.position).where(projection_positions.c.name == NAME).with_for_update()
            ).scalar_one()
            page = self.log.recorder.select_notifications(start=position, limit=self.page_size, inclusive_of_start=False)
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

    def verify(self) -> Verdict:
        """Recompute the chain from the stored events and compare it with the recorded one."""
        events, chain = self._stored(), self._chain()
        event, entry = next(events, None), next(chain, None)
        previous, checked, chained_to = GENESIS, 0, 0
        while entry is not None:
            chained_to = entry[0]
            if event is None or event.id > entry[0]:
                return Verdict(False, checked, chained_to, entry[0], f"the event at position {entry[0]} was removed")
            if event.id < entry[0]:
                return Verdict(False, checked, chained_to, event.id, f"an event was inserted at position {event.id}")
            previous = link(previous, event)
            if previous != entry[1]:
                problem = f"the event at position {event.id} was altered, or the log was reordered there"
                return Verdict(False, checked, chained_to, event.id, problem)
            checked += 1
            event, entry = next(events, None), next(chain, None)
        return Verdict(True, checked, chained_to)

    def _stored(self) -> Iterator[Any]:
        position = 0
        while page := self.log.recorder.select_notifications(start=position, limit=self.page_size,
                                                              inclusive_of_start=False):
            yield from page
            position = page[-1].id

    def _chain(self) -> Iterator[tuple[int, str]]:
        position = 0
        while True:
            with self.db.read() as connection:
                rows = connection.execute(
                    select(audit_chain.c.position, audit_chain.c.hash)
                    .where(audit_chain.c.position > position)
                    .order_by(audit_chain.c.position)
                    .limit(self.page_size)
                ).all()
            if not rows:
                return
            yield from ((row.position, row.hash) for row in rows)
            position = rows[-1].position
