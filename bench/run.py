"""The benchmark harness (docs/performance.md): every figure of issue 15 against a raw database baseline
measured in the same run, on SQLite and, when a PostgreSQL URL is given (default: COORD_TEST_POSTGRES_URL),
on a throwaway PostgreSQL database beside it. Prints one table and writes it as JSON.

    .venv/bin/python bench/run.py --quick                      # make bench-quick: a small log, under 2 minutes
    .venv/bin/python bench/run.py --events 100000 --events 1000000   # make bench
    .venv/bin/python bench/run.py --persons 30 --writes 20 --stores sqlite --json /tmp/smoke.json
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import baselines
import log
from figures import record
from groups import measure_served
from stores import store
from table import Run, compare_memory, render, write_json

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
QUICK_EVENTS = 2_500
FULL_EVENTS = (100_000, 1_000_000)


@dataclass(frozen=True)
class Sizes:
    """How much of each measurement a run does (the log's size aside)."""

    raw_single: int = 2_000
    raw_batch: int = 100_000
    writes: int = 1_000  # HTTP writes with one client; twice as many with eight
    sse_writes: int = 200
    samples: int = 100  # GETs of each report
    audit_samples: int = 3


QUICK = Sizes(raw_single=500, raw_batch=20_000, writes=100, sse_writes=20, samples=15, audit_samples=2)


def bench(kind: str, admin_url: str | None, persons: int, sizes: Sizes) -> Run:
    """Every group on one store, with a log of the demo's `persons`."""
    run, m = Run(kind, persons), {}
    with store(kind, admin_url) as where:
        coord = where.open()
        try:
            m["single"] = baselines.insert_one_per_transaction(coord, sizes.raw_single)
            m["batch"] = baselines.insert_batches(coord, sizes.raw_batch)
            if kind == "postgresql":
                m["locked"] = baselines.insert_under_table_lock(coord, max(100, sizes.raw_single // 8))
            m["loaded"] = loaded = log.load(coord, persons)
            _, m["raw_read"] = baselines.read_log(coord)
            _, m["decoded"] = baselines.read_and_decode(coord)
            m["rebuilt"], m["rebuild_seconds"] = log.rebuild(coord)
            tokens = {role: coord.tokens.create(role, None, "bench")[1] for role in ("backbone", "auditor")}
            tokens["case_manager"] = coord.tokens.create("case_manager", "harbor", "bench")[1]
        finally:
            coord.close()
        m["process_seconds"], m["projector_rss"] = log.rebuild_process(where.process_env())
        m.update(measure_served(where, tokens, loaded.midway, sizes))
    run.events = loaded.events
    record(run, m)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"a log of ~{QUICK_EVENTS:,} events, fewer samples")
    parser.add_argument("--events", type=int, action="append", help="log size in events (repeat for several)")
    parser.add_argument("--persons", type=int, action="append", help="log size in demo persons instead")
    parser.add_argument("--writes", type=int, help="HTTP writes with one client (twice as many with eight)")
    parser.add_argument("--stores", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument(
        "--url",
        default=os.environ.get("COORD_TEST_POSTGRES_URL"),
        help="PostgreSQL server to create a throwaway database on (default COORD_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"where to write the JSON (default {RESULTS})")
    args = parser.parse_args()
    sizes = QUICK if args.quick else Sizes()
    if args.writes:
        scale = args.writes / sizes.writes
        sizes = replace(
            sizes,
            writes=args.writes,
            sse_writes=max(5, round(sizes.sse_writes * scale)),
            samples=max(5, round(sizes.samples * scale)),
        )
    persons = args.persons or [
        log.persons_for(n) for n in args.events or ([QUICK_EVENTS] if args.quick else FULL_EVENTS)
    ]
    kinds = [k for k in args.stores.split(",") if k == "sqlite" or (k == "postgresql" and args.url)]
    if not kinds:
        parser.error("no store to measure: --stores sqlite, or a PostgreSQL --url (or COORD_TEST_POSTGRES_URL)")
    started, runs = time.perf_counter(), []
    for kind in kinds:
        for count in persons:
            print(f"{kind}: {count:,} persons ...", file=sys.stderr, flush=True)
            runs.append(bench(kind, args.url, count, sizes))
            compare_memory(runs)
            # After each run: a long one that fails keeps what it measured.
            write_json(args.json, runs, _meta(args.quick, sizes, time.perf_counter() - started))
    print(render(runs))
    print(f"\n{len(runs)} runs in {time.perf_counter() - started:.1f} s; JSON in {args.json}", file=sys.stderr)


def _meta(quick: bool, sizes: Sizes, seconds: float) -> dict[str, Any]:
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "quick": quick,
        "sizes": asdict(sizes),
    }


if __name__ == "__main__":
    main()
