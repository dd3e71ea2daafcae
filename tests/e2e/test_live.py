"""Live counts end to end, as deployed: on SQLite one `coord serve` process projects; on PostgreSQL a
separate `coord project` process does, and the server hears of each page through LISTEN/NOTIFY.
A write through the API must show in GET /reports/counts and on GET /stream within a second."""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.request

from tests.e2e.processes import call, coord_cli, served, start, starter_tokens

LIMIT_SECONDS = 1.0


def _stream_events(base: str, token: str, into: queue.Queue) -> None:
    request = urllib.request.Request(f"{base}/api/v1/stream", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        for line in response:
            if line.startswith(b"data: "):
                into.put((time.monotonic(), json.loads(line[len(b"data: ") :])))


def _all(counts: dict) -> int:
    return next(row["active"] for row in counts["rows"] if row["population"] == "all")


def test_a_write_reaches_the_counts_and_the_stream_within_a_second(cli_env, store_url):
    coord_cli(cli_env, "db", "upgrade")
    tokens = starter_tokens(cli_env)
    projector = start(cli_env, "project") if store_url.startswith("postgresql") else None
    try:
        with served(cli_env) as base:
            events: queue.Queue = queue.Queue()
            threading.Thread(target=_stream_events, args=(base, tokens["backbone"], events), daemon=True).start()
            _, first = events.get(timeout=10)
            assert _all(first) == 0
            for expected in (1, 2, 3):
                written = time.monotonic()
                status, _ = call(
                    base,
                    "POST",
                    "/api/v1/persons",
                    tokens["case_manager"],
                    {"veteran": "no", "household_type": "family"},
                )
                assert status == 201
                while _all(call(base, "GET", "/api/v1/reports/counts", tokens["backbone"])[1]) != expected:
                    assert time.monotonic() - written < LIMIT_SECONDS, "GET /reports/counts did not move in time"
                    time.sleep(0.02)
                arrived, counts = events.get(timeout=LIMIT_SECONDS)
                assert _all(counts) == expected and arrived - written < LIMIT_SECONDS
    finally:
        if projector is not None:
            projector.terminate()
            _, log = projector.communicate(timeout=20)
            assert projector.returncode == 0 and "Traceback" not in log
