"""HMIS import rate against the raw database baseline, measured in the same run (target: docs/design.md,
"Performance targets": bulk import >= 50% of the raw 100-rows-per-transaction rate).

Baseline: 400-byte rows, 100 per transaction, into a fresh table of the same database. coord: `import_export`
of an export (the sample ../shared/data/hmis/fy2024, or `--export PATH`) into an empty store, read models
caught up at the end included; the rate counts the events appended.

    .venv/bin/python bench/hmis_import.py [--export PATH] [--url postgresql://...]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench_store import open_store
from sqlalchemy import text

from coord.hmis.export import read_export
from coord.hmis.importer import JOB, import_export
from coord.service.principal import Principal

SAMPLE = Path(__file__).parents[1] / ".." / "shared" / "data" / "hmis" / "fy2024"


def raw_rate(coord, rows: int, batch: int = 100) -> float:
    payload = os.urandom(200).hex()
    with coord.db.write() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bench_raw_batch (id INTEGER PRIMARY KEY, body TEXT)"))
    started = time.perf_counter()
    for first in range(0, rows, batch):
        with coord.db.write() as connection:
            connection.execute(
                text("INSERT INTO bench_raw_batch (id, body) VALUES (:i, :b)"),
                [{"i": i, "b": payload} for i in range(first, min(first + batch, rows))],
            )
    return rows / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", type=Path, default=SAMPLE, help="an HMIS export (default: the FY2024 sample)")
    parser.add_argument("--url", help="a PostgreSQL URL of an empty database to use (default: a fresh SQLite file)")
    args = parser.parse_args()
    coord = open_store(args.url)
    try:
        export = read_export(args.export)
        started = time.perf_counter()
        summary = import_export(coord.service, Principal.system(JOB), export, inactive_days=90)
        elapsed = time.perf_counter() - started
        events = sum(summary.events.values())
        raw = raw_rate(coord, max(events, 10_000))
    finally:
        coord.close()
    rate = events / elapsed
    print(f"store: {'postgresql' if args.url else 'sqlite'}  export: {args.export.name}  events: {events}")
    print(f"raw 100-rows-per-transaction: {raw:8.0f} rows/s")
    print(f"HMIS import:                  {rate:8.0f} events/s  ratio {rate / raw:.2f} (target >= 0.50)")


if __name__ == "__main__":
    main()
