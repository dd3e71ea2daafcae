"""Local endpoints for the notification tests: a webhook receiver (http.server in a thread on 127.0.0.1) that
checks each delivery's signature and can answer 500 the first N times or hold a request, and an SMTP server
(aiosmtpd) that keeps what it is sent."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from tests.e2e.processes import free_port


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """The check docs/notifications.md gives receivers: HMAC-SHA256 of "<timestamp>.<body>"."""
        expected = hmac.new(
            secret.encode(), self.headers["Coord-Timestamp"].encode() + b"." + self.body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(self.headers["Coord-Signature"], f"sha256={expected}")


@dataclass
class Receiver:
    url: str
    #: Answer 500 to this many requests first.
    fail_first: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    #: When set, a request waits (up to 30 s) until `release` is set: a notifier can be killed mid-send.
    hold: threading.Event | None = None
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)

    def accepted(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.status == 200]


@contextlib.contextmanager
def receiver(fail_first: int = 0, hold: bool = False) -> Iterator[Receiver]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.arrived.set()
            if state.hold is not None:
                state.release.wait(30)
            with lock:
                status = 500 if len(state.deliveries) < state.fail_first else 200
                state.deliveries.append(Delivery(self.path, dict(self.headers.items()), body, status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, *_args: Any) -> None:
            pass  # a sender killed mid-request leaves a broken pipe: expected here

    server = Server(("127.0.0.1", 0), Handler)
    state = Receiver(
        f"http://127.0.0.1:{server.server_port}/hooks", fail_first, hold=threading.Event() if hold else None
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)


@dataclass
class Mailbox:
    port: int
    messages: list[tuple[list[str], Message, bytes]] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default), envelope.content)
        )
        return "250 OK"


@contextlib.contextmanager
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox(port=free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
