"""Configuration, read from the environment in this one place, with safe embedded defaults.

A missing secret where one is required (the master key with PostgreSQL) is a startup error.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from events.crypto import CryptoError, MasterKey
from events.signing import SigningKey, VerifyKey
from events.store import StoreURLError, library_env
from projections.reports.community import SECTIONS as PUBLIC_SECTIONS

log = logging.getLogger("coord")

KEY_FILE_NAME = "master.key"
SIGNING_KEY_FILE_NAME = "audit-signing.key"
#: What this process creates is its owner's only: the data dir 0700; the database, its -wal and -shm, the
#: keys and the lock file 0600 (SQLite gives its -wal and -shm the database file's mode).
PRIVATE_UMASK = 0o077
DATA_DIR_FILES = (KEY_FILE_NAME, SIGNING_KEY_FILE_NAME, "coord.lock")
SQLITE_FILE_SUFFIXES = ("", "-wal", "-shm")


class ConfigError(Exception):
    """The configuration cannot work; the message says which variable and why."""


@dataclass(frozen=True)
class Config:
    database_url: str
    data_dir: Path
    master_key: MasterKey = field(repr=False)
    previous_master_keys: tuple[MasterKey, ...] = field(default=(), repr=False)
    #: Where the master key came from: "COORD_MASTER_KEY", a file path, or the generated default file.
    master_key_source: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    threads: int = 8
    #: Counts from 1 to this minus one are hidden in demographic cuts.
    suppress_below: int = 11
    fz_window_months: int = 6
    #: The latest point-in-time count, for the chronic functional-zero threshold; None when not given.
    pit_count: int | None = None
    #: Days without contact after which an active person is marked inactive (no_contact).
    inactive_days: int = 90
    #: Days a handoff may wait in `requested` before the expiry job cancels it (reason code `expired`).
    handoff_expire_days: int = 30
    #: Day of the month on which the month-close job closes the previous month.
    month_close_day: int = 5
    #: How often a scheduler wakes to see which jobs are due, in seconds.
    jobs_tick_seconds: float = 60.0
    #: For drills and tests: the jobs read the time (ISO 8601) from this file instead of the system clock.
    jobs_clock_file: Path | None = None
    #: `coord serve` on the embedded store runs the scheduled jobs itself (off: a `coord scheduler` runs them).
    serve_jobs: bool = True
    #: How long a long-running process (serve, project, scheduler) waits for an unreachable store at start.
    store_wait_seconds: int = 300
    #: Signs audit heads; generated into the data dir when embedded and no public key is given, else optional.
    audit_signing_key: SigningKey | None = field(default=None, repr=False)
    #: Checks audit heads: COORD_AUDIT_PUBLIC_KEY, or the signing key's public half.
    audit_public_key: VerifyKey | None = None
    #: Where notification links point: the address users reach the app at (coord/notify/, docs/notifications.md).
    public_url: str = "http://127.0.0.1:8000"
    #: Deliveries of one notification before it is recorded `failed`.
    webhook_attempts: int = 8
    #: The wait before the second attempt, doubled for each later one (at most an hour).
    webhook_backoff_seconds: float = 30.0
    #: How long one webhook POST or SMTP conversation may take.
    webhook_timeout_seconds: float = 10.0
    #: The SMTP server that sends intake emails; None: email is not configured.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str = "coord@localhost"
    smtp_starttls: bool = False
    #: The sections of the public page /community (COORD_PUBLIC_SECTIONS); none: the page publishes nothing.
    public_sections: tuple[str, ...] = ()
    #: The public page's numbers are computed at most once per this many seconds per process.
    public_cache_seconds: int = 300
    #: Requests to the public page one client address may make per minute (429 beyond).
    public_rate_per_minute: int = 60

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql", "postgres:"))

    @property
    def default_key_file(self) -> Path:
        return self.data_dir / KEY_FILE_NAME

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        public_sections = _public_sections(env)  # before any key is generated: a bad setting stops the start
        data_dir = Path(env.get("COORD_DATA_DIR") or "coord-data").resolve()
        database_url = env.get("COORD_DATABASE_URL") or f"sqlite:///{data_dir / 'coord.db'}"
        try:
            store = library_env(database_url)
        except StoreURLError as error:
            raise ConfigError(f"COORD_DATABASE_URL: {error}") from None
        is_postgres = database_url.startswith(("postgresql", "postgres:"))
        _keep_private(data_dir, store.get("SQLITE_DBNAME"))
        master, source = _master_key(env, data_dir, generate=not is_postgres)
        previous = _read_key(env, "COORD_MASTER_KEY_PREVIOUS")
        return cls(
            database_url=database_url,
            data_dir=data_dir,
            master_key=master,
            previous_master_keys=(previous,) if previous else (),
            master_key_source=source,
            host=env.get("COORD_HOST") or "127.0.0.1",
            port=_int(env, "COORD_PORT", 8000, 1, 65535),
            workers=_int(env, "COORD_WORKERS", 1, 1, 64),
            threads=_int(env, "COORD_THREADS", 8, 1, 256),
            suppress_below=_int(env, "COORD_SUPPRESS_BELOW", 11, 1, 1000),
            fz_window_months=_int(env, "COORD_FZ_WINDOW_MONTHS", 6, 1, 36),
            pit_count=_int(env, "COORD_PIT_COUNT", None, 0, 100_000_000),
            inactive_days=_int(env, "COORD_INACTIVE_DAYS", 90, 1, 3650),
            handoff_expire_days=_int(env, "COORD_HANDOFF_EXPIRE_DAYS", 30, 1, 3650),
            month_close_day=_int(env, "COORD_MONTH_CLOSE_DAY", 5, 1, 28),
            jobs_tick_seconds=_seconds(env, "COORD_JOBS_TICK_SECONDS", 60.0, 0.1, 86_400.0),
            jobs_clock_file=Path(env["COORD_JOBS_CLOCK_FILE"]) if env.get("COORD_JOBS_CLOCK_FILE") else None,
            serve_jobs=_flag(env, "COORD_SERVE_JOBS", True),
            store_wait_seconds=_int(env, "COORD_STORE_WAIT_SECONDS", 300, 0, 86_400),
            public_url=_public_url(env),
            webhook_attempts=_int(env, "COORD_WEBHOOK_ATTEMPTS", 8, 1, 100),
            webhook_backoff_seconds=_seconds(env, "COORD_WEBHOOK_BACKOFF_SECONDS", 30.0, 0.1, 3600.0),
            webhook_timeout_seconds=_seconds(env, "COORD_WEBHOOK_TIMEOUT_SECONDS", 10.0, 0.1, 300.0),
            smtp_host=env.get("COORD_SMTP_HOST") or None,
            smtp_port=_int(env, "COORD_SMTP_PORT", 25, 1, 65535),
            smtp_user=env.get("COORD_SMTP_USER") or None,
            smtp_password=_secret(env, "COORD_SMTP_PASSWORD"),
            smtp_from=env.get("COORD_SMTP_FROM") or "coord@localhost",
            smtp_starttls=_flag(env, "COORD_SMTP_STARTTLS", False),
            public_sections=public_sections,
            public_cache_seconds=_int(env, "COORD_PUBLIC_CACHE_SECONDS", 300, 1, 86_400),
            public_rate_per_minute=_int(env, "COORD_PUBLIC_RATE_PER_MINUTE", 60, 1, 100_000),
            **_audit_keys(env, data_dir, generate=not is_postgres),
        )


def _keep_private(data_dir: Path, sqlite_file: str | None) -> None:
    """From here on the process creates files for its owner only; what an earlier run (or an older coord)
    left readable by other local users is made owner-only now (issue 11)."""
    os.umask(PRIVATE_UMASK)
    paths = [Path(f"{sqlite_file}{suffix}") for suffix in SQLITE_FILE_SUFFIXES] if sqlite_file else []
    paths += [data_dir / name for name in DATA_DIR_FILES]
    for path, mode in [(data_dir, 0o700), *((path, 0o600) for path in paths)]:
        try:
            if path.exists() and stat.S_IMODE(path.stat().st_mode) != mode:
                path.chmod(mode)
        except OSError as e:
            log.warning("cannot make %s readable by its owner only: %s", path, e.strerror)


def _int(env: Mapping[str, str], name: str, default: int | None, low: int, high: int) -> int | None:
    text = env.get(name)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    text = (env.get(name) or "").strip().lower()
    if not text:
        return default
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be on or off, got {env[name]!r}")


def _seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {text!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g} seconds, got {text}")
    return value


def _public_url(env: Mapping[str, str]) -> str:
    url = (env.get("COORD_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"COORD_PUBLIC_URL must start with http:// or https://, got {url[:80]!r}")
    return url


def _public_sections(env: Mapping[str, str]) -> tuple[str, ...]:
    """The sections named, in the page's order; an unknown name is an error naming it."""
    names = [name.strip() for name in (env.get("COORD_PUBLIC_SECTIONS") or "").split(",") if name.strip()]
    unknown = [name for name in names if name not in PUBLIC_SECTIONS]
    if unknown:
        raise ConfigError(
            f"COORD_PUBLIC_SECTIONS: unknown section {unknown[0][:40]!r}; the sections are {', '.join(PUBLIC_SECTIONS)}"
        )
    return tuple(name for name in PUBLIC_SECTIONS if name in names)


