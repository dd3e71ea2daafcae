"""Running `coord` as users do, in subprocesses: commands, a served API, and calls to it."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from events.crypto import MasterKey


def cli_environment(store_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    # The jobs run only in the tests about them: elsewhere a month close or a sweep would add events unasked.
    env.update(COORD_DATA_DIR=str(tmp_path / "data"), COORD_DATABASE_URL=store_url, COORD_SERVE_JOBS="off")
    if store_url.startswith("postgresql"):
        key_file = tmp_path / "master.key"
        key_file.write_text(MasterKey.generate().to_base64())
        env["COORD_MASTER_KEY_FILE"] = str(key_file)
    return env


def coord_cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "coord", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "coord", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(env: dict[str, str]) -> Iterator[str]:
    """`coord serve` on a free port until the block ends; yields its base URL. Its log must be clean."""
    port = free_port()
    server = start(env, "serve", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        _, log = server.communicate(timeout=20)
    assert "Traceback" not in log


def call(base: str, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def starter_tokens(env: dict[str, str]) -> dict[str, str]:
    """The starter tokens `make run` prints (no admin among them), and an admin token made as an operator would."""
    printed = coord_cli(env, "users", "starter").stdout
    made = dict(line.split() for line in printed.splitlines() if line.startswith("  "))
    made["admin"] = coord_cli(env, "users", "create", "--role", "admin", "--label", "operator").stdout.strip()
    return made
