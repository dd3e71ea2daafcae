"""The append-only PII access log: who saw whose personal data, when and why. Ids only, never values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select

from coord.service.principal import Principal
from coord.tables import access_log
from projections.db import Database, retry_once


class AccessLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    @retry_once
    def record(self, who: Principal, person_id: UUID, fields: Sequence[str], purpose: str) -> None:
        with self.db.write() as connection:
            connection.execute(
                insert(access_log).values(
                    at=datetime.now(UTC),
                    actor=who.id,
                    role=who.role,
                    agency=who.agency,
                    person_id=person_id.hex,
                    fields=",".join(fields)[:200],
                    purpose=purpose[:200],
                )
            )

    def page(self, after: int = 0, limit: int = 100, person_id: UUID | None = None) -> list[dict[str, Any]]:
        query = select(access_log).where(access_log.c.id > after).order_by(access_log.c.id).limit(limit)
        if person_id is not None:
            query = query.where(access_log.c.person_id == person_id.hex)
        with self.db.read() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]
