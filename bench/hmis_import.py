"""HMIS import rate against the raw database baseline, measured in the same run (target: docs/design.md,
"Performance targets": bulk import >= 50% of the raw 100-rows-per-transaction rate).

Baseline: ~300-byte rows, 100 per transaction, into a table of the same database (bench/baselines.py).
coord: `import_export` of an export (the sample ../shared/data/hmis/fy2024, or `--export PATH`) into an empty
store, read models caught up at the end included; the rate counts the events appended. The other figures,
the demo's bulk load among them, are measured by bench/run.py (docs/performance.md).

    .venv/bin/python bench/hmis_import.py [--export PATH] [--url postgresql://...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from baselines import insert_batches
from stores import Store, store

from coord.hmis.export import read_export
from coord.hmis.importer import JOB, import_export
from coord.service.principal import Principal

SAMPLE = Path(__file__).parents[1] / ".." / "shared" / "data" / "hmis" / "fy2024"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", type=Path, default=SAMPLE, help="an HMIS export (default: the FY2024 sample)")
    parser.add_argument("--url", help="a PostgreSQL server to create a throwaway database on (default: SQLite)")
    args = parser.parse_args()
    with store("postgresql" if args.url else "sqlite", args.url) as where:
        events, elapsed, raw = _measure(where, args.export)
    rate = events / elapsed
    print(f"store: {where.name}  export: {args.export.name}  events: {events}")
    print(f"raw 100-rows-per-transaction: {raw:8.0f} rows/s")
    print(f"HMIS import:                  {rate:8.0f} events/s  ratio {rate / raw:.2f} (target >= 0.50)")


def _measure(where: Store, export_path: Path) -> tuple[int, float, float]:
    """(events appended, seconds, raw rows per second)"""
    coord = where.open()
    try:
        export = read_export(export_path)
        started = time.perf_counter()
        summary = import_export(coord.service, Principal.system(JOB), export, inactive_days=90)
        elapsed = time.perf_counter() - started
        events = sum(summary.events.values())
        raw = insert_batches(coord, max(events, 10_000))
    finally:
        coord.close()
    return events, elapsed, raw


if __name__ == "__main__":
    main()
