"""Projecting events straight from aggregates into read-model tables, with no event store in between.

Unit and property tests build histories with the domain's own commands, collect the events in log
order and feed them to projectors in pages of any size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from projections.db import Database
from projections.runner import Projector
from projections.tables import metadata


def read_models(tmp_path: Path, name: str = "read-models") -> Database:
    db = Database(f"sqlite:///{tmp_path / name}.db")
    metadata.create_all(db.engine)
    return db


class Log:
    """Events in log order, as the aggregates' commands recorded them."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def record(self, *aggregates: Any) -> None:
        for aggregate in aggregates:
            self.events.extend(aggregate.collect_events())


def project(db: Database, projectors: Sequence[Projector], events: Iterable[Any], page_size: int = 1000) -> None:
    """Apply events in pages, each page in one transaction, positions counting from 1."""
    positioned = list(enumerate(events, start=1))
    for start in range(0, len(positioned), page_size):
        with db.write() as connection:
            for projector in projectors:
                projector.apply_page(connection, positioned[start : start + page_size])


@contextmanager
def projected(url: str, projectors: Sequence[Projector], events: Iterable[Any]) -> Iterator[Database]:
    """The read models at `url` (created), with `events` projected into them."""
    database = Database(url)
    try:
        metadata.create_all(database.engine)
        project(database, projectors, events)
        yield database
    finally:
        database.dispose()


def dump(db: Database, projectors: Sequence[Projector]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the projectors' tables, sorted: two equal dumps mean equal read models."""
    with db.read() as connection:
        return {
            table.name: sorted(tuple(row) for row in connection.execute(select(table)))
            for projector in projectors
            for table in projector.tables
        }
