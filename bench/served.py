"""The API as deployed: `coord serve` on 127.0.0.1 and a free port (gunicorn; on PostgreSQL with
COORD_WORKERS workers, and `coord project` following the log beside it), and the peak memory of its processes."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Served:
    base: str
    host: str
    port: int
    server: subprocess.Popen[bytes]

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) among the server and its workers."""
        pids = [self.server.pid, *_children(self.server.pid)]
        return max((_vm_hwm_kb(pid) for pid in pids), default=0) / 1024


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _vm_hwm_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict[str, str], log: object, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "coord", *args], env=env, stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def served(env: dict[str, str], *, projector: bool) -> Iterator[Served]:
    """`coord serve` until the block ends (and `coord project` following the log when `projector`). Their
    logs go to a temporary file; a traceback in them is reported on stderr."""
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        follower = _start(env, log, "project") if projector else None
        server = _start(env, log, "serve", "--host", "127.0.0.1", "--port", str(port))
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, server)
            yield Served(base, "127.0.0.1", port, server)
        finally:
            _stop(server)
            if follower is not None:
                _stop(follower)
            log.seek(0)
            text = log.read().decode(errors="replace")
            if "Traceback" in text:
                print(f"warning: the served processes logged a traceback:\n{text[-2000:]}", file=sys.stderr)


def _wait_ready(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"coord serve exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("coord serve did not become ready")
