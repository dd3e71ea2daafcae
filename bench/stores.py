"""The stores a benchmark runs on: a fresh SQLite file, or a throwaway PostgreSQL database created beside the
one a URL names and dropped afterwards (as tests/conftest.py does); and the environment coord runs with there."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from coord.config import Config
from coord.wiring import Coord, open_coord
from events.crypto import MasterKey
from events.signing import SigningKey

#: The most gunicorn workers the served API gets on PostgreSQL (SQLite serves from one process).
WORKERS = 4


@dataclass(frozen=True)
class Store:
    name: str  # "sqlite" or "postgresql"
    #: The variables coord reads, for this process and for the served ones alike.
    env: dict[str, str]

    def open(self) -> Coord:
        return open_coord(Config.from_env(self.env))

    def process_env(self) -> dict[str, str]:
        """The environment of a `coord` subprocess: ours without stray COORD_ variables, plus the store's."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
        return {**env, **self.env}


def _coord_env(data_dir: Path, database_url: str) -> dict[str, str]:
    return {
        "COORD_DATA_DIR": str(data_dir),
        "COORD_DATABASE_URL": database_url,
        "COORD_MASTER_KEY": MasterKey.generate().to_base64(),
        "COORD_AUDIT_SIGNING_KEY": SigningKey.generate().to_base64(),
        # Scheduled jobs would add events of their own while we measure.
        "COORD_SERVE_JOBS": "off",
    }


@contextlib.contextmanager
def sqlite_store() -> Iterator[Store]:
    with tempfile.TemporaryDirectory(prefix="coord-bench-") as directory:
        data = Path(directory) / "data"
        yield Store("sqlite", _coord_env(data, f"sqlite:///{Path(directory) / 'coord.db'}"))


@contextlib.contextmanager
def postgres_store(admin_url: str) -> Iterator[Store]:
    name = f"coord_bench_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="coord-bench-") as directory:
            url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
            env = _coord_env(Path(directory) / "data", url)
            # Several API processes, as deployed (docs/deployment.md has 4), but no more than there are cores.
            env["COORD_WORKERS"] = str(min(WORKERS, os.cpu_count() or 1))
            yield Store("postgresql", env)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def store(kind: str, admin_url: str | None = None) -> contextlib.AbstractContextManager[Store]:
    return postgres_store(admin_url) if kind == "postgresql" else sqlite_store()
