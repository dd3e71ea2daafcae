"""The auditors' view of the history: every stored event in log order, with personal data redacted, and
the personal-data access log. Both page by position (`after`), so a reader can walk them end to end."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from coord.config import ConfigError
from coord.service import permissions
from coord.service.principal import Principal
from coord.wiring import Coord
from events.pii import PII, REDACTED

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


def verify(coord: Coord, who: Principal) -> dict[str, Any]:
    """Recompute the hash chain from the raw stored events: ok, or the first position that was tampered with."""
    permissions.require(who, permissions.READ_AUDIT)
    verdict = coord.service.audit_chain.verify(coord.config.audit_signing_key)
    return {
        "ok": verdict.ok,
        "checked": verdict.checked,
        "chained_to": verdict.chained_to,
        "position": verdict.position,
        "problem": verdict.problem,
        "checkpoints": verdict.checkpoints,
        "unchecked_checkpoints": verdict.unchecked_checkpoints,
    }


def checkpoint(coord: Coord) -> dict[str, Any]:
    key = coord.config.audit_signing_key
    if key is None:
        raise ConfigError("COORD_AUDIT_SIGNING_KEY or COORD_AUDIT_SIGNING_KEY_FILE is needed to sign checkpoints")
    return coord.service.audit_chain.checkpoint(key)


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
