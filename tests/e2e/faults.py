"""What the fault tests do to `coord`: serve it and find its worker processes, see and terminate its
PostgreSQL backends, call it over HTTP (a dropped connection is an answer too), and read the log's table."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import psycopg

from tests.e2e.processes import cli_environment, free_port

#: The status `call` gives a request whose connection failed before any answer.
NO_ANSWER = 0
#: What gunicorn logs as it stops because a worker could not load the app.
BOOT_FAILED = "Worker failed to boot"
#: The eventsourcing library's table: one row per stored event.
EVENTS_TABLE = "coord_events"


def postgres_env(database_url: str, tmp_path: Path, workers: int = 2) -> dict[str, str]:
    env = cli_environment(database_url, tmp_path)
    env["COORD_WORKERS"] = str(workers)
    return env


def with_database_url(env: dict[str, str], database_url: str) -> dict[str, str]:
    """The same deployment (keys, data directory) reaching its database at another address."""
    return {**env, "COORD_DATABASE_URL": database_url}


def start_logged(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    """`coord ARGS` with its stderr in a file: a pipe nobody reads would fill and stall it."""
    with log.open("ab") as sink:
        return subprocess.Popen([sys.executable, "-m", "coord", *args], env=env, stdout=subprocess.DEVNULL, stderr=sink)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class Server:
    base: str
    master: subprocess.Popen[bytes]

    def workers(self) -> list[int]:
        """The gunicorn workers: the master's child processes."""
        return children(self.master.pid)

    def wait_for_workers(self, count: int, timeout: float = 30) -> list[int]:
        deadline = time.monotonic() + timeout
        while len(found := self.workers()) != count:
            assert time.monotonic() < deadline, f"gunicorn has {len(found)} workers, not {count}"
            time.sleep(0.1)
        return found


@contextlib.contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[Server]:
    """`coord serve` on a free port, ready, until the block ends."""
    port = free_port()
    master = start_logged(env, log, "serve", "--port", str(port))
    server = Server(f"http://127.0.0.1:{port}", master)
    try:
        deadline = time.monotonic() + 60
        while call(server.base, "GET", "/readyz")[0] != 200:
            assert master.poll() is None and time.monotonic() < deadline, f"coord serve is not ready: {_why(log)}"
            time.sleep(0.2)
        time.sleep(1)  # a worker failing to boot stops gunicorn within moments
        assert master.poll() is None, f"coord serve stopped after starting: {_why(log)}"
        server.wait_for_workers(int(env.get("COORD_WORKERS", "1")))
        yield server
    finally:
        stop(master)


def _why(log: Path) -> str:
    return "a worker failed to boot" if BOOT_FAILED in log.read_text() else f"see {log}"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                # The command may hold spaces and parentheses: the fields after its closing ')' are plain.
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return sorted(found)


def pid_with_local_port(port: int, pids: list[int]) -> int:
    """Which of `pids` holds the TCP socket bound to 127.0.0.1:`port` (a PostgreSQL backend's client_port)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        return pid
    raise AssertionError(f"no process among {pids} holds local port {port}")


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def call(
    base: str, method: str, path: str, token: str | None = None, body: dict | None = None, key: str | None = None
) -> tuple[int, dict]:
    """(status, JSON body); NO_ANSWER with {"error": ...} when the connection failed before an answer."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, method=method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, _json(response.read())
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read())
    except (OSError, ValueError) as error:
        return NO_ANSWER, {"error": type(error).__name__}


def _json(raw: bytes) -> dict:
    try:
        loaded = json.loads(raw or b"{}")
    except ValueError:
        return {"error": "not JSON"}
    return loaded if isinstance(loaded, dict) else {"items": loaded}


def terminate_backends(database_url: str) -> int:
    """pg_terminate_backend on every other connection to this database; returns how many."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def lock_waiters(database_url: str, timeout: float = 15) -> list[tuple[int, int]]:
    """(pid, client_port) of the backends of this database waiting for a lock, once there is one."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as connection:
        while True:
            rows = connection.execute(
                "SELECT pid, client_port FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            ).fetchall()
            if rows:
                return rows
            assert time.monotonic() < deadline, "no backend waits for the lock"
            time.sleep(0.05)


@contextlib.contextmanager
def access_log_locked(database_url: str) -> Iterator[psycopg.Connection]:
    """Hold the access log's chain lock, as a long page of reads elsewhere would: a request that shows personal
    data after its commit (a handoff's note) waits there. Released on exit."""
    from coord.service.access_log import CHAIN_LOCK

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (CHAIN_LOCK,))
        try:
            yield connection
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (CHAIN_LOCK,))


