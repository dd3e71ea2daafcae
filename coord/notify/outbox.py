"""The outbox projector: follows the log and, in the same transaction as its position, writes one notification
row per (handoff event, recipient agency, channel and target).

It runs in one catch-up with the list projector, after it, so the handoff and service rows it reads are those of
the same page. Row ids are deterministic (`<position>-<agency>-webhook-<id>` or `<position>-<agency>-email`) and
inserted with ON CONFLICT DO NOTHING: a page read again after a crash adds nothing twice. Unlike a read model it
is never rebuilt (that would notify again): it only goes forward, and it tells only the targets set when it
reads an event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from coord.notify.payload import event_name, payload, recipients
from coord.notify.targets import active_targets
from coord.tables import notifications
from projections.db import upsert
from projections.runner import Positioned, Projector
from projections.tables import handoffs, services

log = logging.getLogger("coord.notify")

#: The outbox's position in `projection_positions` (migration 0011 starts it at the head of an existing log).
OUTBOX = "outbox"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def notification_id(position: int, agency: str, channel: str, target: str) -> str:
    return f"{position}-{agency}-{channel}" + (f"-{target}" if channel == "webhook" else "")


class OutboxProjector(Projector):
    def __init__(self, public_url: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__(OUTBOX, (notifications,))
        self.public_url, self.clock = public_url, clock

    def apply_page(self, connection: Connection, page: Sequence[Positioned]) -> None:
        told = [(position, event, name) for position, event in page if (name := event_name(event))]
        targets = active_targets(connection) if told else {}
        if not targets:
            return
        handoff = _rows(connection, handoffs, {event.originator_id.hex for _, event, _ in told})
        service_ids = {row[side] for row in handoff.values() for side in ("from_service_id", "to_service_id")}
        service = _rows(connection, services, service_ids - {None})
        now = self.clock()
        rows = []
        for position, event, name in told:
            facts = handoff.get(event.originator_id.hex)
            if facts is None:  # cannot happen while the lists run first in the same transaction
                log.warning("no handoff row for the event at position %d; nobody told", position)
                continue
            body = payload(event, name, facts, service, self.public_url)
            for agency in recipients(name, facts, service):
                for channel, target in targets.get(agency, ()):
                    row_id = notification_id(position, agency, channel, target)
                    rows.append(_pending(row_id, position, agency, channel, target, {"event_id": row_id, **body}, now))
        if rows:
            connection.execute(upsert(connection)(notifications).on_conflict_do_nothing(index_elements=["id"]), rows)


def _rows(connection: Connection, table: Any, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    return {row.id: dict(row._mapping) for row in connection.execute(select(table).where(table.c.id.in_(ids)))}


def _pending(
    row_id: str, position: int, agency: str, channel: str, target: str, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "id": row_id,
        "position": position,
        "agency": agency,
        "channel": channel,
        "target": target,
        "payload": body,
        "state": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "delivered_at": None,
        "last_error": None,
    }
