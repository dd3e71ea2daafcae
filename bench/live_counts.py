"""Write -> Server-Sent Event latency of the live counts, as deployed (targets: docs/design.md, "Performance targets").

Starts `coord serve` (and, on PostgreSQL, a `coord project` process), opens GET /stream as the backbone,
then identifies persons one at a time through the API and times each write from sending the request to
the stream's event carrying the new count. Prints p50, p99 and max.

    .venv/bin/python bench/live_counts.py [--writes 200] [--url postgresql://...]
"""

from __future__ import annotations

import argparse
import base64
import os
import queue
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.processes import call, coord_cli, served, start, starter_tokens
from tests.e2e.test_live import _all, _stream_events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--url", help="a PostgreSQL URL of an empty database to use (default: a fresh SQLite file)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    env.update(
        COORD_DATA_DIR=tempfile.mkdtemp(prefix="coord-bench-"),
        COORD_MASTER_KEY=base64.b64encode(os.urandom(32)).decode(),
    )
    if args.url:
        env["COORD_DATABASE_URL"] = args.url
    coord_cli(env, "db", "upgrade")
    tokens = starter_tokens(env)
    projector = start(env, "project") if args.url else None
    latencies = []
    try:
        with served(env) as base:
            events: queue.Queue = queue.Queue()
            threading.Thread(target=_stream_events, args=(base, tokens["backbone"], events), daemon=True).start()
            events.get(timeout=10)
            for expected in range(1, args.writes + 1):
                sent = time.monotonic()
                call(
                    base,
                    "POST",
                    "/api/v1/persons",
                    tokens["case_manager"],
                    {"veteran": "no", "household_type": "single_adult"},
                )
                while True:
                    arrived, counts = events.get(timeout=10)
                    if _all(counts) == expected:
                        break
                latencies.append(arrived - sent)
    finally:
        if projector is not None:
            projector.terminate()
            projector.wait(timeout=20)
    quantiles = statistics.quantiles(latencies, n=100)
    store = "postgresql" if args.url else "sqlite"
    target = 100 if args.url else 250
    print(f"store: {store}  writes: {args.writes}  (write -> SSE event, including the write itself)")
    print(
        f"p50 {quantiles[49] * 1000:.0f} ms  p99 {quantiles[98] * 1000:.0f} ms  max {max(latencies) * 1000:.0f} ms"
        f"  (target p99 < {target} ms)"
    )


if __name__ == "__main__":
    main()
