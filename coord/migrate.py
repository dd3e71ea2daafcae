"""Brings the project's own tables up to date with Alembic (`coord db upgrade`, and at every start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from coord.config import ConfigError
from projections.db import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _alembic_config() -> AlembicConfig:
    if not (MIGRATIONS / "env.py").exists():
        raise ConfigError(f"migrations not found at {MIGRATIONS}: install coord from its source tree (pip install -e)")
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(db: Database) -> None:
    config = _alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
