"""The audit hash chain: h_p = SHA-256(h_prev || canonical bytes of the event stored at p), over the raw
stored events (never decoded, so erasure, which only deletes keys, leaves every hash as it was).

The chain is extended page by page like a projection. Verification walks the stored events and the chain
side by side and names the first position where an event was altered, removed, inserted or reordered;
Ed25519-signed checkpoints of (position, hash, time) catch a chain rewritten along with the events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from events.errors import RuleError
from events.signing import SigningKey
from projections.db import Database
from projections.runner import ensure_positions
from projections.tables import audit_chain, audit_checkpoints, projection_positions

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
    #: Signed checkpoints checked, and those left unchecked for want of the signing key.
    checkpoints: int = 0
    unchecked_checkpoints: int = 0


def _message(position: int, hash_: str, at: datetime) -> bytes:
    """What a checkpoint signs; the time as UTC text, so that it reads back alike from every store."""
    utc = (at.astimezone(UTC) if at.tzinfo else at).replace(tzinfo=None)
    return f"coord audit checkpoint\n{position}\n{hash_}\n{utc.isoformat(timespec='microseconds')}".encode()


class AuditChain:
    def __init__(self, log: Any, db: Database, page_size: int = 1000) -> None:
        self.log, self.db, self.page_size = log, db, page_size
        ensure_positions(db, [NAME])

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

    def checkpoint(self, key: SigningKey) -> dict[str, Any]:
        """Sign (position, hash, time) of the chain's head, after extending it to the head of the log."""
        self.run()
        with self.db.write() as connection:
            head = connection.execute(select(audit_chain).order_by(audit_chain.c.position.desc()).limit(1)).first()
            if head is None:
                raise RuleError("the log is empty: there is nothing to checkpoint yet")
            signed = connection.execute(select(audit_checkpoints).where(audit_checkpoints.c.position == head.position))
            if (row := signed.first()) is not None:
                return dict(row._mapping)
            at = datetime.now(UTC)
            row = {
                "position": head.position,
                "hash": head.hash,
                "at": at,
                "key_id": key.key_id,
                "signature": key.sign(_message(head.position, head.hash, at)),
            }
            connection.execute(insert(audit_checkpoints).values(row))
            return row

    def verify(self, key: SigningKey | None = None) -> Verdict:
        """Recompute the chain from the stored events, compare it with the recorded one, then check every
        signed checkpoint (with `key`) against the recomputed hashes."""
        with self.db.read() as connection:
            checkpoints = connection.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.position)).all()
        wanted, recomputed = {c.position for c in checkpoints}, {}
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
            if event.id in wanted:
                recomputed[event.id] = previous
            checked += 1
            event, entry = next(events, None), next(chain, None)
        return self._check_signed(checkpoints, recomputed, key, checked, chained_to)

    def _check_signed(
        self, checkpoints: Any, recomputed: dict[int, str], key: SigningKey | None, checked: int, chained_to: int
    ) -> Verdict:
        if key is None:
            return Verdict(True, checked, chained_to, unchecked_checkpoints=len(checkpoints))
        for count, c in enumerate(checkpoints):
            p = c.position
            if c.key_id != key.key_id:
                problem = f"the checkpoint at position {p} was signed by another key ({c.key_id})"
            elif not key.verifies(_message(p, c.hash, c.at), c.signature):
                problem = f"the checkpoint at position {p} does not carry a valid signature"
            elif p > chained_to:
                problem = f"the audit chain stops at position {chained_to}, before the checkpoint at position {p}"
            elif recomputed.get(p) != c.hash:
                problem = f"the log was altered at or before position {p}: it no longer matches its signed checkpoint"
            else:
                continue
            return Verdict(False, checked, chained_to, p, problem, checkpoints=count)
        return Verdict(True, checked, chained_to, checkpoints=len(checkpoints))

    def _stored(self) -> Iterator[Any]:
        position = 0
        while page := self.log.recorder.select_notifications(
            start=position, limit=self.page_size, inclusive_of_start=False
        ):
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
