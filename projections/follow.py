"""Following the log: catch the read models up whenever woken, and at least every few seconds.

Wake-ups come from the writers in this process, or on PostgreSQL from the event store's own NOTIFY
(every insert notifies its channel); polling covers writers the wake-ups cannot reach.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import psycopg

log = logging.getLogger("coord.projections")

#: Channel the catch-up notifies on PostgreSQL after committing a page that moved the read models.
PROJECTED_CHANNEL = "coord_projected"


class Follower:
    def __init__(
        self,
        run: Callable[[], int],
        *,
        poll_seconds: float,
        stopping: threading.Event,
        on_applied: Callable[[], None] | None = None,
        settle_seconds: float = 0.0,
    ) -> None:
        """`run` catches up and returns how many events it read. `settle_seconds`: after a wake-up, how long
        to let more writes come before catching up, so that a burst of writes is caught up in one page."""
        self.run, self.poll_seconds, self.on_applied = run, poll_seconds, on_applied
        self.stopping, self.settle_seconds = stopping, settle_seconds
        self._wake = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def follow(self) -> None:
        """Catch up, wait for a wake-up or the poll interval, repeat until stopped."""
        while not self.stopping.is_set():
            self._wake.clear()
            try:
                applied = self.run()
            except Exception:  # the store may be restarting: say so once per failure and try again
                log.exception("projection catch-up failed; retrying")
                self.stopping.wait(self.poll_seconds)
                continue
            if applied and self.on_applied:
                self.on_applied()
            if self._wake.wait(self.poll_seconds) and self.settle_seconds:
                self.stopping.wait(self.settle_seconds)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.follow, name="coord-projector", daemon=True)
        thread.start()
        return thread


def listen(conninfo: str, channel: str, on_notify: Callable[[], None], stopping: threading.Event) -> threading.Thread:
    """Call `on_notify` for every NOTIFY on `channel` (PostgreSQL), reconnecting after failures."""

    def loop() -> None:
        while not stopping.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as connection:
                    connection.execute(f'LISTEN "{channel}"')
                    on_notify()  # anything sent while not listening is caught up now
                    while not stopping.is_set():
                        for _ in connection.notifies(timeout=1.0, stop_after=1):
                            on_notify()
            except psycopg.Error:
                log.warning("lost the PostgreSQL connection listening on %s; reconnecting", channel)
                time.sleep(1.0)

    thread = threading.Thread(target=loop, name=f"coord-listen-{channel}", daemon=True)
    thread.start()
    return thread
