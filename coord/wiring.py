"""Builds the one set of per-process objects from configuration (used by the app factory and the CLI)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from coord.config import Config
from coord.idempotency import IdempotencyStore
from coord.live import Changes
from coord.migrate import upgrade
from coord.service.application import CoordApplication
from coord.tokens import TokenStore
from projections.db import Database

#: How long closing waits for each background thread (a projector finishing its page).
CLOSE_WAIT_SECONDS = 10.0


@dataclass
class Coord:
    config: Config
    db: Database
    service: CoordApplication
    tokens: TokenStore
    idempotency: IdempotencyStore
    #: Open event streams each hold a server thread; half the threads may stream, the rest answer requests.
    streams: threading.BoundedSemaphore
    #: Moves whenever the read models behind the live counts may have changed.
    changes: Changes = field(default_factory=Changes)
    #: Set when the process shuts down: background threads stop (a projector after the page it is on).
    stopping: threading.Event = field(default_factory=threading.Event)
    #: The background threads of this process, given a moment to stop at close.
    threads: list[threading.Thread] = field(default_factory=list)

    def close(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=CLOSE_WAIT_SECONDS)
        self.service.close()
        self.db.dispose()


def open_coord(config: Config) -> Coord:
    """Migrate (idempotent and fast when current), then build the application on the store."""
    db = Database(config.database_url)
    upgrade(db)
    service = CoordApplication(config.database_url, config.master_key, config.previous_master_keys, db)
    return Coord(
        config=config,
        db=db,
        service=service,
        tokens=TokenStore(db),
        idempotency=service.idempotency,
        streams=threading.BoundedSemaphore(max(1, config.threads // 2)),
    )
