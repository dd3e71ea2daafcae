"""The app's signing key (the workspace's CSRF tokens and messages) is derived from the master key: no new
secret to set, the same in every process and after a restart, and never the master key itself."""

from __future__ import annotations

from coord.config import Config
from coord.web import _secret_key
from events.crypto import MasterKey


def _config(tmp_path, key: MasterKey) -> Config:
    return Config.from_env({"COORD_DATA_DIR": str(tmp_path), "COORD_MASTER_KEY": key.to_base64()})


def test_the_secret_key_is_derived_from_the_master_key(tmp_path):
    key = MasterKey.generate()
    first = _secret_key(_config(tmp_path, key))
    assert len(first) == 32 and first != key.key
    assert _secret_key(_config(tmp_path, key)) == first
    assert _secret_key(_config(tmp_path, MasterKey.generate())) != first
