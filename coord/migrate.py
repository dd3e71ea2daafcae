"""Brings the project's own tables up to date with Alembic (`coord db upgrade`, and at every start)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from coord.config import ConfigError
from projections.db import Database

#: The top-level `migrations` package: the repository's folder in a development install, a copy in site-packages
#: when coord is installed from its wheel.
MIGRATIONS_PACKAGE = "migrations"


def migrations_dir() -> Path:
    """Where Alembic's scripts are, wherever coord is installed. Alembic reads them as files, so they must be
    on disk (pip installs wheels unzipped)."""
    try:
        location = resources.files(MIGRATIONS_PACKAGE)
    except ModuleNotFoundError:
        location = None
    if not isinstance(location, Path) or not (location / "env.py").is_file():
        raise ConfigError("coord's migrations are missing from this installation: reinstall coord")
    return location


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def upgrade(db: Database) -> None:
    config = _alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
