"""The log as the application service hosts it: the read models that follow it and the audit chain over it.

Every save goes through here, so each write catches the lists up (a client reads its own writes in
listings) and wakes whatever follows the log in this process (docs/design.md "Projection flow").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.domain import Aggregate

from events.crypto import MasterKey
from events.store import EventLog
from projections.audit_chain import AuditChain
from projections.db import Database
from projections.follow import PROJECTED_CHANNEL
from projections.handoff_gaps_projector import handoff_gaps_projector
from projections.list_projector import lists_projector
from projections.populations_projector import populations_projector
from projections.runner import CatchUp


class ReadModelHost(EventLog):
    def __init__(
        self, database_url: str, master: MasterKey, previous_masters: Sequence[MasterKey], db: Database
    ) -> None:
        super().__init__(database_url, master, previous_masters)
        self.db = db
        lists = lists_projector()
        #: The lists are caught up within each write, so a client reads its own writes in listings.
        self.lists = CatchUp(self, db, [lists])
        #: Every read model: followed in the background (`coord serve` on SQLite, `coord project`).
        self.projections = CatchUp(
            self, db, [lists, populations_projector(), handoff_gaps_projector()], notify=PROJECTED_CHANNEL
        )
        #: Tamper evidence over the stored events, extended like a projection but never rebuilt.
        self.audit_chain = AuditChain(self, db)
        #: Bulk loaders turn this off and catch the read models up once at the end.
        self.project_on_write = True
        #: Called after every write, e.g. to wake the projector of this process.
        self.after_write: list[Callable[[], Any]] = []

    def _save(self, *aggregates: Aggregate) -> None:
        with self.db.write_lock:
            self.save(*aggregates)
        if self.project_on_write:
            self.lists.run()
            for hook in self.after_write:
                hook()

    def project(self) -> int:
        """Catch every read model and the audit chain up with the log; returns the events read."""
        return self.projections.run() + self.audit_chain.run()
