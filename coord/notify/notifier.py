"""The notifier process: catch the outbox up with the log, then deliver what is due; once (`coord notify
--once`) or following the log (`coord notify`), woken by the event store's NOTIFY on PostgreSQL and polling.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from coord.notify.channels import Channels
from coord.notify.deliver import Deliverer, lease_seconds
from coord.notify.outbox import OUTBOX, OutboxProjector
from coord.notify.targets import Targets
from coord.tables import notifications
from coord.wiring import Coord
from projections.list_projector import lists_projector
from projections.runner import CatchUp


class Notifier:
    def __init__(self, coord: Coord, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        config = coord.config
        self.coord = coord
        self.targets = Targets(coord.db, config.master_key, config.previous_master_keys)
        # The lists come first in the same transaction: the outbox reads the handoff and service rows they write.
        self.outbox = CatchUp(coord.service, coord.db, [lists_projector(), OutboxProjector(config.public_url, clock)])
        self.deliverer = Deliverer(
            coord.db,
            Channels(self.targets, config),
            attempts=config.webhook_attempts,
            backoff_seconds=config.webhook_backoff_seconds,
            lease_seconds=lease_seconds(config.webhook_timeout_seconds),
            stopping=coord.stopping,
            clock=clock,
        )

    def run_once(self) -> int:
        """Catch the outbox up, then try every due row once; returns how many were delivered."""
        self.outbox.run()
        return self.deliverer.run()

    def status(self) -> dict[str, Any]:
        """Counts by channel and state, the rows given up, and how far the outbox is behind the log."""
        with self.coord.db.read() as connection:
            counts = connection.execute(
                select(notifications.c.channel, notifications.c.state, func.count())
                .group_by(notifications.c.channel, notifications.c.state)
                .order_by(notifications.c.channel, notifications.c.state)
            ).all()
            failed = connection.execute(
                select(
                    notifications.c.id,
                    notifications.c.agency,
                    notifications.c.channel,
                    notifications.c.attempts,
                    notifications.c.last_error,
                )
                .where(notifications.c.state == "failed")
                .order_by(notifications.c.position.desc())
                .limit(50)
            ).all()
        head = self.coord.service.recorder.max_notification_id() or 0
        behind = max(0, head - self.outbox.positions()[OUTBOX])
        return {"counts": [tuple(row) for row in counts], "failed": [row._mapping for row in failed], "behind": behind}
