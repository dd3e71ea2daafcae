"""Idempotency records: the first request with a key does the work; a repeat gets the same answer.

A record keeps what was created or changed (kind, id, version), never the response body: the body holds
personal data, and re-rendering the same version keeps erasure and consent in force on replays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from coord.errors import ConflictError, IdempotencyKeyReusedError
from coord.tables import idempotency_records as records
from projections.db import Database

KEEP_FOR = timedelta(hours=24)
#: A request still marked in flight after this long is taken to have died and may be retried.
IN_FLIGHT_FOR = timedelta(seconds=60)


@dataclass(frozen=True)
class Outcome:
    status_code: int
    kind: str
    resource_id: str
    version: int


class IdempotencyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def begin(self, token_id: str, key: str, fingerprint: str) -> Outcome | None:
        """Reserve the key; returns the earlier outcome when this request was already answered."""
        now = datetime.now(UTC)
        with self.db.write() as connection:
            connection.execute(delete(records).where(records.c.created_at < now - KEEP_FOR))
            row = connection.execute(
                select(records).where(records.c.token_id == token_id).where(records.c.key == key)
            ).first()
            if row is None:
                try:
                    connection.execute(
                        insert(records).values(
                            token_id=token_id, key=key, fingerprint=fingerprint, state="in_flight", created_at=now
                        )
                    )
                except IntegrityError:
                    raise ConflictError("a request with this Idempotency-Key is being processed") from None
                return None
            if row.fingerprint != fingerprint:
                raise IdempotencyKeyReusedError("this Idempotency-Key was already used for a different request")
            if row.state == "done":
                return Outcome(row.status_code, row.resource_kind, row.resource_id, row.resource_version)
            if _aware(row.created_at) > now - IN_FLIGHT_FOR:
                raise ConflictError("a request with this Idempotency-Key is being processed")
            connection.execute(
                update(records).where(records.c.token_id == token_id).where(records.c.key == key).values(created_at=now)
            )
            return None

    def complete(self, token_id: str, key: str, outcome: Outcome) -> None:
        with self.db.write() as connection:
            connection.execute(
                update(records)
                .where(records.c.token_id == token_id)
                .where(records.c.key == key)
                .values(
                    state="done",
                    status_code=outcome.status_code,
                    resource_kind=outcome.kind,
                    resource_id=outcome.resource_id,
                    resource_version=outcome.version,
                )
            )

    def release(self, token_id: str, key: str) -> None:
        """Forget a reservation whose request failed, so the client may try again with the same key."""
        with self.db.write() as connection:
            connection.execute(
                delete(records)
                .where(records.c.token_id == token_id)
                .where(records.c.key == key)
                .where(records.c.state == "in_flight")
            )


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
