"""Projection rebuild against the raw rate of reading the log, measured in the same run
(targets: docs/design.md, "Performance targets").

Loads the demo partnership (`--persons`), then times: reading every stored event in pages of 1,000 (the
raw baseline), decoding them into domain events, and `coord project --rebuild` (empty every read model,
replay the whole log, a transaction per page). Prints rates and the ratio rebuild / raw read.

    .venv/bin/python bench/rebuild.py [--persons 3000] [--url postgresql://...]
"""

from __future__ import annotations

import argparse
import tempfile
import time

from coord.config import Config
from coord.demo import generate
from coord.wiring import open_coord
from events.crypto import MasterKey

PAGE = 1000


def read_rate(app, decode: bool) -> tuple[int, float]:
    started, position, count = time.perf_counter(), 0, 0
    while True:
        page = app.recorder.select_notifications(start=position, limit=PAGE, inclusive_of_start=False)
        if not page:
            break
        if decode:
            for notification in page:
                app.mapper.to_domain_event(notification)
        count, position = count + len(page), page[-1].id
    return count, count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=3000)
    parser.add_argument("--url", help="a PostgreSQL URL of an empty database to use (default: a fresh SQLite file)")
    args = parser.parse_args()
    env = {
        "COORD_DATA_DIR": tempfile.mkdtemp(prefix="coord-bench-"),
        "COORD_MASTER_KEY": MasterKey.generate().to_base64(),
    }
    if args.url:
        env["COORD_DATABASE_URL"] = args.url
    coord = open_coord(Config.from_env(env))
    try:
        loading = time.perf_counter()
        generate(coord.service, persons=args.persons)
        print(
            f"store: {'postgresql' if args.url else 'sqlite'}  demo of {args.persons} persons loaded in "
            f"{time.perf_counter() - loading:.0f} s"
        )
        events, raw = read_rate(coord.service, decode=False)
        _, decoded = read_rate(coord.service, decode=True)
        projections = coord.service.projections
        projections.reset()
        started = time.perf_counter()
        rebuilt = projections.run()
        rebuild = rebuilt / (time.perf_counter() - started)
    finally:
        coord.close()
    assert rebuilt == events
    print(f"events: {events}")
    print(f"raw read of the log:        {raw:9.0f} events/s")
    print(f"read and decode:            {decoded:9.0f} events/s")
    print(f"rebuild (every read model): {rebuild:9.0f} events/s  ratio {rebuild / raw:.2f} (target >= 0.50)")
    print(f"1 M events would rebuild in about {1_000_000 / rebuild:.0f} s")


if __name__ == "__main__":
    main()
