"""A PostgreSQL wire-protocol proxy on 127.0.0.1 that can lose the server's reply to a COMMIT: the commit
happens, the client sees its connection drop. Fault tests point an app at it instead of the database.

It reads the frontend stream just enough to see each statement run (simple Query, or Parse then Bind of a
named or unnamed statement); the backend stream is passed on untouched until a drop is due.
"""

from __future__ import annotations

import contextlib
import re
import socket
import struct
import threading

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
COMMIT = re.compile(rb"^\s*commit\s*;?\s*$", re.IGNORECASE)


class _Link:
    """One client connection and its server connection."""

    def __init__(self, proxy: PgProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy, self.client, self.server = proxy, client, server
        self.statements: dict[bytes, bytes] = {}
        #: The open transaction ran a statement the armed drop is waiting for.
        self.touched = False
        self.dropping = False
        self.closed = threading.Event()

    def close(self) -> None:
        self.closed.set()
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def frontend(self) -> None:
        try:
            if not self._startup():
                return
            buffer = b""
            while not self.closed.is_set():
                chunk = self.client.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                ready = 0
                while len(buffer) - ready >= 5:
                    (length,) = struct.unpack("!I", buffer[ready + 1 : ready + 5])
                    if len(buffer) - ready < 1 + length:
                        break
                    self._seen(buffer[ready : ready + 1], buffer[ready + 5 : ready + 1 + length])
                    ready += 1 + length
                if ready:
                    self.server.sendall(buffer[:ready])
                    buffer = buffer[ready:]
        except OSError:
            return
        finally:
            self.close()

    def _startup(self) -> bool:
        """Pass the startup packet on; refuse SSL and GSS encryption ('N') so the stream stays readable."""
        while True:
            header = _read_exactly(self.client, 4)
            if header is None:
                return False
            (length,) = struct.unpack("!I", header)
            body = _read_exactly(self.client, length - 4)
            if body is None:
                return False
            if length == 8 and struct.unpack("!I", body)[0] in (SSL_REQUEST, GSSENC_REQUEST):
                self.client.sendall(b"N")
                continue
            self.server.sendall(header + body)
            return True

    def _seen(self, kind: bytes, body: bytes) -> None:
        if kind == b"P":
            name, rest = body.split(b"\0", 1)
            self.statements[name] = rest.split(b"\0", 1)[0]
        elif kind == b"B":
            _portal, rest = body.split(b"\0", 1)
            self._runs(self.statements.get(rest.split(b"\0", 1)[0], b""))
        elif kind == b"Q":
            self._runs(body.rstrip(b"\0"))

    def _runs(self, statement: bytes) -> None:
        if COMMIT.match(statement):
            self.dropping = self.proxy._take_commit(self.touched)
            self.touched = False
        elif re.match(rb"^\s*(rollback|abort)\b", statement, re.IGNORECASE):
            self.touched = False
        elif self.proxy.touching and self.proxy.touching.search(statement):
            self.touched = True

    def backend(self) -> None:
        try:
            while not self.closed.is_set():
                chunk = self.server.recv(65536)
                if not chunk or self.dropping:
                    return  # a COMMIT's reply is lost with the connection
                self.client.sendall(chunk)
        except OSError:
            return
        finally:
            self.close()


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


class PgProxy:
    """`with PgProxy() as proxy:` then point the app at `proxy.url(database)`."""

    def __init__(self, upstream: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._links: list[_Link] = []
        self._armed = 0
        #: Only a transaction that ran a statement matching this pattern counts, when set.
        self.touching: re.Pattern[bytes] | None = None
        self.commits = 0
        self.dropped = 0
        self._stopping = threading.Event()
        threading.Thread(target=self._accept, daemon=True, name="pg-proxy").start()

    def url(self, user: str, database: str) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def drop_next_commit_reply(self, count: int = 1, touching: str | None = None) -> None:
        """Lose the reply to the next `count` COMMITs; with `touching` (a regular expression, any case), only
        of transactions that ran a statement it matches: reads and other writes commit too."""
        with self._lock:
            self._armed = count
            self.touching = re.compile(touching.encode(), re.IGNORECASE) if touching else None

    @property
    def armed(self) -> int:
        with self._lock:
            return self._armed

    def _take_commit(self, touched: bool) -> bool:
        with self._lock:
            self.commits += 1
            if self._armed and (self.touching is None or touched):
                self._armed -= 1
                self.dropped += 1
                return True
            return False

    def drop_all(self) -> int:
        """Cut every open connection; returns how many."""
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            link.close()
        return len(links)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(self, client, server)
            with self._lock:
                self._links = [known for known in self._links if not known.closed.is_set()] + [link]
            threading.Thread(target=link.frontend, daemon=True, name="pg-proxy-in").start()
            threading.Thread(target=link.backend, daemon=True, name="pg-proxy-out").start()

    def close(self) -> None:
        self._stopping.set()
        self._listener.close()
        self.drop_all()

    def __enter__(self) -> PgProxy:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
