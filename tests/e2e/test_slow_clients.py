"""Clients that never finish their request hold no worker thread: with 16 such connections open on a real
`coord serve` (twice its threads), a normal request is still answered within a second (issue 11)."""

from __future__ import annotations

import contextlib
import socket
import time
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.e2e.processes import served

HALF_OPEN = 16
LIMIT_SECONDS = 1.0
HALF_SENT = {
    "half a header": b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
    "a header and half its body": b"POST /api/v1/persons HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
}


@contextlib.contextmanager
def half_open_connections(base: str, count: int, sent: bytes) -> Iterator[list[socket.socket]]:
    """Sockets that send part of a request, then nothing, until the block ends."""
    address = urlsplit(base)
    sockets = []
    try:
        for _ in range(count):
            client = socket.create_connection((address.hostname, address.port), timeout=5)
            client.sendall(sent)
            sockets.append(client)
        yield sockets
    finally:
        for client in sockets:
            client.close()


@pytest.mark.parametrize("sent", HALF_SENT.values(), ids=HALF_SENT.keys())
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_half_open_connections_do_not_hold_the_server(cli_env, sent):
    with served(cli_env | {"COORD_THREADS": "8"}) as base, half_open_connections(base, HALF_OPEN, sent):
        time.sleep(0.5)  # the server has read what they sent
        started = time.monotonic()
        with urllib.request.urlopen(f"{base}/healthz", timeout=LIMIT_SECONDS) as response:
            answered = (response.status, time.monotonic() - started < LIMIT_SECONDS)
    assert answered == (200, True)
