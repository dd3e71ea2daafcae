"""API tokens: shown once at creation, stored only as a SHA-256 hash (they carry 256 bits of randomness).

Dashboard sessions: a random id (256 bits) in the dashboard's cookie, stored only as its hash and bound to the
token that signed in. A session ends when it expires, on sign-out, and when its token is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from coord.service.principal import ROLES, Principal
from coord.tables import dashboard_sessions as sessions
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

    def create(self, role: str, agency: str | None, label: str = "", *, starter: bool = False) -> tuple[str, str]:
        """Returns (token id, token). The token itself is never stored and cannot be shown again.

        `starter`: a local starter token (`coord users starter`), which the next starter run revokes."""
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
                    starter=starter,
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

    @retry_once
    def active(self, token_id: str) -> bool:
        """Whether the token is still valid (an open stream asks on each wake)."""
        with self.db.read() as connection:
            row = connection.execute(
                select(tokens.c.id).where(tokens.c.id == token_id).where(tokens.c.revoked_at.is_(None))
            ).first()
        return row is not None

    def revoke(self, token_id: str) -> bool:
        """Revokes the token and ends its dashboard sessions."""
        return self._revoke(tokens.c.id == token_id) == 1

    def revoke_starters(self) -> int:
        """Revokes the starter tokens (marked as such when made; a token's label plays no part)."""
        return self._revoke(tokens.c.starter.is_(True))

    def _revoke(self, which: Any) -> int:
        now = datetime.now(UTC)
        with self.db.write() as connection:
            revoked = select(tokens.c.id).where(which).where(tokens.c.revoked_at.is_(None))
            connection.execute(
                update(sessions)
                .where(sessions.c.token_id.in_(revoked))
                .where(sessions.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            result = connection.execute(
                update(tokens).where(which).where(tokens.c.revoked_at.is_(None)).values(revoked_at=now)
            )
        return result.rowcount

    def open_session(self, token_id: str, lifetime: timedelta) -> str:
        """Returns a new session id for the token. Only its hash is stored."""
        session_id = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.db.write() as connection:
            connection.execute(
                insert(sessions).values(
                    id_hash=_hash(session_id), token_id=token_id, created_at=now, expires_at=now + lifetime
                )
            )
        return session_id

    @retry_once
    def session_principal(self, session_id: str) -> Principal | None:
        """The caller of a live session: not expired, not signed out, its token not revoked."""
        if not 20 <= len(session_id) <= 100:
            return None
        return self._session(_hash(session_id))

    def session_active(self, session_id: str) -> bool:
        return self.session_principal(session_id) is not None

    def _session(self, id_hash: str) -> Principal | None:
        with self.db.read() as connection:
            row = connection.execute(
                select(tokens.c.id, tokens.c.role, tokens.c.agency)
                .join(sessions, sessions.c.token_id == tokens.c.id)
                .where(sessions.c.id_hash == id_hash)
                .where(sessions.c.revoked_at.is_(None))
                .where(sessions.c.expires_at > datetime.now(UTC))
                .where(tokens.c.revoked_at.is_(None))
            ).first()
        return Principal(id=row.id, role=row.role, agency=row.agency) if row else None

    def end_session(self, session_id: str) -> None:
        """Sign-out: the session id is refused from now on, wherever it was copied to."""
        with self.db.write() as connection:
            connection.execute(
                update(sessions)
                .where(sessions.c.id_hash == _hash(session_id))
                .where(sessions.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )

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
                    tokens.c.starter,
                ).order_by(tokens.c.created_at)
            )
            return [dict(row._mapping) for row in rows]
