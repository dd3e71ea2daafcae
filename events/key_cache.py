"""The keystore's memory: opened data keys, kept a few seconds so a page of events does not read each key
again; an erased person's key is cached as None."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from uuid import UUID

#: How long an opened data key is kept in memory. Erasure in this process takes effect at once; in
#: another process of a scaled-out deployment, within this many seconds.
KEY_CACHE_SECONDS = 5.0
KEY_CACHE_SIZE = 10_000


class KeyCache:
    def __init__(self) -> None:
        self._items: OrderedDict[UUID, tuple[float, bytes | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, person_id: UUID) -> tuple[bool, bytes | None]:
        with self._lock:
            item = self._items.get(person_id)
            if item is None or item[0] < time.monotonic():
                return False, None
            self._items.move_to_end(person_id)
            return True, item[1]

    def put(self, person_id: UUID, key: bytes | None) -> None:
        with self._lock:
            self._items[person_id] = (time.monotonic() + KEY_CACHE_SECONDS, key)
            self._items.move_to_end(person_id)
            while len(self._items) > KEY_CACHE_SIZE:
                self._items.popitem(last=False)

    def drop(self, person_id: UUID) -> None:
        with self._lock:
            self._items.pop(person_id, None)
