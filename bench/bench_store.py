"""The store a benchmark runs on: a fresh SQLite file, or the PostgreSQL database its `--url` names."""

from __future__ import annotations

import tempfile

from coord.config import Config
from coord.wiring import Coord, open_coord
from events.crypto import MasterKey


def open_store(url: str | None) -> Coord:
    env = {
        "COORD_DATA_DIR": tempfile.mkdtemp(prefix="coord-bench-"),
        "COORD_MASTER_KEY": MasterKey.generate().to_base64(),
    }
    if url:
        env["COORD_DATABASE_URL"] = url
    return open_coord(Config.from_env(env))
