"""HTTP write path against the raw database baseline, measured in the same run
(targets: docs/design.md, "Performance targets").

Baseline: one 400-byte row per transaction into a fresh table of the same database. coord: POST
/api/v1/persons/{id}/contacts through the Flask app in-process (auth, validation, event append with
optimistic concurrency, read-model catch-up, response). Prints rates, the ratio and p50/p99 latency.

    .venv/bin/python bench/write_path.py [--writes 2000] [--url postgresql://...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench_store import open_store
from sqlalchemy import text

from coord.web import create_app


def raw_rate(coord, writes: int) -> float:
    payload = os.urandom(200).hex()
    with coord.db.write() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, body TEXT)"))
    started = time.perf_counter()
    for i in range(writes):
        with coord.db.write() as connection:
            connection.execute(text("INSERT INTO bench_raw (id, body) VALUES (:i, :b)"), {"i": i, "b": payload})
    return writes / (time.perf_counter() - started)


def http_rate(coord, writes: int) -> tuple[float, list[float]]:
    client = create_app(coord=coord).test_client()
    token = coord.tokens.create("case_manager", "bench", "bench")[1]
    headers = {"Authorization": f"Bearer {token}"}
    ids = [
        client.post(
            "/api/v1/persons",
            json={"veteran": "no", "household_type": "single_adult", "first_name": "B"},
            headers=headers,
        ).json["id"]
        for _ in range(50)
    ]
    latencies = []
    started = time.perf_counter()
    for i in range(writes):
        begun = time.perf_counter()
        response = client.post(f"/api/v1/persons/{ids[i % len(ids)]}/contacts", json={}, headers=headers)
        latencies.append(time.perf_counter() - begun)
        assert response.status_code == 201, response.json
    return writes / (time.perf_counter() - started), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--url", help="a PostgreSQL URL of a database to use (default: a fresh SQLite file)")
    args = parser.parse_args()
    coord = open_store(args.url)
    try:
        raw = raw_rate(coord, args.writes)
        rate, latencies = http_rate(coord, args.writes)
    finally:
        coord.close()
    quantiles = statistics.quantiles(latencies, n=100)
    store = "postgresql" if args.url else "sqlite"
    print(f"store: {store}  writes: {args.writes}")
    print(f"raw one-row-per-transaction: {raw:8.0f} rows/s")
    print(f"HTTP write path (contacts):  {rate:8.0f} writes/s  ratio {rate / raw:.2f} (target >= 0.50)")
    print(f"latency p50 {quantiles[49] * 1000:.1f} ms  p99 {quantiles[98] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