def _secret(env: Mapping[str, str], name: str) -> str | None:
    """A secret from NAME or from the file NAME_FILE names (trailing newline dropped)."""
    if env.get(name):
        return env[name]
    if env.get(f"{name}_FILE"):
        try:
            return Path(env[f"{name}_FILE"]).read_text().rstrip("\n")
        except OSError as e:
            raise ConfigError(f"{name}_FILE cannot be read: {e.strerror}") from None
    return None


def _read_key(env: Mapping[str, str], name: str) -> MasterKey | None:
    try:
        if env.get(name):
            return MasterKey.from_base64(env[name])
        if env.get(f"{name}_FILE"):
            return MasterKey.from_base64(Path(env[f"{name}_FILE"]).read_text())
    except OSError as e:
        raise ConfigError(f"{name}_FILE cannot be read: {e.strerror}") from None
    except CryptoError as e:
        raise ConfigError(f"{name}: {e}") from None
    return None


def _master_key(env: Mapping[str, str], data_dir: Path, *, generate: bool) -> tuple[MasterKey, str]:
    key = _read_key(env, "COORD_MASTER_KEY")
    if key is not None:
        return key, env.get("COORD_MASTER_KEY_FILE") if not env.get("COORD_MASTER_KEY") else "COORD_MASTER_KEY"
    if not generate:
        raise ConfigError(
            "COORD_MASTER_KEY or COORD_MASTER_KEY_FILE is required with PostgreSQL "
            "(base64 of 32 random bytes; see docs/keys.md)"
        )
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_key_file(path, MasterKey.generate())
        log.warning("generated a new master key in %s (mode 0600); back it up: without it no PII can be read", path)
    try:
        return MasterKey.from_base64(path.read_text()), str(path)
    except CryptoError as e:
        raise ConfigError(f"{path}: {e}") from None


