"""The fault proxy itself: it passes a session through, and an armed drop loses a COMMIT's reply only."""

from __future__ import annotations

from urllib.parse import urlsplit

import psycopg
import pytest

from tests.conftest import throwaway_postgres
from tests.e2e.pg_proxy import PgProxy


@pytest.fixture
def database(postgres_admin_url):
    yield from throwaway_postgres(postgres_admin_url)


@pytest.fixture
def proxy():
    with PgProxy() as running:
        yield running


def _through(proxy: PgProxy, url: str) -> str:
    parts = urlsplit(url)
    return proxy.url(parts.username or "postgres", parts.path.lstrip("/"))


def _rows(url: str) -> list[int]:
    with psycopg.connect(url) as connection:
        return [row[0] for row in connection.execute("SELECT n FROM t ORDER BY n")]


def test_a_session_passes_through(proxy, database):
    with psycopg.connect(_through(proxy, database)) as connection:
        connection.execute("CREATE TABLE t (n int)")
        connection.execute("INSERT INTO t VALUES (%s)", (1,), prepare=True)
    assert _rows(database) == [1]
    assert proxy.commits == 1 and proxy.dropped == 0


def test_an_armed_drop_loses_the_commit_reply_and_the_row_stays(proxy, database):
    with psycopg.connect(database) as connection:
        connection.execute("CREATE TABLE t (n int)")
    connection = psycopg.connect(_through(proxy, database))
    connection.execute("SELECT 1")
    connection.commit()
    proxy.drop_next_commit_reply(touching=r"insert into\s+t\b")
    connection.execute("SELECT 2")
    connection.commit()  # a transaction that did not touch t is not the one awaited
    connection.execute("INSERT INTO t VALUES (7)")
    with pytest.raises(psycopg.OperationalError):
        connection.commit()
    assert connection.closed and _rows(database) == [7]
    assert proxy.dropped == 1 and proxy.armed == 0


def test_a_commit_in_a_pipeline_is_seen_and_drop_all_cuts_every_connection(proxy, database):
    with psycopg.connect(database) as connection:
        connection.execute("CREATE TABLE t (n int)")
    connection = psycopg.connect(_through(proxy, database))
    proxy.drop_next_commit_reply()
    with pytest.raises(psycopg.OperationalError), connection.pipeline(), connection.transaction():
        connection.execute("INSERT INTO t VALUES (8)", prepare=True)
    assert _rows(database) == [8]
    idle = psycopg.connect(_through(proxy, database))
    assert proxy.drop_all() >= 1
    with pytest.raises(psycopg.OperationalError):
        idle.execute("SELECT 1")
