"""Waiting for the store at start, without a database: the backoff, which answers mean "wait", SQLite (never
waits) and a stop while waiting."""

from __future__ import annotations

import logging
import socket
import threading

import psycopg
import pytest

from coord import startup
from coord.config import Config
from coord.startup import StoreWaitError, backoff, wait_for_store
from events.crypto import MasterKey


@pytest.mark.parametrize(
    ("attempt", "delay"), [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 10.0), (7, 10.0), (40, 10.0)]
)
def test_the_delay_doubles_from_half_a_second_to_ten_with_a_tenth_of_jitter(monkeypatch, attempt, delay):
    monkeypatch.setattr(startup.random, "uniform", lambda low, high: low)
    assert backoff(attempt) == pytest.approx(delay * 0.9)
    monkeypatch.setattr(startup.random, "uniform", lambda low, high: high)
    assert backoff(attempt) == pytest.approx(delay * 1.1)


@pytest.mark.parametrize(
    ("message", "refusal"),
    [
        ('connection to server at "h", port 5432 failed: Connection refused', None),
        ('connection to server at "h", port 5432 failed: FATAL:  the database system is starting up', None),
        ('connection to server at "h", port 5432 failed: FATAL:  sorry, too many clients already', None),
        (
            'connection to server at "h", port 5432 failed: FATAL:  database "coord" does not exist',
            'database "coord" does not exist',
        ),
        (
            'connection to server at "h", port 5432 failed: FATAL:  password authentication failed for user "c"',
            'password authentication failed for user "c"',
        ),
    ],
)
def test_only_a_server_that_is_up_and_says_no_for_good_is_not_waited_for(message, refusal):
    assert startup._refusal(psycopg.OperationalError(message)) == refusal


def _config(tmp_path, url: str, wait: str = "30") -> Config:
    return Config.from_env(
        {
            "COORD_DATA_DIR": str(tmp_path),
            "COORD_DATABASE_URL": url,
            "COORD_MASTER_KEY": MasterKey.generate().to_base64(),
            "COORD_STORE_WAIT_SECONDS": wait,
        }
    )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sqlite_never_waits(tmp_path, monkeypatch):
    monkeypatch.setattr(startup, "_connect", lambda settings: pytest.fail("SQLite needs no connection test"))
    assert wait_for_store(_config(tmp_path, f"sqlite:///{tmp_path / 'coord.db'}")) is True


def test_a_stop_while_waiting_returns_false_with_one_line_per_attempt(tmp_path, caplog):
    port = _closed_port()
    stopping = threading.Event()
    stopping.set()
    with caplog.at_level(logging.INFO, logger="coord.startup"):
        assert wait_for_store(_config(tmp_path, f"postgresql://u:secret-pw@127.0.0.1:{port}/db"), stopping) is False
    assert [record.getMessage() for record in caplog.records] == ["stopped while waiting for the database"]


def test_no_wait_gives_up_after_one_try_naming_host_port_and_database_only(tmp_path, caplog):
    port = _closed_port()
    with pytest.raises(StoreWaitError) as raised, caplog.at_level(logging.INFO, logger="coord.startup"):
        wait_for_store(_config(tmp_path, f"postgresql://u:secret-pw@127.0.0.1:{port}/db", wait="0"))
    assert str(raised.value) == (
        f"the database at 127.0.0.1:{port}/db is unreachable (OperationalError); not waiting"
        " (COORD_STORE_WAIT_SECONDS=0)"
    )
    assert caplog.records == []