def _audit_keys(env: Mapping[str, str], data_dir: Path, *, generate: bool) -> dict[str, Any]:
    """The audit signing key (where it is configured) and the public key that checks its heads. A given public
    key means the signing key lives elsewhere: none is generated beside the database then."""
    public = None
    if env.get("COORD_AUDIT_PUBLIC_KEY"):
        try:
            public = VerifyKey.from_base64(env["COORD_AUDIT_PUBLIC_KEY"])
        except CryptoError as e:
            raise ConfigError(f"COORD_AUDIT_PUBLIC_KEY: {e}") from None
    signing = _signing_key(env, data_dir, generate=generate and public is None)
    if public is not None and signing is not None and signing.key_id != public.key_id:
        raise ConfigError(
            f"COORD_AUDIT_PUBLIC_KEY (key {public.key_id}) is not the public half of the audit signing key "
            f"(key {signing.key_id})"
        )
    return {"audit_signing_key": signing, "audit_public_key": public or (signing.public if signing else None)}


def _signing_key(env: Mapping[str, str], data_dir: Path, *, generate: bool) -> SigningKey | None:
    name = "COORD_AUDIT_SIGNING_KEY"
    try:
        if env.get(name):
            return SigningKey.from_base64(env[name])
        if env.get(f"{name}_FILE"):
            return SigningKey.from_base64(Path(env[f"{name}_FILE"]).read_text())
        if not generate:
            return None  # only the processes that sign heads need it
        path = data_dir / SIGNING_KEY_FILE_NAME
        if not path.exists():
            data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_key_file(path, SigningKey.generate())
            log.warning("generated a new audit signing key in %s (mode 0600)", path)
        return SigningKey.from_base64(path.read_text())
    except OSError as e:
        raise ConfigError(f"{name}_FILE cannot be read: {e.strerror}") from None
    except CryptoError as e:
        raise ConfigError(f"{name}: {e}") from None


def write_key_file(path: Path, key: MasterKey | SigningKey) -> None:
    """Write a key file readable by its owner only, never briefly readable by others."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key.to_base64() + "\n")
