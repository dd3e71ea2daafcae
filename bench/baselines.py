"""The raw database baselines, measured in the same database as coord and in the same run: ~300-byte rows
inserted one per transaction and 100 per transaction into a table of their own, and the event table read
in pages of 1,000 ordered by position (as the projector reads it), through the same SQLAlchemy engine."""

from __future__ import annotations

import os
import threading
import time

from sqlalchemy import text

from coord.wiring import Coord

ROW_BYTES = 300
BATCH = 100
PAGE = 1000


def _table(coord: Coord, name: str) -> None:
    with coord.db.write() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {name}"))
        connection.execute(text(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))


def insert_one_per_transaction(coord: Coord, rows: int) -> float:
    """Rows per second, each its own transaction (and commit)."""
    _table(coord, "bench_raw_single")
    body = os.urandom(ROW_BYTES // 2).hex()
    started = time.perf_counter()
    for i in range(rows):
        with coord.db.write() as connection:
            connection.execute(text("INSERT INTO bench_raw_single (id, body) VALUES (:i, :b)"), {"i": i, "b": body})
    return rows / (time.perf_counter() - started)


def insert_under_table_lock(coord: Coord, rows_each: int, clients: int = 8) -> tuple[float, float, float]:
    """PostgreSQL: (rows/s, p50 ms, p99 ms) of `clients` connections at once, each inserting rows one per
    transaction after `LOCK TABLE ... IN EXCLUSIVE MODE`, as the event-sourcing library's recorder does before
    every insert of events (so that positions are in commit order): concurrent writes through the library
    commit one at a time, and this is their ceiling."""
    _table(coord, "bench_raw_locked")
    body = os.urandom(ROW_BYTES // 2).hex()
    latencies: list[float] = []
    start = threading.Barrier(clients)

    def client(number: int) -> None:
        start.wait()
        for i in range(number * rows_each, (number + 1) * rows_each):
            begun = time.perf_counter()
            with coord.db.write() as connection:
                connection.execute(text("LOCK TABLE bench_raw_locked IN EXCLUSIVE MODE"))
                connection.execute(text("INSERT INTO bench_raw_locked (id, body) VALUES (:i, :b)"), {"i": i, "b": body})
            latencies.append(time.perf_counter() - begun)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate = len(latencies) / (time.perf_counter() - started)
    latencies.sort()
    return rate, latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.99)] * 1000


def insert_batches(coord: Coord, rows: int, batch: int = BATCH) -> float:
    """Rows per second, `batch` rows per transaction."""
    _table(coord, "bench_raw_batch")
    body = os.urandom(ROW_BYTES // 2).hex()
    started = time.perf_counter()
    for first in range(0, rows, batch):
        with coord.db.write() as connection:
            connection.execute(
                text("INSERT INTO bench_raw_batch (id, body) VALUES (:i, :b)"),
                [{"i": i, "b": body} for i in range(first, min(first + batch, rows))],
            )
    return rows / (time.perf_counter() - started)


def read_log(coord: Coord) -> tuple[int, float]:
    """(rows, rows per second): every stored event, fetched in pages of PAGE by position."""
    table = coord.service.recorder.events_table_name
    position = "rowid" if coord.db.is_sqlite else "notification_id"  # the library's position column
    query = text(
        f"SELECT {position}, originator_id, originator_version, topic, state FROM {table}"
        f" WHERE {position} > :after ORDER BY {position} LIMIT :limit"
    )
    started, after, count = time.perf_counter(), 0, 0
    with coord.db.read() as connection:
        while rows := connection.execute(query, {"after": after, "limit": PAGE}).all():
            count, after = count + len(rows), rows[-1][0]
    return count, count / (time.perf_counter() - started)


def read_and_decode(coord: Coord) -> tuple[int, float]:
    """(events, events per second): the library's page reads and its mapper's decoding into domain events,
    the part of a rebuild before any read model is written."""
    app, started, position, count = coord.service, time.perf_counter(), 0, 0
    while page := app.recorder.select_notifications(start=position, limit=PAGE, inclusive_of_start=False):
        for notification in page:
            app.mapper.to_domain_event(notification)
        count, position = count + len(page), page[-1].id
    return count, count / (time.perf_counter() - started)
