"""Fixtures shared by every layer: stores (SQLite, and PostgreSQL when COORD_TEST_POSTGRES_URL is set),
the per-process Coord objects, the Flask app and client, and one token per role."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from coord.config import Config
from events.crypto import MasterKey
from events.signing import SigningKey

POSTGRES_URL = os.environ.get("COORD_TEST_POSTGRES_URL")
STORES = ["sqlite", "postgres"]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    if not POSTGRES_URL:
        pytest.skip("COORD_TEST_POSTGRES_URL is not set: PostgreSQL cases skipped")
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=5):
            pass
    except psycopg.OperationalError as error:
        pytest.fail(f"COORD_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached: {error}")
    return POSTGRES_URL


def throwaway_postgres(admin_url: str) -> Iterator[str]:
    name = f"coord_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'coord.db'}"
    else:
        yield from throwaway_postgres(request.getfixturevalue("postgres_admin_url"))


@pytest.fixture
def config(store_url: str, tmp_path: Path) -> Config:
    return Config.from_env(
        {
            "COORD_DATA_DIR": str(tmp_path / "data"),
            "COORD_DATABASE_URL": store_url,
            "COORD_MASTER_KEY": MasterKey.generate().to_base64(),
            "COORD_AUDIT_SIGNING_KEY": SigningKey.generate().to_base64(),
        }
    )


@pytest.fixture
def coord(config: Config):
    from coord.wiring import open_coord

    coord = open_coord(config)
    # Tests read reports right after writing: project every read model within the write, as a
    # serving process's projector thread would within moments.
    coord.service.after_write.append(lambda: (coord.service.projections.run(), coord.changes.notify()))
    yield coord
    coord.close()


@pytest.fixture
def app(coord):
    from coord.web import create_app

    app = create_app(coord=coord)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tokens(coord) -> dict[str, str]:
    """A token per role; case managers of two agencies, 'harbor' and 'gateway'."""
    made = {role: coord.tokens.create(role, None, "test")[1] for role in ("backbone", "auditor", "admin")}
    made["case_manager"] = coord.tokens.create("case_manager", "harbor", "test")[1]
    made["other_agency"] = coord.tokens.create("case_manager", "gateway", "test")[1]
    return made
