"""coord installed from its wheel, as the Dockerfile installs it, is complete: the templates, static assets and
migrations are inside, `coord --help` runs, and `coord db upgrade` brings SQLite and PostgreSQL to the newest
revision.

The wheel is built from a copy of the files the Dockerfile copies (an in-tree build could pack stale files left
in build/), and installed with its dependencies from the package index into a fresh virtual environment: that
checks the wheel's own metadata too, and takes about 15 s with pip's cache (the machine reaches the index).
Every command runs from a folder outside the repository, so the source tree cannot be imported by accident.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from projections.db import Database
from tests.e2e.processes import cli_environment

ROOT = Path(__file__).resolve().parents[2]
#: What the Dockerfile's build stage copies: all a wheel is built from.
SOURCES = ("pyproject.toml", "README.md", "coord", "events", "projections", "migrations")
#: Folders whose every file the wheel must carry (beside the Python modules).
DATA_FOLDERS = ("coord/templates", "coord/static", "migrations")
INSTALL_SECONDS = 300
#: The first test also builds the wheel and installs it with its dependencies (longer with a cold pip cache).
pytestmark = pytest.mark.timeout(2 * INSTALL_SECONDS)


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args, cwd=cwd, env=env or _clean_env(), capture_output=True, text=True, timeout=INSTALL_SECONDS, check=False
    )
    assert result.returncode == 0, f"{args[:3]} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _clean_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment without anything that would put the source tree or the development venv on the path."""
    env = dict(os.environ if base is None else base)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def wheel_and_venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("wheel")
    assert not work.is_relative_to(ROOT)
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(work / "dist"), str(source)], work)
    (wheel,) = (work / "dist").glob("coord-*.whl")
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], work)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], work)
    return wheel, venv


def test_the_wheel_carries_the_templates_static_assets_and_migrations(wheel_and_venv):
    wheel, _venv = wheel_and_venv
    with zipfile.ZipFile(wheel) as archive:
        packed = set(archive.namelist())
    for folder in DATA_FOLDERS:
        in_repo = {
            path.relative_to(ROOT).as_posix()
            for path in (ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }
        assert {name for name in packed if name.startswith(f"{folder}/")} == in_repo
    assert "migrations/versions/0001_initial.py" in packed
    assert "migrations/env.py" in packed


def test_coord_runs_from_the_wheel_and_not_from_the_source_tree(wheel_and_venv, tmp_path):
    _wheel, venv = wheel_and_venv
    shown = _run([str(venv / "bin" / "coord"), "--help"], tmp_path).stdout
    assert shown.startswith("Usage: coord [OPTIONS] COMMAND [ARGS]...\n")
    for command in ("serve", "db", "project", "users", "keys", "verify"):
        assert f"\n  {command} " in shown
    where = "import coord, migrations; print(coord.__file__); print(migrations.__file__)"
    imported = _run([str(venv / "bin" / "python"), "-c", where], tmp_path).stdout.split()
    site_packages = next((venv / "lib").glob("python3*/site-packages")).resolve()
    assert [Path(path).resolve().relative_to(site_packages).as_posix() for path in imported] == [
        "coord/__init__.py",
        "migrations/__init__.py",
    ]


def test_db_upgrade_from_the_wheel_reaches_the_newest_revision(wheel_and_venv, store_url, tmp_path):
    _wheel, venv = wheel_and_venv
    env = _clean_env(cli_environment(store_url, tmp_path))
    result = _run([str(venv / "bin" / "coord"), "db", "upgrade"], tmp_path, env)
    assert result.stdout == "database is up to date\n"
    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    db = Database(store_url)
    try:
        with db.read() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
            assert connection.execute(text("SELECT count(*) FROM tokens")).scalar_one() == 0
    finally:
        db.dispose()
