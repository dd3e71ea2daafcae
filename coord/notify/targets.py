"""Where an agency is told: its webhooks (URL and signing secret) and its intake email address, set by an admin.

A webhook's secret is made here, shown once, and stored only sealed (AES-256-GCM, the webhook id as associated
data) with the `webhook_secrets` key. That key lives in `index_keys` beside the blind index's, wrapped by the
master key, so `coord keys rotate` re-wraps it with the others and a copy of the database alone signs nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select, update

from coord.tables import agency_contacts, index_keys, tokens, webhooks
from events.agencies import check_agency
from events.crypto import MasterKey, new_key, open_sealed, seal
from events.errors import NotFoundError, RuleError
from events.keystore import UnknownMasterKeyError
from projections.db import Database, upsert
from projections.tables import services

#: The name of the key that seals webhook secrets, in `index_keys` (its owner for the master key's wrapping).
SECRETS_KEY = "webhook_secrets"
SECRET_PREFIX = "whsec_"
URL_LENGTH = 2000
EMAIL_LENGTH = 320
_EMAIL = re.compile(r"[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[^@\s<>,;:\"()\[\]\\]+")


@dataclass(frozen=True)
class Webhook:
    id: str
    agency: str
    url: str
    created_at: datetime
    revoked_at: datetime | None


def check_url(url: str) -> str:
    """An http(s) URL with a host and no credentials in it (they would be printed by `webhooks list`)."""
    shown = url[:80]
    if len(url) > URL_LENGTH or any(c.isspace() or not c.isprintable() for c in url):
        raise RuleError(f"webhook URL {shown!r} is refused: at most {URL_LENGTH} printable characters, no spaces")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise RuleError(f"webhook URL {shown!r} is refused: it is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuleError(f"webhook URL {shown!r} is refused: give an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise RuleError("webhook URL is refused: it may not hold a user name or password")
    return url


def check_email(address: str) -> str:
    if len(address) > EMAIL_LENGTH or not _EMAIL.fullmatch(address):
        raise RuleError(f"intake address {address[:80]!r} is refused: give one address like intake@agency.org")
    return address


def _sealed_for(webhook_id: str) -> bytes:
    return f"webhook:{webhook_id}".encode()


class Targets:
    def __init__(self, db: Database, master: MasterKey, previous: Sequence[MasterKey] = ()) -> None:
        self.db, self.master = db, master
        self._masters = {key.key_id: key for key in (*previous, master)}
        self._key: bytes | None = None

    def known_agencies(self) -> set[str]:
        """Agencies that run a service or act through a token: the only ones a handoff can concern."""
        with self.db.read() as connection:
            running = connection.execute(select(services.c.agency).distinct()).scalars()
            acting = connection.execute(select(tokens.c.agency).where(tokens.c.agency.is_not(None)).distinct())
            return {*running, *acting.scalars()}

    def _check_agency(self, agency: str) -> str:
        check_agency(agency)
        if agency not in self.known_agencies():
            raise RuleError(f"agency {agency!r} is unknown: no service or token belongs to it")
        return agency

    def add_webhook(self, agency: str, url: str) -> tuple[str, str]:
        """Returns (webhook id, secret). The secret is never shown again."""
        self._check_agency(agency)
        check_url(url)
        webhook_id = secrets.token_hex(8)
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        sealed = seal(self._secrets_key(), secret.encode(), _sealed_for(webhook_id))
        with self.db.write() as connection:
            connection.execute(
                insert(webhooks).values(
                    id=webhook_id,
                    agency=agency,
                    url=url,
                    sealed_secret=sealed,
                    created_at=datetime.now(UTC),
                )
            )
        return webhook_id, secret

    def remove_webhook(self, webhook_id: str) -> None:
        """Revoke it: it is sent nothing more, and what was waiting for it is recorded failed when next due."""
        with self.db.write() as connection:
            removed = connection.execute(
                update(webhooks)
                .where(webhooks.c.id == webhook_id)
                .where(webhooks.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        if removed.rowcount != 1:
            raise NotFoundError(f"no active webhook with id {webhook_id[:40]!r}")

    def webhooks(self) -> list[Webhook]:
        with self.db.read() as connection:
            rows = connection.execute(
                select(
                    webhooks.c.id, webhooks.c.agency, webhooks.c.url, webhooks.c.created_at, webhooks.c.revoked_at
                ).order_by(webhooks.c.agency, webhooks.c.created_at)
            )
            return [Webhook(**row._mapping) for row in rows]

    def webhook(self, webhook_id: str) -> tuple[Webhook, str] | None:
        """An active webhook and its secret; None once removed."""
        with self.db.read() as connection:
            row = connection.execute(
                select(webhooks).where(webhooks.c.id == webhook_id).where(webhooks.c.revoked_at.is_(None))
            ).first()
        if row is None:
            return None
        secret = open_sealed(self._secrets_key(), row.sealed_secret, _sealed_for(webhook_id)).decode()
        fields = {name: row._mapping[name] for name in ("id", "agency", "url", "created_at", "revoked_at")}
        return Webhook(**fields), secret

    def _secrets_key(self) -> bytes:
        """The key that seals webhook secrets, made (wrapped by the master key) the first time one is needed."""
        if self._key is None:
            owner = SECRETS_KEY.encode()
            query = select(index_keys.c.wrapped_key, index_keys.c.master_key_id).where(index_keys.c.name == SECRETS_KEY)
            with self.db.read() as connection:
                row = connection.execute(query).first()
            if row is None:
                with self.db.write() as connection:
                    connection.execute(
                        upsert(connection)(index_keys)
                        .values(
                            name=SECRETS_KEY,
                            wrapped_key=self.master.wrap(new_key(), owner),
                            master_key_id=self.master.key_id,
                        )
                        .on_conflict_do_nothing(index_elements=["name"])
                    )
                    row = connection.execute(query).one()
            master = self._masters.get(row.master_key_id)
            if master is None:
                raise UnknownMasterKeyError(
                    "the webhook secrets' key is wrapped by a master key this process was not given"
                )
            self._key = master.unwrap(row.wrapped_key, owner)
        return self._key

    def set_email(self, agency: str, address: str) -> None:
        self._check_agency(agency)
        check_email(address)
        with self.db.write() as connection:
            connection.execute(
                upsert(connection)(agency_contacts)
                .values(agency=agency, intake_email=address, updated_at=datetime.now(UTC))
                .on_conflict_do_update(
                    index_elements=["agency"], set_={"intake_email": address, "updated_at": datetime.now(UTC)}
                )
            )

    def clear_email(self, agency: str) -> None:
        check_agency(agency)
        with self.db.write() as connection:
            cleared = connection.execute(delete(agency_contacts).where(agency_contacts.c.agency == agency))
        if cleared.rowcount != 1:
            raise NotFoundError(f"agency {agency!r} has no intake address")

    def emails(self) -> dict[str, str]:
        with self.db.read() as connection:
            rows = connection.execute(select(agency_contacts.c.agency, agency_contacts.c.intake_email))
            return {row.agency: row.intake_email for row in rows}


def active_targets(connection: Any) -> dict[str, list[tuple[str, str]]]:
    """Each agency's (channel, target) pairs now: its active webhooks by id, and email when it has an address."""
    found: dict[str, list[tuple[str, str]]] = {}
    for row in connection.execute(
        select(webhooks.c.agency, webhooks.c.id).where(webhooks.c.revoked_at.is_(None)).order_by(webhooks.c.id)
    ):
        found.setdefault(row.agency, []).append(("webhook", row.id))
    for agency in connection.execute(select(agency_contacts.c.agency)).scalars():
        found.setdefault(agency, []).append(("email", agency))
    return found