def stored_events(database_url: str, kind: str | None = None) -> list[tuple[UUID, int, str]]:
    """(aggregate id, version, event name) of every stored event, or of those named `kind` (e.g. 'Identified')."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            f"SELECT originator_id, originator_version, topic FROM {EVENTS_TABLE} ORDER BY notification_id"
        ).fetchall()
    events = [(UUID(str(origin)), version, topic.rsplit(".", 1)[-1]) for origin, version, topic in rows]
    return [event for event in events if kind is None or event[2] == kind]


@dataclass
class Tally:
    """What the writers were told: per Idempotency-Key, an acknowledgement or a refusal."""

    acks: dict[str, tuple[str, UUID, int]] = field(default_factory=dict)  # key -> (event name, id, version)
    refusals: dict[str, int] = field(default_factory=dict)  # key -> 4xx status
    unresolved: list[str] = field(default_factory=list)
    #: Keys sent twice at once whose two answers differ.
    split: list[str] = field(default_factory=list)
    requests: int = 0
    retries: int = 0
    answered_500: int = 0


class Writers:
    """Writers of persons, contacts, person transitions and handoffs until `deadline`; every request carries
    a key, every failure is retried with it (bounded), some keys are sent by two threads at once."""

    def __init__(self, base: str, token: str, services: tuple[str, str], deadline: float) -> None:
        self.base, self.token, self.services, self.deadline = base, token, services, deadline
        self.tally = Tally()
        self.persons: list[str] = []
        self._lock = threading.Lock()

    def run(self, count: int, seed: int) -> None:
        threads = [threading.Thread(target=self._write, args=(random.Random(seed + n),)) for n in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=self.deadline - time.monotonic() + RETRY_FOR + 30)

    def _resolve(self, path: str, body: dict, key: str) -> tuple[int, dict] | None:
        give_up = time.monotonic() + RETRY_FOR
        while True:
            status, answer = call(self.base, "POST", path, self.token, body, key)
            with self._lock:
                self.tally.requests += 1
                self.tally.answered_500 += status == 500
            in_flight = status == 409 and "being processed" in answer.get("message", "")
            if status != NO_ANSWER and status < 500 and not in_flight:
                return status, answer
            if time.monotonic() > give_up:
                return None
            with self._lock:
                self.tally.retries += 1
            time.sleep(0.2)

    def _post(self, path: str, body: dict, kind: str, rng: random.Random) -> dict | None:
        """The acknowledged representation, or None (refused, or no definite answer)."""
        key = f"fault-{rng.getrandbits(64):016x}"
        if rng.random() < DOUBLED:
            with ThreadPoolExecutor(2) as pair:
                first, second = pair.map(lambda _: self._resolve(path, body, key), range(2))
            if first is None or second is None or _outcome(first) != _outcome(second):
                self.tally.split.append(key)
        else:
            first = self._resolve(path, body, key)
        with self._lock:
            if first is None:
                self.tally.unresolved.append(key)
                return None
            status, answer = first
            if status >= 300:
                self.tally.refusals[key] = status
                return None
            self.tally.acks[key] = (kind, UUID(answer["id"]), answer["version"])
            return answer

    def _write(self, rng: random.Random) -> None:
        mine: dict[str, str] = {}  # person id -> status: only its writer moves a person
        handoffs: list[list] = []  # [id, next steps]
        outreach, shelter = self.services
        while time.monotonic() < self.deadline:
            roll = rng.random()
            if roll < 0.2 or not mine:
                person = self._post("/api/v1/persons", PERSON, "Identified", rng)
                if person:
                    mine[person["id"]] = "active"
                    self.persons.append(person["id"])
            elif roll < 0.5:
                self._post(f"/api/v1/persons/{rng.choice(self.persons)}/contacts", {}, "ContactRecorded", rng)
            elif roll < 0.7:
                person_id = rng.choice(list(mine))
                to, body = ("inactive", {"reason": "left_area"}) if mine[person_id] == "active" else ("active", {})
                kind = "MarkedInactive" if to == "inactive" else "ReturnedFromInactive"
                if self._post(f"/api/v1/persons/{person_id}/transitions", {"to": to, **body}, kind, rng):
                    mine[person_id] = to
            elif roll < 0.8 or not handoffs:
                body = {"person_id": rng.choice(list(mine)), "from_service_id": outreach, "to_service_id": shelter}
                handoff = self._post("/api/v1/handoffs", body, "Requested", rng)
                if handoff:
                    handoffs.append([handoff["id"], list(HANDOFF_STEPS)])
            else:
                chosen = rng.choice(handoffs)
                to, body, kind = chosen[1][0]
                if self._post(f"/api/v1/handoffs/{chosen[0]}/transitions", {"to": to, **body}, kind, rng):
                    chosen[1].pop(0)
                if not chosen[1]:
                    handoffs.remove(chosen)


def _outcome(answer: tuple[int, dict]) -> tuple:
    return answer[0], answer[1].get("id"), answer[1].get("version")


PERSON = {"veteran": "no", "household_type": "family"}
HANDOFF_STEPS = (
    ("accepted", {}, "Accepted"),
    ("in_progress", {}, "Started"),
    ("completed", {"outcome": "housed"}, "Completed"),
)
#: How long a failing request is retried with its key before it counts as unresolved.
RETRY_FOR = 30.0
#: The share of requests sent by two threads at once with the same key.
DOUBLED = 0.15


def table_rows(database_url: str) -> dict[str, list[str]]:
    """Every table but the log and the projectors' positions, rows in a stable order: a rebuild of the read
    models must leave this unchanged."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                f" AND tablename NOT IN ('{EVENTS_TABLE}', 'projection_positions') ORDER BY tablename"
            )
        ]
        return {name: sorted(map(repr, connection.execute(f'SELECT * FROM "{name}"'))) for name in names}
