"""Where an agency is told: its webhooks (URL and signing secret) and its intake email address, set by an admin.

A webhook's secret is made here, shown once, and stored only wrapped by the master key, so a copy of the
database does not let anyone sign as coord. A secret wrapped by a previous master key (during `coord keys
rotate`) is re-wrapped under the current one the first time it is read.
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

from coord.tables import agency_contacts, tokens, webhooks
from events.agencies import check_agency
from events.crypto import MasterKey
from events.errors import NotFoundError, RuleError
from events.keystore import UnknownMasterKeyError
from projections.db import Database, upsert
from projections.tables import services

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


def _owner(webhook_id: str) -> bytes:
    return f"webhook:{webhook_id}".encode()


class Targets:
    def __init__(self, db: Database, master: MasterKey, previous: Sequence[MasterKey] = ()) -> None:
        self.db, self.master = db, master
        self._masters = {key.key_id: key for key in (*previous, master)}

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
        with self.db.write() as connection:
            connection.execute(
                insert(webhooks).values(
                    id=webhook_id,
                    agency=agency,
                    url=url,
                    wrapped_secret=self.master.wrap(secret.encode(), _owner(webhook_id)),
                    master_key_id=self.master.key_id,
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
        master = self._masters.get(row.master_key_id)
        if master is None:
            raise UnknownMasterKeyError(f"webhook {webhook_id}'s secret is wrapped by a master key not given")
        secret = master.unwrap(row.wrapped_secret, _owner(webhook_id))
        if master is not self.master:
            self._rewrap(webhook_id, secret)
        fields = {name: row._mapping[name] for name in ("id", "agency", "url", "created_at", "revoked_at")}
        return Webhook(**fields), secret.decode()

    def _rewrap(self, webhook_id: str, secret: bytes) -> None:
        with self.db.write() as connection:
            connection.execute(
                update(webhooks)
                .where(webhooks.c.id == webhook_id)
                .values(wrapped_secret=self.master.wrap(secret, _owner(webhook_id)), master_key_id=self.master.key_id)
            )

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
