"""Load on the served API from client threads, each on its own kept-alive connection (http.client): writes
with 1 and N concurrent clients, GETs of the reports and the audit, and write -> Server-Sent Event latency."""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import statistics
import threading
import time
import urllib.request
from typing import Any

from served import Served

API = "/api/v1"
WARM_UP = 5


class Client:
    """One kept-alive connection, as a browser or an integration holds one."""

    def __init__(self, served: Served, token: str) -> None:
        self.connection = http.client.HTTPConnection(served.host, served.port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any, float]:
        """(status, JSON answer, seconds from sending the request to having read the whole answer)."""
        started = time.perf_counter()
        self.connection.request(method, API + path, json.dumps(body) if body is not None else None, self.headers)
        response = self.connection.getresponse()
        data = response.read()
        seconds = time.perf_counter() - started
        return response.status, json.loads(data) if data else None, seconds

    def expect(self, status: int, method: str, path: str, body: dict | None = None) -> tuple[Any, float]:
        got, answer, seconds = self.call(method, path, body)
        if got != status:
            raise RuntimeError(f"{method} {path}: {got} (expected {status}): {str(answer)[:300]}")
        return answer, seconds

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def quantiles_ms(seconds: list[float]) -> tuple[float, float]:
    """(p50, p99) in milliseconds."""
    if len(seconds) < 2:
        return seconds[0] * 1000, seconds[0] * 1000
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


def identify(client: Client, count: int) -> list[str]:
    person = {"veteran": "no", "household_type": "single_adult"}
    return [client.expect(201, "POST", "/persons", person)[0]["id"] for _ in range(count)]


def write_load(served: Served, token: str, persons: list[str], writes: int, clients: int) -> tuple[float, list[float]]:
    """(writes per second, each write's seconds): `clients` threads together POST `writes` contacts."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    ready = threading.Barrier(clients + 1)

    def work(n: int) -> None:
        mine = persons[n::clients] or persons
        try:
            with Client(served, token) as client:
                for i in range(WARM_UP):
                    client.expect(201, "POST", f"/persons/{mine[i % len(mine)]}/contacts", {})
                ready.wait()
                for i in range(n, writes, clients):
                    contact = client.expect(201, "POST", f"/persons/{mine[i % len(mine)]}/contacts", {})
                    latencies[n].append(contact[1])
        except BaseException as error:  # reported by the caller once the threads are joined
            errors.append(error)
            ready.abort()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a client failed: its error is raised below
        ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return writes / (time.perf_counter() - started), [s for mine in latencies for s in mine]


def timed_gets(client: Client, path: str, samples: int, budget_seconds: float = 30) -> list[float]:
    """Seconds of each of `samples` GETs after a warm-up one; fewer (at least 3) once `budget_seconds` are
    spent, so that a slow report at a large log does not hold the run for long."""
    client.expect(200, "GET", path)
    spent: list[float] = []
    while len(spent) < samples and (len(spent) < 3 or sum(spent) < budget_seconds):
        spent.append(client.expect(200, "GET", path)[1])
    return spent


def _all_active(counts: dict) -> int:
    return next(row["active"] for row in counts["rows"] if row["population"] == "all")


def _stream(served: Served, token: str, into: queue.Queue) -> None:
    request = urllib.request.Request(served.base + API + "/stream", headers={"Authorization": f"Bearer {token}"})
    # The stream outlives its measurement: it ends with the server, or times out when the counts stop moving.
    with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=120) as response:
        for line in response:
            if line.startswith(b"data: "):
                into.put((time.perf_counter(), _all_active(json.loads(line[len(b"data: ") :]))))


def write_to_event(served: Served, tokens: dict[str, str], writes: int) -> list[float]:
    """Seconds from sending POST /persons to the live-count stream's event that counts the person."""
    events: queue.Queue = queue.Queue()
    threading.Thread(target=_stream, args=(served, tokens["backbone"], events), daemon=True).start()
    _, active = events.get(timeout=30)
    latencies = []
    with Client(served, tokens["case_manager"]) as client:
        for n in range(WARM_UP + writes):
            sent = time.perf_counter()
            identify(client, 1)
            active += 1
            while True:
                arrived, seen = events.get(timeout=30)
                if seen >= active:
                    break
            if n >= WARM_UP:
                latencies.append(arrived - sent)
    return latencies
