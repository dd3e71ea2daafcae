"""A per-client-address limit of requests per minute, in this process's memory: a fixed window per address,
so a client over the limit learns when its window ends (Retry-After)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

WINDOW_SECONDS = 60.0
#: Addresses remembered at most: past it, windows that have ended are forgotten first, then the oldest.
MAX_CLIENTS = 100_000


class RateLimit:
    def __init__(self, per_window: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_window = per_window
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """Counts one request of `client`: None when it is within the limit, else the whole seconds until its
        window ends."""
        now = self.clock()
        with self._lock:
            start, count = self._windows.get(client, (now, 0))
            if now - start >= WINDOW_SECONDS:
                start, count = now, 0
            if count >= self.per_window:
                return max(1, math.ceil(start + WINDOW_SECONDS - now))
            if client not in self._windows and len(self._windows) >= MAX_CLIENTS:
                self._forget(now)
            self._windows[client] = (start, count + 1)
            return None

    def _forget(self, now: float) -> None:
        self._windows = {c: w for c, w in self._windows.items() if now - w[0] < WINDOW_SECONDS}
        while len(self._windows) >= MAX_CLIENTS:
            del self._windows[next(iter(self._windows))]
