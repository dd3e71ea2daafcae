"""Bulk loads: the saves of a block are sealed as they are made (while a new person's data key is at hand)
and committed together, a transaction per `size` events, instead of one per save.

Only the thread that opened the block batches; every other thread (a request served meanwhile) saves as
usual. An aggregate saved in the block is read back from the block (also after its transaction, up to a
bound), so a loader's next command on it sees its own changes without reading the log. A block that ends
by an error still commits what it saved (whole saves, as unbatched); a process killed loses the saves not yet
committed, never part of one. A record that another process changes meanwhile makes the
transaction that holds it fail whole (an optimistic-concurrency conflict): a bulk load is for a quiet hour,
and the HMIS import, run again, goes on where it stopped.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from events.recorders import RowWriter

#: Events per transaction of a bulk load.
BATCH_EVENTS = 2000
#: Aggregates a batch keeps at hand across its transactions (memory stays flat however long the load).
KEEP_AGGREGATES = 10_000


@dataclass
class Batch:
    size: int
    stored: list[StoredEvent] = field(default_factory=list)
    rows: list[RowWriter] = field(default_factory=list)
    aggregates: dict[UUID, Aggregate] = field(default_factory=dict)

    def add(self, aggregate: Aggregate, stored: Sequence[StoredEvent], rows: Sequence[RowWriter]) -> bool:
        """Adds a save; returns whether the batch is full."""
        self.stored.extend(stored)
        self.rows.extend(rows)
        self.aggregates[aggregate.id] = aggregate
        return len(self.stored) >= self.size

    def committed(self) -> tuple[list[StoredEvent], list[RowWriter]]:
        """Takes the events and rows to commit. The aggregates stay at hand for the loader's next commands
        (the services every save names, a person written across two transactions), up to a bound."""
        taken = self.stored, self.rows
        self.stored, self.rows = [], []
        if len(self.aggregates) > KEEP_AGGREGATES:
            self.aggregates = {}
        return taken


class Batches(threading.local):
    """The batch open in this thread, if any."""

    open: Batch | None = None

    def saved(self, aggregate_id: UUID) -> Any:
        """The aggregate as this thread's batch last saved it, or None."""
        return self.open.aggregates.get(aggregate_id) if self.open is not None else None

    def forget(self, aggregate_id: UUID) -> None:
        if self.open is not None:
            self.open.aggregates.pop(aggregate_id, None)
