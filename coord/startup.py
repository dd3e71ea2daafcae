"""Waiting for the store at start: a long-running process (serve, project, scheduler) started before its
database is up waits for it with backoff and says so, instead of failing at once and relying on a restart.

One-shot commands do not wait: they fail at once with one line (coord/cli/__init__.py).
"""

from __future__ import annotations

import itertools
import logging
import random
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from coord.config import Config
from events.store import library_env

log = logging.getLogger("coord.startup")

FIRST_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 10.0
#: Each delay is stretched or shrunk by up to this share, so processes started together do not retry in step.
JITTER = 0.1
CONNECT_TIMEOUT_SECONDS = 5
#: A server that answers with one of these is up but not ready yet; any other answer (a wrong password, a
#: missing database or role) will not change by waiting.
NOT_READY_YET = re.compile(r"starting up|shutting down|recovery|too many clients|connection slots", re.IGNORECASE)


class StoreWaitError(Exception):
    """The store did not become reachable in time, or answered that it never will with these settings."""


def wait_for_store(config: Config, stopping: threading.Event | None = None) -> bool:
    """Return True once the store accepts a connection; False when stopped while waiting (SIGTERM or SIGINT,
    or `stopping` set by the caller). Raise StoreWaitError after `config.store_wait_seconds` (0: one try).
    Each attempt is one log line naming host, port and database: never the user's password or the URL."""
    if not config.is_postgres:
        return True  # an embedded file: nothing to wait for
    stopping = stopping or threading.Event()
    settings = library_env(config.database_url)
    where = f"{settings['POSTGRES_HOST']}:{settings['POSTGRES_PORT']}/{settings['POSTGRES_DBNAME']}"
    deadline = time.monotonic() + config.store_wait_seconds
    with _stopped_by_signals(stopping):
        for attempt in itertools.count(1):
            error = _connect(settings)
            if stopping.is_set():
                break
            if error is None:
                if attempt > 1:
                    log.info("the database is reachable; starting")
                return True
            answer = _refusal(error)
            if answer:
                raise StoreWaitError(f"the database at {where} refused the connection: {answer}")
            left = deadline - time.monotonic()
            if left <= 0:
                waited = config.store_wait_seconds
                how = f"gave up after {waited} s" if waited else "not waiting"
                raise StoreWaitError(
                    f"the database at {where} is unreachable ({type(error).__name__}); {how} "
                    f"(COORD_STORE_WAIT_SECONDS={waited})"
                )
            delay = min(backoff(attempt), left)
            log.warning(
                "waiting for the database at %s (attempt %d, unreachable: %s); next try in %.1f s",
                where,
                attempt,
                type(error).__name__,
                delay,
            )
            if stopping.wait(delay):
                break
    log.info("stopped while waiting for the database")
    return False


def backoff(attempt: int) -> float:
    """Seconds before the try after `attempt`: 0.5 doubling to 10, with a little jitter."""
    delay = min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (attempt - 1))
    return delay * random.uniform(1 - JITTER, 1 + JITTER)


def _connect(settings: dict[str, str]) -> psycopg.OperationalError | None:
    try:
        with psycopg.connect(
            host=settings["POSTGRES_HOST"],
            port=settings["POSTGRES_PORT"],
            dbname=settings["POSTGRES_DBNAME"],
            user=settings["POSTGRES_USER"],
            password=settings["POSTGRES_PASSWORD"],
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
        ):
            return None
    except psycopg.OperationalError as error:
        return error


def _refusal(error: psycopg.OperationalError) -> str | None:
    """The server's own answer when it is up and refuses us for good (libpq's 'FATAL: ...' line)."""
    found = re.search(r"FATAL:\s*(.+)", str(error))
    if found is None or NOT_READY_YET.search(found.group(1)):
        return None
    return found.group(1).strip()


@contextmanager
def _stopped_by_signals(stopping: threading.Event) -> Iterator[None]:
    """While waiting, SIGTERM and SIGINT set `stopping` (the process then exits 0); afterwards the
    handlers are the caller's again. Only the main thread can handle signals: elsewhere, `stopping` alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}

    def stop(_signum: int, _frame: Any) -> None:
        stopping.set()

    for number in previous:
        signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
