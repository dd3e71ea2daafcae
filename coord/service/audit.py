"""The auditors' view of the history: every stored event in log order, with personal data redacted, and
the personal-data access log. Both page by position (`after`), so a reader can walk them end to end.
Verification of both hash chains and the signed heads that anchor them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from coord.config import ConfigError
from coord.service import permissions
from coord.service.anchoring import Anchors, Head
from coord.service.principal import Principal
from coord.wiring import Coord
from events.errors import RuleError
from events.pii import PII, REDACTED
from projections.audit_chain import GENESIS

#: Carried by every event; listed as columns of their own rather than in `data`.
ENVELOPE = ("originator_id", "originator_version", "originator_topic", "timestamp", "effective_on", "actor", "agency")


def events_page(coord: Coord, who: Principal, *, after: int = 0, limit: int = 100) -> dict[str, Any]:
    permissions.require(who, permissions.READ_AUDIT)
    app = coord.service
    notifications = app.recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False)
    items = []
    for notification in notifications:
        event = app.mapper.to_domain_event(notification)
        items.append(
            {
                "position": notification.id,
                "recorded_at": event.timestamp.isoformat(),
                "type": type(event).__qualname__,
                "aggregate_id": str(event.originator_id),
                "version": event.originator_version,
                "effective_on": event.effective_on.isoformat(),
                "actor": event.actor,
                "agency": event.agency,
                "data": {name: _plain(value) for name, value in vars(event).items() if name not in ENVELOPE},
            }
        )
    full = len(notifications) == limit
    return {"items": items, "next_after": notifications[-1].id if full else None}


def access_page(
    coord: Coord, who: Principal, *, after: int = 0, limit: int = 100, person_id: UUID | None = None
) -> dict[str, Any]:
    permissions.require(who, permissions.READ_AUDIT)
    rows = coord.service.access.page(after=after, limit=limit, person_id=person_id)
    items = [
        {
            "id": row["id"],
            "at": row["at"].isoformat(),
            "actor": row["actor"],
            "role": row["role"],
            "agency": row["agency"],
            "person_id": str(UUID(row["person_id"])),
            "fields": row["fields"].split(",") if row["fields"] else [],
            "purpose": row["purpose"],
        }
        for row in rows
    ]
    return {"items": items, "next_after": items[-1]["id"] if len(items) == limit else None}


def verify(coord: Coord, who: Principal, against: Any = None, incremental: bool = False) -> dict[str, Any]:
    """Recompute both hash chains from the raw stored events and access-log entries, then check every signed
    head kept in the database and the head `against` (as `coord checkpoint` printed it, kept elsewhere) with
    the public key: ok, or the first thing tampered with; and how far the log is anchored by a signed head.

    `incremental`: only what was recorded after the latest signed head in the database, recomputed from the
    hashes that head signs (its signature is checked); what came before it is left to the full verification."""
    permissions.require(who, permissions.READ_AUDIT)
    heads = _anchors(coord).stored()
    external = Head.from_json(against) if against is not None else None
    since = heads[-1] if incremental and heads else None
    if since is not None:
        heads = [since]
        if external is not None and external.position < since.position:
            raise RuleError(
                f"the head at position {external.position} comes before the latest signed head in the database "
                f"(position {since.position}): check it with the full verification"
            )
    every = heads + ([external] if external else [])
    events = coord.service.audit_chain.verify(
        anchors=[head.position for head in every], start=(since.position, since.hash) if since else (0, GENESIS)
    )
    access = coord.service.access.verify(
        anchors=[head.access_id for head in every if head.access_id],
        start=(since.access_id, since.access_hash) if since and since.access_id else (0, GENESIS),
    )
    key = coord.config.audit_public_key
    problem = position = entry = None
    if not events.ok:
        problem, position = events.problem, events.position
    elif not access.ok:
        problem, entry = access.problem, access.entry_id
    else:
        for head in [external, *reversed(heads)] if external else reversed(heads):
            if (problem := head.problem(key, events, access)) is not None:
                position = head.position
                break
    ok = problem is None
    return {
        "ok": ok,
        "checked": events.checked,
        "chained_to": events.chained_to,
        "last_position": events.last_position,
        "position": position,
        "problem": problem,
        "checkpoints": len(heads) if ok else 0,
        "anchored_to": max((head.position for head in every), default=0) if ok else 0,
        "against": external.position if external else None,
        "access_checked": access.checked,
        "access_last_id": access.last_id,
        "access_anchored_to": max((head.access_id or 0 for head in every), default=0) if ok else 0,
        "entry": entry,
        "since": since.position if since else 0,
    }


def checkpoint(coord: Coord) -> dict[str, Any]:
    """Sign the audit's head with COORD_AUDIT_SIGNING_KEY: the JSON the operator keeps elsewhere."""
    key = coord.config.audit_signing_key
    if key is None:
        raise ConfigError("COORD_AUDIT_SIGNING_KEY or COORD_AUDIT_SIGNING_KEY_FILE is needed to sign heads")
    return _anchors(coord).checkpoint(key).to_json()


def latest_checkpoint(coord: Coord, who: Principal) -> dict[str, Any]:
    permissions.require(who, permissions.READ_AUDIT)
    return _anchors(coord).latest().to_json()


def _anchors(coord: Coord) -> Anchors:
    return Anchors(coord.db, coord.service.audit_chain, coord.service.access)


def _plain(value: Any) -> Any:
    """An event's value as JSON has it; personal data is always shown redacted here."""
    if isinstance(value, PII):
        return REDACTED
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value
