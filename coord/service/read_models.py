"""The log as the application service hosts it: the read models that follow it and the audit chain over it.

Every save goes through here and wakes whatever follows the log in this process; every listing first
catches the lists up to the head of the log, so a client reads its own writes (and everyone's committed before
it asked) in listings (docs/design.md "Projection flow").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy.exc
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError

from coord.idempotency import AlreadyAnsweredError, IdempotencyStore, Intent, Outcome, current_intent, record_row
from coord.service.batching import BATCH_EVENTS, Batch, Batches
from events.crypto import MasterKey
from events.recorders import RowWriter
from events.store import EventLog
from projections.audit_chain import AuditChain
from projections.db import Database
from projections.follow import PROJECTED_CHANNEL
from projections.handoff_gaps_projector import handoff_gaps_projector
from projections.list_projector import lists_projector
from projections.outcomes_projector import outcomes_projector
from projections.populations_projector import populations_projector
from projections.runner import CatchUp

log = logging.getLogger(__name__)


class ReadModelHost(EventLog):
    def __init__(
        self, database_url: str, master: MasterKey, previous_masters: Sequence[MasterKey], db: Database
    ) -> None:
        super().__init__(database_url, master, previous_masters)
        self.db = db
        #: The records every write leaves in its own transaction (coord/idempotency.py).
        self.idempotency = IdempotencyStore(db)
        lists = lists_projector()
        #: The lists, caught up by every listing before it reads them (`lists_current`).
        self.lists = CatchUp(self, db, [lists])
        #: Every read model: followed in the background (`coord serve` on SQLite, `coord project`).
        self.projections = CatchUp(
            self,
            db,
            [lists, populations_projector(), handoff_gaps_projector(), outcomes_projector()],
            notify=PROJECTED_CHANNEL,
        )
        #: Tamper evidence over the stored events, extended like a projection but never rebuilt.
        self.audit_chain = AuditChain(self, db)
        #: Bulk loaders turn this off and catch the read models up once at the end.
        self.project_on_write = True
        #: Called after every write, e.g. to wake the projector of this process.
        self.after_write: list[Callable[[], Any]] = []
        self._batches = Batches()

    @contextmanager
    def batch(self, size: int = BATCH_EVENTS) -> Iterator[None]:
        """Within the block, this thread's saves commit together, `size` events a transaction (bulk loads:
        coord/service/batching.py). When the block ends, even by an error, what it saved is committed: each
        save was whole, as it would have been unbatched."""
        if self._batches.open is not None:
            yield  # already batching: the outer block commits
            return
        self._batches.open = Batch(size)
        try:
            yield
        finally:
            try:
                self._flush()
            finally:
                self._batches.open = None

    def _flush(self) -> None:
        batch = self._batches.open
        if batch is None or not batch.stored:
            return
        stored, rows = batch.committed()  # a transaction that fails is not tried again
        try:
            with self.db.write_lock:
                self.recorder.insert_events(stored, rows=rows)
        except BaseException:
            batch.aggregates.clear()  # they hold what was not stored
            raise
        self._after_commit()

    def _save(self, aggregate: Aggregate, rows: Sequence[RowWriter] = ()) -> None:
        """Store the aggregate's new events, `rows` and the write's idempotency record in one transaction.
        What committed decides the outcome: after a failure the record says whether the write landed (a
        lost reply to COMMIT), and nothing after the commit can turn it into a failure."""
        batch = self._batches.open
        if batch is not None:
            # Sealed now, while a new person's data key is at hand; committed with the batch.
            stored = [self.mapper.to_stored_event(event) for event in aggregate.collect_events()]
            if batch.add(aggregate, stored, rows):
                self._flush()
            return
        intent = current_intent()
        record = record_row(intent, type(aggregate).__name__.lower()[:16], aggregate.id.hex, aggregate.version)
        try:
            with self.db.write_lock:
                self.save(aggregate, rows=[*rows, record])
        except (IntegrityError, OperationalError, InterfaceError) as error:
            stored = self._stored(intent, error)
            if stored is None:
                raise  # it did not land: a lost race (retried by the caller), or the store is down
            if (stored.resource_id, stored.version) != (aggregate.id.hex, aggregate.version):
                raise AlreadyAnsweredError(stored) from None
        self._after_commit()

    def _stored(self, intent: Intent, error: Exception) -> Outcome | None:
        try:
            return self.idempotency.stored(intent)
        except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError):
            raise error from None  # whether it landed cannot be told now: the key's retry will tell

    def lists_current(self) -> None:
        """Catch the lists up to the head of the log, if they are behind. Listings call it before they read:
        a write then costs one transaction, and a page of the lists catches up the writes made since the last
        listing (or the projector) all at once."""
        self._flush()  # a bulk load's saves so far, so that the lists can hold them
        if self.lists.lag():
            self.lists.run()

    def _after_commit(self) -> None:
        """Wake this process's followers: the write stands whatever happens here."""
        if not self.project_on_write:
            return
        for step in (self.idempotency.prune, *self.after_write):
            try:
                step()
            except Exception as error:  # nothing after the commit may fail the write
                log.warning("after a write, %s failed (%s); the read models catch up later", step, type(error).__name__)

    def project(self, stopping: threading.Event | None = None) -> int:
        """Catch every read model and the audit chain up with the log; returns the events read. Once
        `stopping` is set, each stops after the page it is on."""
        return self.projections.run(stopping=stopping) + self.audit_chain.run(stopping=stopping)
