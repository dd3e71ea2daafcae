"""`coord checkpoint` prints a signed head for the operator to keep elsewhere; `coord verify --against` checks the
log still extends it, with only the public key in its environment, and says how far the log is anchored."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from events.signing import SigningKey
from tests.e2e.processes import coord_cli

HEAD_FIELDS = {"position", "hash", "at", "key_id", "signature", "access_id", "access_hash"}


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_head_kept_elsewhere_catches_a_cut_log_with_only_the_public_key(cli_env, tmp_path):
    key = SigningKey.generate()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "audit-signing.key").write_text(key.to_base64())
    signer = {**cli_env, "COORD_AUDIT_SIGNING_KEY_FILE": str(elsewhere / "audit-signing.key")}
    verifier = {**cli_env, "COORD_AUDIT_PUBLIC_KEY": key.public.to_base64()}

    coord_cli(signer, "demo", "--persons", "4", "--months", "1")
    made = coord_cli(signer, "checkpoint")
    head = json.loads(made.stdout)
    assert set(head) == HEAD_FIELDS and head["key_id"] == key.key_id
    assert (head["access_id"], head["access_hash"]) == (0, "0" * 64), "the demo reads no personal data"
    head_file = elsewhere / "head.json"
    head_file.write_text(made.stdout)
    p = head["position"]

    ok = coord_cli(verifier, "verify", "--against", str(head_file))
    assert ok.stdout.splitlines() == [
        f"ok: {p} events verified against the audit chain, 1 signed heads in the database checked",
        f"anchored up to position {p} of {p} by the head in {head_file}",
        "access log: 0 entries verified, anchored up to entry 0 of 0",
    ]
    assert not (Path(cli_env["COORD_DATA_DIR"]) / "audit-signing.key").exists(), "no signing key beside the database"
    refused = coord_cli(verifier, "checkpoint", check=False)
    assert refused.returncode == 1 and "COORD_AUDIT_SIGNING_KEY" in refused.stderr

    database = cli_env["COORD_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:  # cut the last 3 events, their chain and the checkpoint
        connection.execute("DELETE FROM stored_events WHERE rowid > ?", (p - 3,))
        connection.execute("DELETE FROM audit_chain WHERE position > ?", (p - 3,))
        connection.execute("DELETE FROM audit_checkpoints")
        connection.execute("UPDATE projection_positions SET position = ? WHERE name = 'audit_chain'", (p - 3,))
    alone = coord_cli(verifier, "verify")
    assert alone.stdout.splitlines()[1] == f"anchored up to position 0 of {p - 3} by signed heads in the database only"
    cut = coord_cli(verifier, "verify", "--against", str(head_file), check=False)
    assert cut.returncode == 1 and cut.stdout == ""
    assert cut.stderr.strip() == (
        f"Error: the log does not verify: the log stops at position {p - 3}, before the signed head at position {p}"
    )


def test_a_head_file_that_cannot_be_read_is_one_line(cli_env, tmp_path):
    coord_cli(cli_env, "db", "upgrade")
    missing = coord_cli(cli_env, "verify", "--against", str(tmp_path / "none.json"), check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"Error: {tmp_path / 'none.json'} cannot be read: No such file or directory"
    (tmp_path / "bad.json").write_text("{not json")
    bad = coord_cli(cli_env, "verify", "--against", str(tmp_path / "bad.json"), check=False)
    assert (
        bad.returncode == 1 and bad.stderr.strip() == f"Error: {tmp_path / 'bad.json'} is not a signed head: not JSON"
    )
    (tmp_path / "list.json").write_text("[]")
    shape = coord_cli(cli_env, "verify", "--against", str(tmp_path / "list.json"), check=False)
    assert shape.returncode == 1 and shape.stderr.strip().startswith("Error: a signed head is a JSON object with")
