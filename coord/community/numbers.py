"""The page's numbers, computed at most once per COORD_PUBLIC_CACHE_SECONDS in this process: every visitor of
that time reads the same numbers, and a flood of visits costs one computation."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from coord.wiring import Coord
from events.dates import today
from projections.reports.community import community


class CachedNumbers:
    def __init__(self, coord: Coord, clock: Callable[[], float] = time.monotonic) -> None:
        self.coord = coord
        self.clock = clock
        self._numbers: dict[str, Any] | None = None
        self._computed_at = 0.0
        self._lock = threading.Lock()

    @property
    def max_age(self) -> int:
        return self.coord.config.public_cache_seconds

    def get(self) -> dict[str, Any]:
        """The numbers, computed again when older than the cache time (one thread computes; the others wait
        for it rather than compute too)."""
        with self._lock:
            if self._numbers is None or self.clock() - self._computed_at >= self.max_age:
                self._numbers = self._compute()
                self._computed_at = self.clock()
            return self._numbers

    def _compute(self) -> dict[str, Any]:
        config = self.coord.config
        on = today()
        with self.coord.db.read() as connection:
            sections = community(
                connection, sections=config.public_sections, on=on, suppress_below=config.suppress_below
            )
        return {"as_of": on, "suppress_below": config.suppress_below, "sections": sections}
