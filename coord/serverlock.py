"""A lock file in the data dir: held (shared) by `coord serve`, taken (exclusive) by `coord keys rotate`,
so the embedded key file is never swapped under a running server that still holds the old key."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "coord.lock"


class ServerRunningError(Exception):
    """`coord serve` is running on this data dir."""


@contextmanager
def hold(data_dir: Path, *, exclusive: bool) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_NAME, "a") as handle:
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServerRunningError(
                "coord serve is running on this data dir: stop it before rotating the key, then start it again"
            ) from None
        yield
