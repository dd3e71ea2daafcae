"""The deliverer: sends the outbox's due rows, each at least once, retrying with exponential backoff.

A row is claimed before it is sent, by a conditional update that counts the attempt and leases the row (its
`next_attempt_at` moves past the send's timeout), so two notifiers never send one row at once and a notifier
killed mid-send leaves the row to be sent again, with the same event id, when the lease ends. A row is marked
delivered only after a 2xx (or the SMTP server's acceptance); after the configured attempts it is `failed`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update

from coord.notify.channels import Channels, DeliveryError, Undeliverable
from coord.notify.outbox import DELIVERED, FAILED, PENDING
from coord.tables import notifications
from projections.db import Database

log = logging.getLogger("coord.notify")

#: The longest wait between two attempts.
MAX_BACKOFF_SECONDS = 3600.0
BATCH = 100


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2 x base, 4 x base, ... at most an hour."""
    return timedelta(seconds=min(base_seconds * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS))


class Deliverer:
    def __init__(
        self,
        db: Database,
        channels: Channels,
        *,
        attempts: int,
        backoff_seconds: float,
        lease_seconds: float,
        stopping: threading.Event,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db, self.channels, self.clock, self.stopping = db, channels, clock, stopping
        self.attempts, self.backoff_seconds, self.lease = attempts, backoff_seconds, timedelta(seconds=lease_seconds)

    def run(self) -> int:
        """One pass over the rows due now, in log order, each tried once; returns how many were delivered.
        Stops between two rows when the process is stopping."""
        delivered, after = 0, None
        while not self.stopping.is_set():
            due = self._due(after)
            for row in due:
                if self.stopping.is_set():
                    break
                delivered += self._attempt(row)
            if len(due) < BATCH:
                break
            after = (due[-1].position, due[-1].id)
        return delivered

    def _due(self, after: tuple[int, str] | None) -> list[Any]:
        query = (
            select(notifications)
            .where(notifications.c.state == PENDING)
            .where(notifications.c.next_attempt_at <= self.clock())
            .order_by(notifications.c.position, notifications.c.id)
            .limit(BATCH)
        )
        if after is not None:
            position, row_id = after
            query = query.where(
                or_(
                    notifications.c.position > position,
                    and_(notifications.c.position == position, notifications.c.id > row_id),
                )
            )
        with self.db.read() as connection:
            return list(connection.execute(query))

    def _attempt(self, row: Any) -> int:
        attempt = row.attempts + 1
        if not self._claim(row, attempt):
            return 0  # another notifier has it
        try:
            self.channels.send(row.channel, row.target, row.payload, self.clock())
        except Undeliverable as error:
            self._settle(row.id, attempt, state=FAILED, last_error=error.code)
            log.warning("notification %s given up: %s", row.id, error.code)
            return 0
        except DeliveryError as error:
            self._failed(row.id, attempt, error.code)
            return 0
        except Exception as error:  # a fault of this process must not stop the others' deliveries
            log.exception("notification %s: unexpected %s", row.id, type(error).__name__)
            self._failed(row.id, attempt, type(error).__name__)
            return 0
        with self.db.write() as connection:
            connection.execute(
                update(notifications)
                .where(notifications.c.id == row.id)
                .where(notifications.c.state == PENDING)
                .values(state=DELIVERED, delivered_at=self.clock(), last_error=None)
            )
        return 1

    def _claim(self, row: Any, attempt: int) -> bool:
        now = self.clock()
        with self.db.write() as connection:
            claimed = connection.execute(
                update(notifications)
                .where(notifications.c.id == row.id)
                .where(notifications.c.state == PENDING)
                .where(notifications.c.attempts == row.attempts)
                .values(attempts=attempt, next_attempt_at=now + self.lease)
            )
        return claimed.rowcount == 1

    def _failed(self, row_id: str, attempt: int, code: str) -> None:
        if attempt >= self.attempts:
            self._settle(row_id, attempt, state=FAILED, last_error=code)
            log.warning("notification %s failed (%s) after %d attempts; given up", row_id, code, attempt)
        else:
            wait = backoff(attempt, self.backoff_seconds).total_seconds()
            self._settle(row_id, attempt, next_attempt_at=self.clock() + timedelta(seconds=wait), last_error=code)
            log.info("notification %s: attempt %d failed (%s); next in %gs", row_id, attempt, code, wait)

    def _settle(self, row_id: str, attempt: int, **values: Any) -> None:
        """Record a failed attempt, unless the lease ended meanwhile and another notifier took the row."""
        with self.db.write() as connection:
            connection.execute(
                update(notifications)
                .where(notifications.c.id == row_id)
                .where(notifications.c.state == PENDING)
                .where(notifications.c.attempts == attempt)
                .values(**values)
            )


def lease_seconds(timeout_seconds: float) -> float:
    """How long a claimed row is left to its sender: a webhook POST or an SMTP conversation is several reads
    and writes, each within the timeout."""
    return 3 * timeout_seconds
