"""Configuration, store URL mapping and the crypto primitives: no database needed."""

from __future__ import annotations

import base64
import stat
from uuid import uuid4

import pytest

from coord.config import Config, ConfigError
from events.crypto import CryptoError, MasterKey, open_sealed, seal
from events.pii import PII
from events.signing import SigningKey
from events.store import StoreURLError, library_env


def test_embedded_default_generates_a_private_key_once(tmp_path):
    first = Config.from_env({"COORD_DATA_DIR": str(tmp_path)})
    key_file = tmp_path / "master.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.database_url == f"sqlite:///{tmp_path / 'coord.db'}"
    assert Config.from_env({"COORD_DATA_DIR": str(tmp_path)}).master_key == first.master_key


def test_postgres_refuses_to_start_without_a_master_key(tmp_path):
    with pytest.raises(ConfigError, match="COORD_MASTER_KEY"):
        Config.from_env({"COORD_DATA_DIR": str(tmp_path), "COORD_DATABASE_URL": "postgresql://u@h/db"})
    assert not (tmp_path / "master.key").exists()


@pytest.mark.parametrize("bad", ["not base64!", base64.b64encode(b"short").decode()])
def test_malformed_master_keys_are_refused_without_echoing_them(tmp_path, bad):
    with pytest.raises(ConfigError) as error:
        Config.from_env({"COORD_DATA_DIR": str(tmp_path), "COORD_MASTER_KEY": bad})
    assert bad not in str(error.value)


@pytest.mark.parametrize(("name", "value"), [("COORD_PORT", "http"), ("COORD_PORT", "70000"), ("COORD_WORKERS", "0")])
def test_bad_numbers_are_config_errors(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        Config.from_env({"COORD_DATA_DIR": str(tmp_path), name: value})


def test_store_urls_map_onto_the_library_settings():
    assert library_env("sqlite:////var/lib/coord/coord.db")["SQLITE_DBNAME"] == "/var/lib/coord/coord.db"
    env = library_env("postgresql://coord:s%40cret@db.internal:6543/coord")
    assert (
        env["POSTGRES_HOST"],
        env["POSTGRES_PORT"],
        env["POSTGRES_USER"],
        env["POSTGRES_PASSWORD"],
        env["POSTGRES_DBNAME"],
    ) == ("db.internal", "6543", "coord", "s@cret", "coord")
    for bad in ("sqlite:///:memory:", "postgresql://host/", "mysql://x/y"):
        with pytest.raises(StoreURLError):
            library_env(bad)


def test_sealed_values_are_bound_to_their_owner():
    key = MasterKey.generate().key
    sealed = seal(key, b"Marisol", b"person-a")
    assert open_sealed(key, sealed, b"person-a") == b"Marisol"
    with pytest.raises(CryptoError):
        open_sealed(key, sealed, b"person-b")
    assert seal(key, b"Marisol", b"person-a") != sealed, "a fresh nonce every time"


def test_master_key_wraps_and_identifies_without_revealing():
    master = MasterKey.generate()
    wrapped = master.wrap(b"k" * 32, b"owner")
    assert master.unwrap(wrapped, b"owner") == b"k" * 32
    assert master.to_base64() not in repr(master) and len(master.key_id) == 16
    assert MasterKey.from_base64(master.to_base64()).key_id == master.key_id


def test_pii_never_shows_its_value():
    value = PII("Quillonia", uuid4())
    assert "Quillonia" not in repr(value) and "Quillonia" not in str(value)


def test_the_audit_signing_key_is_generated_when_embedded_and_optional_with_postgres(tmp_path):
    first = Config.from_env({"COORD_DATA_DIR": str(tmp_path)})
    key_file = tmp_path / "audit-signing.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Config.from_env({"COORD_DATA_DIR": str(tmp_path)}).audit_signing_key.key_id == first.audit_signing_key.key_id
    postgres = {
        "COORD_DATA_DIR": str(tmp_path / "pg"),
        "COORD_DATABASE_URL": "postgresql://u@h/db",
        "COORD_MASTER_KEY": MasterKey.generate().to_base64(),
    }
    assert Config.from_env(postgres).audit_signing_key is None
    given = SigningKey.generate()
    assert Config.from_env({**postgres, "COORD_AUDIT_SIGNING_KEY": given.to_base64()}).audit_signing_key.key_id == (
        given.key_id
    )
    with pytest.raises(ConfigError, match="COORD_AUDIT_SIGNING_KEY") as error:
        Config.from_env({**postgres, "COORD_AUDIT_SIGNING_KEY": "c2hvcnQ="})
    assert "c2hvcnQ=" not in str(error.value)


def test_signatures_verify_only_unchanged_and_with_the_same_key():
    key = SigningKey.generate()
    signature = key.sign(b"position 7")
    assert key.verifies(b"position 7", signature)
    assert not key.verifies(b"position 8", signature) and not key.verifies(b"position 7", "zz")
    assert not SigningKey.generate().verifies(b"position 7", signature)
    assert key.to_base64() not in repr(key)
