"""`coord serve`: gunicorn with threaded workers. On SQLite one process serves (it also projects)."""

from __future__ import annotations

import re
import selectors
import signal
import time
from functools import partial
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import TConn, ThreadWorker

from coord.config import Config
from coord.serverlock import hold
from coord.startup import wait_for_store


class _Server(BaseApplication):
    def __init__(self, config: Config, options: dict[str, Any]) -> None:
        self.config, self.options = config, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from coord.live import start_live
        from coord.web import create_app

        app = create_app(self.config)
        coord = app.extensions["coord"]
        start_live(coord)
        _stop_streams_on_exit(coord)
        if not self.config.is_postgres and self.config.serve_jobs:
            _start_jobs(coord)
        return app


#: A client has this long to send a whole request header (and a body of known length) before it is closed.
REQUEST_READ_SECONDS = 10.0
#: Bodies up to this size are read before a thread is given (the app refuses larger ones: coord/web.py).
BUFFERED_BODY_BYTES = 1024 * 1024
HEADER_END = b"\r\n\r\n"
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*([0-9]{1,10})[ \t]*\r\n", re.IGNORECASE)


class BufferingThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, with one change: a connection gets a thread only once its request has
    arrived. gthread hands it to a thread at its first byte and the thread then blocks reading the rest, so
    a few clients that never finish their header held every thread (issue 11). Here the worker's own poller
    reads the header and a body of known length without blocking, and closes a connection that has not sent
    them within REQUEST_READ_SECONDS."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading: dict[TConn, float] = {}

    def enqueue_req(self, conn: TConn) -> None:
        head = bytearray(getattr(conn, "head", b""))
        if conn.parser is not None:  # a kept-alive connection: bytes of its next request already read
            head[:0] = conn.parser.unreader.take_buffered()
        conn.head = head
        if _arrived(head):
            super().enqueue_req(conn)
            return
        conn.sock.setblocking(False)
        self.reading[conn] = time.monotonic() + REQUEST_READ_SECONDS
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._read_request, conn))

    def _read_request(self, conn: TConn, _sock: Any) -> None:
        try:
            data = conn.sock.recv(64 * 1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        conn.head += data
        if data and not _arrived(conn.head):
            return
        self.poller.unregister(conn.sock)
        del self.reading[conn]
        if data:
            super().enqueue_req(conn)
        else:  # the client went away
            self.nr_conns -= 1
            conn.close()

    def handle(self, conn: TConn) -> Any:
        head, conn.head = bytes(conn.head), bytearray()
        if head:
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(head)
        return super().handle(conn)

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            # A graceful stop: gthread keeps its listening sockets open until its requests are answered, so
            # new connections would be accepted by the kernel and then dropped. Close them now: refused.
            for listener in self.sockets:
                listener.close()

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn, deadline in list(self.reading.items()):
            if deadline <= now or not self.alive:
                self.poller.unregister(conn.sock)
                del self.reading[conn]
                self.nr_conns -= 1
                conn.close()


def _arrived(head: bytes | bytearray) -> bool:
    """Whether the request's header, and its body if its length is known and small, have been read. A header
    too long, or a body too large, is the parser's and the app's to refuse."""
    end = head.find(HEADER_END)
    if end < 0:
        return len(head) > 64 * 1024
    length = CONTENT_LENGTH.search(head, 0, end + 2)
    wanted = int(length.group(1)) if length else 0
    return wanted > BUFFERED_BODY_BYTES or len(head) >= end + len(HEADER_END) + wanted


def _start_jobs(coord: Any) -> None:
    """On the embedded store the one serving process also runs the scheduled jobs; as the worker ends, closing
    the app lets the job in hand stop between two records (coord/jobs/scheduler.py)."""
    from coord.jobs.clock import clock_for
    from coord.jobs.scheduler import Scheduler

    Scheduler(coord, clock_for(coord.config.jobs_clock_file)).start()


def _stop_streams_on_exit(coord: Any) -> None:
    """Open event streams never finish by themselves: end them as the worker begins a graceful exit. The
    projector thread (SQLite) stops after the page it is on; requests in flight are answered."""
    previous = signal.getsignal(signal.SIGTERM)

    def on_exit(signum: int, frame: Any) -> None:
        coord.stopping.set()
        coord.changes.notify()
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, on_exit)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn has it: a blocking call in a request goes on


def _close_worker(_arbiter: Any, worker: Any) -> None:
    """As a worker process ends (its requests answered), let its background threads finish their page."""
    app = getattr(worker, "wsgi", None)  # None in the master, which also calls this hook as it reaps
    coord = app.extensions.get("coord") if app is not None else None
    if coord is not None:
        coord.close()


#: On SIGTERM gunicorn stops accepting connections, and gives requests in flight this long to be answered
#: before it kills the workers. A service manager must wait longer (systemd TimeoutStopSec >= 35 s).
GRACEFUL_STOP_SECONDS = 30


def serve(config: Config, host: str, port: int) -> None:
    from coord.migrate import upgrade
    from projections.db import Database

    if not wait_for_store(config):
        return
    db = Database(config.database_url)
    upgrade(db)
    db.dispose()
    options = {
        "bind": f"{host}:{port}",
        # SQLite has one writer: one process with threads. PostgreSQL scales out with COORD_WORKERS.
        "workers": config.workers if config.is_postgres else 1,
        "worker_class": BufferingThreadWorker,
        "threads": config.threads,
        "timeout": 60,
        "graceful_timeout": GRACEFUL_STOP_SECONDS,
        "worker_exit": _close_worker,
        "control_socket_disable": True,
        "accesslog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(L)ss',
    }
    with hold(config.data_dir, exclusive=False):
        _Server(config, options).run()
