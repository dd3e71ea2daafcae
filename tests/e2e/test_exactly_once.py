"""Exactly once on PostgreSQL, as deployed (`coord serve` with 2 gunicorn workers): an acknowledged write is
stored once, a write its client was told failed is stored never, whatever fails (issue 10).

Each repro makes one fault happen at one moment, deterministically: a lock held on the list projector's
position keeps a request waiting just after its event committed, where its backend is terminated or its
worker killed; a proxy in front of the database loses the reply to the COMMIT of an event insert.
Only the HTTP contract and the log's table are looked at, never the service's internals.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit
from uuid import UUID

import psycopg
import pytest

from tests.conftest import throwaway_postgres
from tests.e2e.faults import (
    NO_ANSWER,
    blocked_backend,
    call,
    kill,
    lists_locked,
    pid_with_local_port,
    postgres_env,
    serving,
    stored_events,
    terminate_backends,
    with_database_url,
)
from tests.e2e.pg_proxy import PgProxy
from tests.e2e.processes import coord_cli, starter_tokens

PERSON = {"veteran": "no", "household_type": "family"}
#: The statement that stores events: the proxy loses the reply to the COMMIT of its transaction.
EVENT_INSERT = r"insert\s+into\s+\S*coord_events\b"

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def database(postgres_admin_url):
    yield from throwaway_postgres(postgres_admin_url)


@pytest.fixture
def env(database, tmp_path):
    env = postgres_env(database, tmp_path)
    coord_cli(env, "db", "upgrade")
    return env


@pytest.fixture
def writer(env) -> str:
    return starter_tokens(env)["case_manager"]


def _ids(events) -> list[UUID]:
    return [origin for origin, _version, _kind in events]


def _id(body: dict) -> UUID | None:
    return UUID(body["id"]) if "id" in body else None


def test_a_request_failing_after_its_commit_is_acknowledged_and_its_retry_writes_nothing(
    env, database, writer, tmp_path
):
    with serving(env, tmp_path / "serve.log") as server, ThreadPoolExecutor(1) as background:
        with lists_locked(database):
            first = background.submit(call, server.base, "POST", "/api/v1/persons", writer, PERSON, "repro-1")
            backend, _port = blocked_backend(database)  # its event is stored; it waits to catch the lists up
            with psycopg.connect(database, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        status, body = first.result(timeout=60)
        retry_status, retry = call(server.base, "POST", "/api/v1/persons", writer, PERSON, "repro-1")
    persons = _ids(stored_events(database, "Identified"))
    assert (status, retry_status, _id(retry) == _id(body), _id(retry) in persons, len(persons)) == (
        201,
        201,
        True,
        True,
        1,
    )


def test_a_lost_commit_reply_writes_once_and_is_acknowledged(env, database, writer, tmp_path):
    parts = urlsplit(database)
    with PgProxy() as proxy:
        proxied = with_database_url(env, proxy.url(parts.username or "postgres", parts.path.lstrip("/")))
        with serving(proxied, tmp_path / "serve.log") as server:
            base = server.base
            # Warm every pool, so the next commits are those of the writes below.
            plain, keyed = (call(base, "POST", "/api/v1/persons", writer, PERSON)[1]["id"] for _ in range(2))
            assert call(base, "GET", f"/api/v1/persons/{plain}", writer)[0] == 200
            answers = []
            for path, key in (
                ("/api/v1/persons", None),
                (f"/api/v1/persons/{plain}/contacts", None),
                (f"/api/v1/persons/{keyed}/contacts", "repro-2-contact"),
            ):
                proxy.drop_next_commit_reply(touching=EVENT_INSERT)
                answers.append(call(base, "POST", path, writer, {} if "contacts" in path else PERSON, key)[0])
            dropped = proxy.dropped
    contacts = _ids(stored_events(database, "ContactRecorded"))
    persons = stored_events(database, "Identified")
    assert (dropped, answers, len(persons), contacts.count(UUID(plain)), contacts.count(UUID(keyed))) == (
        3,
        [201, 201, 201],
        3,
        1,
        1,
    )


def test_a_request_whose_worker_died_after_its_commit_is_answered_from_the_log_at_once(env, database, writer, tmp_path):
    with serving(env, tmp_path / "serve.log") as server, ThreadPoolExecutor(1) as background:
        with lists_locked(database):
            first = background.submit(call, server.base, "POST", "/api/v1/persons", writer, PERSON, "repro-3")
            _backend, port = blocked_backend(database)
            kill(pid_with_local_port(port, server.workers()))
            status, _ = first.result(timeout=60)
        retry_status, retry = call(server.base, "POST", "/api/v1/persons", writer, PERSON, "repro-3")
        persons = _ids(stored_events(database, "Identified"))
    assert (status, retry_status, len(persons), _id(retry) in persons) == (NO_ANSWER, 201, 1, True)


def test_after_every_backend_is_terminated_the_first_requests_succeed(env, database, writer, tmp_path):
    with serving(env, tmp_path / "serve.log") as server:
        base = server.base
        for _ in range(6):  # both workers hold pooled connections
            person = call(base, "POST", "/api/v1/persons", writer, PERSON)[1]
            assert call(base, "GET", f"/api/v1/persons/{person['id']}", writer)[0] == 200
        terminated = terminate_backends(database)
        created_status = call(base, "POST", "/api/v1/persons", writer, PERSON)[0]
        read_status = call(base, "GET", f"/api/v1/persons/{person['id']}", writer)[0]
    assert (terminated > 0, created_status, read_status) == (True, 201, 200)
