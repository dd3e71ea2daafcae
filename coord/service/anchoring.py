"""Signed heads of the audit, for the operator to keep away from the database (as certificate transparency's
signed tree heads and ledger digests are kept): the event chain's (position, hash) and the access log's
(id, hash), the time, the fingerprint of the key and its Ed25519 signature.

Whoever can write the database can rewrite both chains, but cannot sign: a log that no longer extends a head
signed before (cut short, or altered and re-chained) does not verify against it. Checking needs only the
public key. Heads are also kept in `audit_checkpoints`, where `GET /audit/checkpoints/latest` reads them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text, update

from coord.service.access_log import GENESIS, AccessLog, AccessVerdict
from coord.tables import audit_checkpoints
from events.errors import NotFoundError, RuleError
from events.signing import SigningKey, VerifyKey
from projections.audit_chain import AuditChain, Verdict
from projections.db import Database

#: Taken by PostgreSQL processes signing a head, so that two at once sign one head per position.
CHECKPOINT_LOCK = 0x636F6F72645F6870  # "coord_hp"
HEX = {"hash": 64, "access_hash": 64, "key_id": 16, "signature": 128}


@dataclass(frozen=True)
class Head:
    position: int
    hash: str
    at: datetime
    key_id: str
    signature: str
    #: The access log's last entry and its hash; None in heads signed before the access log was chained.
    access_id: int | None = None
    access_hash: str | None = None

    def message(self) -> bytes:
        """What the signature covers; the time as UTC text, so that it reads back alike from every store."""
        at = (self.at.astimezone(UTC) if self.at.tzinfo else self.at).replace(tzinfo=None)
        at_text = at.isoformat(timespec="microseconds")
        if self.access_id is None:
            return f"coord audit checkpoint\n{self.position}\n{self.hash}\n{at_text}".encode()
        return (
            f"coord audit head\n{self.position}\n{self.hash}\n{self.access_id}\n{self.access_hash}\n{at_text}".encode()
        )

    def to_json(self) -> dict[str, Any]:
        at = (self.at.astimezone(UTC) if self.at.tzinfo else self.at.replace(tzinfo=UTC)).replace(tzinfo=None)
        return {**asdict(self), "at": at.isoformat(timespec="microseconds") + "Z"}

    @classmethod
    def from_json(cls, data: Any) -> Head:
        """A head as `coord checkpoint` prints it; anything else is refused with the reason."""
        if not isinstance(data, dict) or set(data) != set(cls.__dataclass_fields__):
            raise RuleError(f"a signed head is a JSON object with exactly {', '.join(cls.__dataclass_fields__)}")
        for name, length in HEX.items():
            value = data[name]
            if not (value is None and name == "access_hash") and not (
                isinstance(value, str) and re.fullmatch(f"[0-9a-f]{{{length}}}", value)
            ):
                raise RuleError(f"the head's {name} must be {length} lowercase hexadecimal digits")
        for name, low in (("position", 1), ("access_id", 0)):
            value = data[name]
            if not (value is None and name == "access_id") and not (type(value) is int and low <= value <= 2**63 - 1):
                raise RuleError(f"the head's {name} must be a whole number from {low}")
        if (data["access_id"] is None) != (data["access_hash"] is None):
            raise RuleError("the head's access_id and access_hash go together")
        try:
            at = datetime.fromisoformat(data["at"]) if isinstance(data["at"], str) else None
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise RuleError("the head's at must be an ISO 8601 time in UTC, e.g. 2026-12-02T23:00:00.000000Z")
        return cls(**{**data, "at": at})

    def problem(self, key: VerifyKey | None, events: Verdict, access: AccessVerdict) -> str | None:
        """Why the log does not extend this head, or None when it does."""
        p, a = self.position, self.access_id
        if key is None:
            return f"the signed head at position {p} cannot be checked: no COORD_AUDIT_PUBLIC_KEY"
        if self.key_id != key.key_id:
            return f"the head at position {p} was signed by another key ({self.key_id})"
        if not key.verifies(self.message(), self.signature):
            return f"the head at position {p} does not carry a valid signature"
        if p > events.last_position:
            return f"the log stops at position {events.last_position}, before the signed head at position {p}"
        if p not in events.hashes:
            return f"the event at position {p}, where a signed head stands, was removed"
        if events.hashes[p] != self.hash:
            return f"the log was altered at or before position {p}: it no longer extends the head signed there"
        if a is None:
            return None
        if a > access.last_id:
            return f"the access log stops at entry {access.last_id}, before entry {a} of the signed head"
        if (GENESIS if a == 0 else (access.hashes or {}).get(a)) != self.access_hash:
            return f"the access log was altered at or before entry {a}: it no longer extends the signed head"
        return None


class Anchors:
    def __init__(self, db: Database, chain: AuditChain, access: AccessLog) -> None:
        self.db, self.chain, self.access = db, chain, access

    def checkpoint(self, key: SigningKey) -> Head:
        """Sign the heads of the event chain (extended to the head of the log first) and of the access log. One
        head per position: signed again only when the access log has grown since."""
        position, hash_ = self.chain.head()
        with self.db.write() as connection:  # SQLite: one writer at a time already
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHECKPOINT_LOCK})
            access_id, access_hash = self.access.head(connection)
            row = connection.execute(select(audit_checkpoints).where(audit_checkpoints.c.position == position)).first()
            if row is not None and row.access_id == access_id:
                return Head(**row._mapping)
            head = Head(position, hash_, datetime.now(UTC), key.key_id, "", access_id, access_hash)
            head = replace(head, signature=key.sign(head.message()))
            values = asdict(head)
            if row is None:
                connection.execute(insert(audit_checkpoints).values(values))
            else:
                at_position = audit_checkpoints.c.position == position
                connection.execute(update(audit_checkpoints).where(at_position).values(values))
            return head

    def stored(self) -> list[Head]:
        with self.db.read() as connection:
            rows = connection.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.position)).all()
        return [Head(**row._mapping) for row in rows]

    def latest(self) -> Head:
        with self.db.read() as connection:
            row = connection.execute(
                select(audit_checkpoints).order_by(audit_checkpoints.c.position.desc()).limit(1)
            ).first()
        if row is None:
            raise NotFoundError("no signed head yet: the operator makes one with `coord checkpoint`")
        return Head(**row._mapping)
