"""A catch-up (read models or audit chain) asked to stop ends after the page it is on, with that page's
position committed, so a process stopped by SIGTERM goes on from a page boundary next time."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from uuid import UUID

from sqlalchemy import select

from projections.audit_chain import AuditChain
from projections.runner import CatchUp, Projector
from projections.tables import audit_chain, projection_positions
from tests.projection_support import read_models

EVENTS = [
    SimpleNamespace(id=n, originator_id=UUID(int=n), originator_version=1, topic="t", state=b"s") for n in range(1, 8)
]


def _log() -> SimpleNamespace:
    def select_notifications(start: int, limit: int, inclusive_of_start: bool) -> list[SimpleNamespace]:
        return [event for event in EVENTS if event.id > start][:limit]

    return SimpleNamespace(
        recorder=SimpleNamespace(select_notifications=select_notifications),
        mapper=SimpleNamespace(to_domain_event=lambda stored: stored.id),
    )


class Pages(Projector):
    """Records the positions of each page it is given; sets `stopping` while applying page `stop_during`."""

    def __init__(self, stopping: threading.Event, stop_during: int) -> None:
        super().__init__("pages", [])
        self.stopping, self.stop_during = stopping, stop_during
        self.pages: list[list[int]] = []

    def apply_page(self, connection, page) -> None:
        self.pages.append([position for position, _ in page])
        if len(self.pages) == self.stop_during:
            self.stopping.set()  # SIGTERM arrives while this page is being applied


def test_a_catch_up_stopped_during_a_page_commits_it_and_stops(tmp_path):
    db = read_models(tmp_path)
    stopping = threading.Event()
    pages = Pages(stopping, stop_during=2)
    catch_up = CatchUp(_log(), db, [pages], page_size=3)
    try:
        assert catch_up.run(stopping=stopping) == 6
        assert pages.pages == [[1, 2, 3], [4, 5, 6]]
        assert catch_up.positions() == {"pages": 6}

        stopping.clear()
        assert catch_up.run(stopping=stopping) == 1  # the next run goes on from there
        assert pages.pages == [[1, 2, 3], [4, 5, 6], [7]]
        assert catch_up.positions() == {"pages": 7}
    finally:
        db.dispose()


def test_the_audit_chain_stops_after_its_page_too(tmp_path):
    db = read_models(tmp_path)
    chain = AuditChain(_log(), db, page_size=3)
    stopping = threading.Event()
    stopping.set()
    try:
        assert chain.run(stopping=stopping) == 3
        assert _chained(db) == ([1, 2, 3], 3)
        assert chain.run() == 4
        assert _chained(db) == ([1, 2, 3, 4, 5, 6, 7], 7)
    finally:
        db.dispose()


def _chained(db) -> tuple[list[int], int]:
    with db.read() as connection:
        positions = list(connection.execute(select(audit_chain.c.position).order_by(audit_chain.c.position)).scalars())
        at = connection.execute(
            select(projection_positions.c.position).where(projection_positions.c.name == "audit_chain")
        ).scalar_one()
    return positions, at
