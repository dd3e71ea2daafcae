"""Live updates: the projector of a serving process, and the signal that wakes its event streams.

On SQLite the serving process also projects: every write wakes its projector thread, which tells the
streams when the read models moved. On PostgreSQL `coord project` processes project, and each serving
process listens for the NOTIFY they send after every page.
"""

from __future__ import annotations

import threading

from projections.db import libpq_url
from projections.follow import PROJECTED_CHANNEL, Follower, listen

#: How often a projector polls when no wake-up arrives (writers in other processes, missed NOTIFYs).
POLL_SECONDS = {"sqlite": 0.5, "postgres": 5.0}
#: After a write wakes the projector of a SQLite serving process, how long it lets more writes come first.
SETTLE_SECONDS = 0.03


class Changes:
    """A counter of read-model changes that stream threads wait on."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self.generation = 0

    def notify(self) -> None:
        with self._condition:
            self.generation += 1
            self._condition.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Wait until the generation moves past `seen`, or `timeout` seconds; return the generation."""
        with self._condition:
            self._condition.wait_for(lambda: self.generation != seen, timeout)
            return self.generation


def start_live(coord) -> None:
    """Start what a serving process needs so that live counts move within a second of a write."""
    if coord.config.is_postgres:
        url = libpq_url(coord.config.database_url)
        coord.threads.append(listen(url, PROJECTED_CHANNEL, coord.changes.notify, coord.stopping))
        return
    follower = Follower(
        lambda: coord.service.project(coord.stopping),
        poll_seconds=POLL_SECONDS["sqlite"],
        stopping=coord.stopping,
        on_applied=coord.changes.notify,
        # The projector shares the process (and SQLite's one writer) with the requests: a page per burst of
        # writes rather than per write leaves them the time (the live counts still move well within 250 ms).
        settle_seconds=SETTLE_SECONDS,
    )
    coord.service.after_write.append(follower.wake)
    coord.threads.append(follower.start())
