"""Changing one record: read it, run the command, save; a save that loses an optimistic-concurrency race is
retried against the fresh record, unless the caller pinned the version with If-Match (412 then)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from coord.errors import ConflictError, PreconditionFailedError
from coord.service.reads import Reads
from events.recorders import RowWriter

A = TypeVar("A", bound=Aggregate)

WRITE_ATTEMPTS = 8


class Writes(Reads):
    def _update(
        self,
        cls: type[A],
        aggregate_id: UUID,
        command: Callable[[A], None],
        expected_version: int | None,
        rows: Callable[[A], list[RowWriter]] | None = None,
    ) -> A:
        """`rows` gives the rows to commit with the command's events, from the aggregate it changed."""
        for attempt in range(WRITE_ATTEMPTS):
            # On SQLite the whole read-decide-write runs under the process's write lock, so it never
            # loses a race; on PostgreSQL the lock is a no-op and a lost race is retried.
            with self.db.write_lock:
                aggregate = self._get(cls, aggregate_id)
                if expected_version is not None and aggregate.version != expected_version:
                    raise PreconditionFailedError(
                        f"{cls.__name__.lower()} is at version {aggregate.version}, not {expected_version}"
                    )
                command(aggregate)
                if not aggregate.pending_events:
                    return aggregate  # the command found nothing to change: nothing to write
                try:
                    self._save(aggregate, rows=rows(aggregate) if rows else ())
                except IntegrityError:
                    if expected_version is not None:
                        raise PreconditionFailedError(
                            f"{cls.__name__.lower()} changed while this write was made; read it again"
                        ) from None
                else:
                    return aggregate
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
        raise ConflictError("the record is being changed by others right now; try again")
