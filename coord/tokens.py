"""API tokens: shown once at creation, stored only as a SHA-256 hash (they carry 256 bits of randomness)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from coord.service.principal import ROLES, Principal
from coord.tables import tokens
from events.agencies import check_agency
from events.errors import RuleError
from projections.db import Database, retry_once

PREFIX = "coord_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class TokenStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, role: str, agency: str | None, label: str = "") -> tuple[str, str]:
        """Returns (token id, token). The token itself is never stored and cannot be shown again."""
        if role not in ROLES:
            raise RuleError(f"role must be one of {', '.join(ROLES)}")
        if role == "case_manager" and not agency:
            raise RuleError("a case_manager token must be bound to an agency (--agency)")
        if agency is not None:
            check_agency(agency)
        token_id = secrets.token_hex(8)
        token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        with self.db.write() as connection:
            connection.execute(
                insert(tokens).values(
                    id=token_id,
                    secret_hash=_hash(token),
                    role=role,
                    agency=agency,
                    label=label[:200],
                    created_at=datetime.now(UTC),
                )
            )
        return token_id, token

    @retry_once
    def authenticate(self, token: str) -> Principal | None:
        if not token.startswith(PREFIX) or len(token) > 200:
            return None
        with self.db.read() as connection:
            row = connection.execute(
                select(tokens.c.id, tokens.c.role, tokens.c.agency)
                .where(tokens.c.secret_hash == _hash(token))
                .where(tokens.c.revoked_at.is_(None))
            ).first()
        return Principal(id=row.id, role=row.role, agency=row.agency) if row else None

    def revoke(self, token_id: str) -> bool:
        return self._revoke(tokens.c.id == token_id) == 1

    def revoke_labelled(self, label: str) -> int:
        return self._revoke(tokens.c.label == label)

    def _revoke(self, which: Any) -> int:
        with self.db.write() as connection:
            result = connection.execute(
                update(tokens).where(which).where(tokens.c.revoked_at.is_(None)).values(revoked_at=datetime.now(UTC))
            )
        return result.rowcount

    def list(self) -> list[dict[str, Any]]:
        with self.db.read() as connection:
            rows = connection.execute(
                select(
                    tokens.c.id,
                    tokens.c.role,
                    tokens.c.agency,
                    tokens.c.label,
                    tokens.c.created_at,
                    tokens.c.revoked_at,
                ).order_by(tokens.c.created_at)
            )
            return [dict(row._mapping) for row in rows]
