"""External anchoring of the audit, on SQLite and PostgreSQL: a signed head taken with `coord checkpoint` and
kept away from the database catches a log cut short or rewritten (events and their chain), even when every
checkpoint in the database went with it; checking needs only the public key; the access log is chained."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import DateTime, column, insert, table, text

from coord.config import Config, ConfigError
from coord.service import audit
from coord.service.principal import Principal
from events.crypto import MasterKey
from events.errors import NotFoundError, RuleError
from events.signing import SigningKey, VerifyKey
from tests.support import auth

CASE_MANAGER = Principal("t", "case_manager", "harbor")
AUDITOR = Principal("a", "auditor", None)
HEAD_FIELDS = {"position", "hash", "at", "key_id", "signature", "access_id", "access_hash"}
ALTER = (
    "UPDATE stored_events SET state = CAST(state || x'20' AS BLOB) WHERE rowid = :p",
    "UPDATE coord_events SET state = state || '\\x20'::bytea WHERE notification_id = :p",
)
DELETE_AFTER = (
    "DELETE FROM stored_events WHERE rowid > :p",
    "DELETE FROM coord_events WHERE notification_id > :p",
)


def _people(coord, count: int) -> list:
    """Each person: two events, and one read of their personal data (one access-log entry)."""
    app, people = coord.service, []
    for i in range(count):
        person = app.identify_person(
            CASE_MANAGER,
            attributes={"veteran": "no", "household_type": "family"},
            pii={"first_name": f"Name{i}"},
            effective_on=date(2026, 1, 5),
        )
        app.record_contact(CASE_MANAGER, person.id, effective_on=date(2026, 1, 9))
        app.read_person(CASE_MANAGER, person.id, "home visit")
        people.append(person)
    app.audit_chain.run()
    return people


def _sql(coord, statements: tuple[str, str], **params) -> None:
    with coord.db.engine.begin() as connection:
        connection.execute(text(statements[0] if coord.db.is_sqlite else statements[1]), params)


def _positions(coord) -> list[int]:
    with coord.db.read() as connection:
        return list(connection.execute(text("SELECT position FROM audit_chain ORDER BY position")).scalars())


def _access_ids(coord) -> list[int]:
    with coord.db.read() as connection:
        return list(connection.execute(text("SELECT id FROM access_log ORDER BY id")).scalars())


def _verify(coord, head=None) -> dict:
    return audit.verify(coord, AUDITOR, head)


def _rechain_from_scratch(coord) -> None:
    """What an attacker who can write the database does after altering events: drop the chain and every
    checkpoint, and let the projector chain the altered log again."""
    with coord.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_chain"))
        connection.execute(text("DELETE FROM audit_checkpoints"))
        connection.execute(text("UPDATE projection_positions SET position = 0 WHERE name = 'audit_chain'"))
    coord.service.audit_chain.run()


def _verifier(coord, tmp_path: Path, **keys: str):
    """Another process on the same store, with only the keys given (as an auditor's host would have)."""
    from coord.wiring import open_coord

    environ = {
        "COORD_DATA_DIR": str(tmp_path / "verifier"),
        "COORD_DATABASE_URL": coord.config.database_url,
        "COORD_MASTER_KEY": MasterKey.generate().to_base64(),
        **keys,
    }
    return open_coord(Config.from_env(environ))


def test_a_signed_head_covers_the_events_and_the_access_log(coord):
    _people(coord, 2)
    head = audit.checkpoint(coord)
    assert set(head) == HEAD_FIELDS and head["at"].endswith("Z")
    with coord.db.read() as connection:
        chain_hash = connection.execute(text("SELECT hash FROM audit_chain ORDER BY position DESC")).first()[0]
        access_hash = connection.execute(text("SELECT hash FROM access_log ORDER BY id DESC")).first()[0]
    assert (head["position"], head["hash"]) == (_positions(coord)[-1], chain_hash)
    assert (head["access_id"], head["access_hash"]) == (_access_ids(coord)[-1], access_hash)
    assert head["key_id"] == coord.config.audit_signing_key.key_id
    assert audit.checkpoint(coord) == head, "one head per position while nothing changed"
    assert json.loads(json.dumps(head)) == head

    verdict = _verify(coord, head)
    assert verdict["ok"] is True and verdict["problem"] is None
    assert (verdict["checked"], verdict["last_position"], verdict["anchored_to"], verdict["against"]) == (
        4,
        head["position"],
        head["position"],
        head["position"],
    )
    assert (verdict["access_checked"], verdict["access_last_id"], verdict["access_anchored_to"]) == (
        2,
        head["access_id"],
        head["access_id"],
    )
    assert verdict["checkpoints"] == 1


def test_a_head_is_signed_again_when_only_the_access_log_grew(coord):
    people = _people(coord, 1)
    first = audit.checkpoint(coord)
    coord.service.read_person(CASE_MANAGER, people[0].id, "follow-up")
    second = audit.checkpoint(coord)
    assert second["position"] == first["position"] and second["access_id"] == _access_ids(coord)[-1]
    assert second["access_id"] > first["access_id"] and second["signature"] != first["signature"]
    assert _verify(coord, first)["ok"] and _verify(coord, second)["ok"], "the log extends both"


def test_events_cut_after_the_last_checkpoint_are_caught_by_a_head_kept_elsewhere(coord):
    _people(coord, 1)
    kept_in_database = audit.checkpoint(coord)
    _people(coord, 2)
    kept_elsewhere = audit.checkpoint(coord)  # the operator's copy; the attacker deletes the database's one
    _sql(coord, DELETE_AFTER, p=kept_in_database["position"])
    with coord.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_chain WHERE position > :p"), {"p": kept_in_database["position"]})
        connection.execute(
            text("DELETE FROM audit_checkpoints WHERE position > :p"), {"p": kept_in_database["position"]}
        )
        connection.execute(
            text("UPDATE projection_positions SET position = :p WHERE name = 'audit_chain'"),
            {"p": kept_in_database["position"]},
        )

    alone = _verify(coord)
    assert alone["ok"] is True, "the database alone cannot tell: this is why heads are kept elsewhere"
    assert (alone["anchored_to"], alone["last_position"]) == (kept_in_database["position"],) * 2
    verdict = _verify(coord, kept_elsewhere)
    assert verdict["ok"] is False and verdict["position"] == kept_elsewhere["position"]
    assert verdict["problem"] == (
        f"the log stops at position {kept_in_database['position']}, before the signed head at position "
        f"{kept_elsewhere['position']}"
    )
    assert verdict["anchored_to"] == 0


def test_an_event_altered_and_rechained_from_scratch_is_caught_by_a_head_kept_elsewhere(coord):
    _people(coord, 2)
    head = audit.checkpoint(coord)
    _sql(coord, ALTER, p=_positions(coord)[1])
    _rechain_from_scratch(coord)

    alone = _verify(coord)
    assert alone["ok"] is True and alone["checkpoints"] == 0 and alone["anchored_to"] == 0
    verdict = _verify(coord, head)
    assert verdict["ok"] is False and verdict["position"] == head["position"]
    assert verdict["problem"] == (
        f"the log was altered at or before position {head['position']}: it no longer extends the head signed there"
    )


def test_a_head_from_another_key_or_altered_does_not_verify(coord):
    _people(coord, 1)
    head = audit.checkpoint(coord)
    moved = {**head, "position": head["position"] - 1}
    assert _verify(coord, moved)["problem"] == (
        f"the head at position {moved['position']} does not carry a valid signature"
    )
    other = SigningKey.generate()
    foreign = {**head, "key_id": other.key_id}
    assert _verify(coord, foreign)["problem"] == (
        f"the head at position {head['position']} was signed by another key ({other.key_id})"
    )
    for bad, reason in [
        ([], "a signed head is a JSON object with exactly position, hash, at, key_id, signature, access_id, "),
        ({**head, "hash": "XYZ"}, "the head's hash must be 64 lowercase hexadecimal digits"),
        ({**head, "position": True}, "the head's position must be a whole number from 1"),
        ({**head, "position": 2**63}, "the head's position must be a whole number from 1"),
        ({**head, "at": "yesterday"}, "the head's at must be an ISO 8601 time in UTC"),
        ({**head, "access_hash": None}, "the head's access_id and access_hash go together"),
    ]:
        with pytest.raises(RuleError) as error:
            _verify(coord, bad)
        assert str(error.value).startswith(reason)


def test_verification_needs_only_the_public_key(coord, tmp_path):
    _people(coord, 1)
    head = audit.checkpoint(coord)
    public = coord.config.audit_signing_key.public.to_base64()
    verifier = _verifier(coord, tmp_path, COORD_AUDIT_PUBLIC_KEY=public)
    try:
        assert verifier.config.audit_signing_key is None
        assert not (tmp_path / "verifier" / "audit-signing.key").exists(), "no key generated beside the database"
        verdict = audit.verify(verifier, AUDITOR, head)
        assert verdict["ok"] is True and verdict["checkpoints"] == 1 and verdict["anchored_to"] == head["position"]
        with pytest.raises(ConfigError, match="COORD_AUDIT_SIGNING_KEY"):
            audit.checkpoint(verifier)
    finally:
        verifier.close()


def test_a_public_key_that_is_not_the_signing_keys_half_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="is not the public half of the audit signing key"):
        Config.from_env(
            {
                "COORD_DATA_DIR": str(tmp_path),
                "COORD_AUDIT_SIGNING_KEY": SigningKey.generate().to_base64(),
                "COORD_AUDIT_PUBLIC_KEY": SigningKey.generate().public.to_base64(),
            }
        )
    with pytest.raises(ConfigError, match="COORD_AUDIT_PUBLIC_KEY: audit public key must be 32 bytes"):
        Config.from_env({"COORD_DATA_DIR": str(tmp_path), "COORD_AUDIT_PUBLIC_KEY": "c2hvcnQ="})
    key = SigningKey.generate()
    assert VerifyKey.from_base64(key.public.to_base64()).key_id == key.key_id


def test_a_checkpoint_in_the_database_is_never_left_unchecked(coord, tmp_path):
    _people(coord, 1)
    head = audit.checkpoint(coord)
    verifier = _verifier(coord, tmp_path)  # no audit key given at all
    try:
        verdict = audit.verify(verifier, AUDITOR)
    finally:
        verifier.close()
    assert verdict["ok"] is False and verdict["position"] == head["position"]
    if coord.db.is_sqlite:  # the embedded default: a key generated beside the database, not the signer's
        assert verdict["problem"].startswith(f"the head at position {head['position']} was signed by another key")
    else:
        assert verdict["problem"] == (
            f"the signed head at position {head['position']} cannot be checked: no COORD_AUDIT_PUBLIC_KEY"
        )


def test_a_forged_checkpoint_in_the_database_does_not_verify(coord):
    _people(coord, 1)
    head = audit.checkpoint(coord)
    with coord.db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_checkpoints SET hash = :h"), {"h": "0" * 64})
    verdict = _verify(coord)
    assert verdict["ok"] is False and verdict["position"] == head["position"]
    assert verdict["problem"] == f"the head at position {head['position']} does not carry a valid signature"


@pytest.mark.parametrize("tamper", ["alter", "delete a middle entry"])
def test_an_access_log_entry_altered_or_removed_is_caught(coord, tamper):
    _people(coord, 3)
    _first, middle, last = _access_ids(coord)
    with coord.db.engine.begin() as connection:
        if tamper == "alter":
            connection.execute(text("UPDATE access_log SET purpose = 'nothing to see' WHERE id = :i"), {"i": middle})
        else:
            connection.execute(text("DELETE FROM access_log WHERE id = :i"), {"i": middle})
    verdict = _verify(coord)
    named = middle if tamper == "alter" else last
    assert verdict["ok"] is False and verdict["entry"] == named and verdict["position"] is None
    assert verdict["problem"] == f"the access-log entry {named} was altered, or an entry just before it was removed"
    assert verdict["access_checked"] == 1


def test_access_log_entries_cut_from_its_end_are_caught_by_a_head(coord):
    _people(coord, 3)
    head = audit.checkpoint(coord)
    _first, middle, _last = _access_ids(coord)
    with coord.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM access_log WHERE id > :i"), {"i": middle})
        connection.execute(text("DELETE FROM audit_checkpoints"))
    assert _verify(coord)["ok"] is True
    verdict = _verify(coord, head)
    assert verdict["ok"] is False
    assert (
        verdict["problem"]
        == f"the access log stops at entry {middle}, before entry {head['access_id']} of the signed head"
    )


def test_the_latest_head_through_http_is_for_auditors_and_admins(client, coord, tokens):
    latest = "/api/v1/audit/checkpoints/latest"
    missing = client.get(latest, headers=auth(tokens["auditor"]))
    assert missing.status_code == 404 and "coord checkpoint" in missing.json["message"]
    _people(coord, 1)
    head = audit.checkpoint(coord)
    for role in ("auditor", "admin"):
        assert client.get(latest, headers=auth(tokens[role])).json == head, role
    for role in ("backbone", "case_manager"):
        assert client.get(latest, headers=auth(tokens[role])).status_code == 403, role
    body = client.get("/api/v1/audit/verify", headers=auth(tokens["auditor"])).json
    assert body["ok"] is True and body["anchored_to"] == head["position"] and body["checkpoints"] == 1
    assert body["access_anchored_to"] == head["access_id"]


def test_an_empty_log_has_no_head(coord):
    with pytest.raises(RuleError, match="the log is empty"):
        audit.checkpoint(coord)
    with pytest.raises(NotFoundError):
        audit.latest_checkpoint(coord, AUDITOR)
    verdict = _verify(coord)
    assert verdict["ok"] is True and (verdict["anchored_to"], verdict["last_position"]) == (0, 0)


def test_entries_written_before_the_access_log_was_chained_are_chained_by_the_migration(coord):
    from alembic import command

    from coord.migrate import _alembic_config

    people = _people(coord, 2)
    config = _alembic_config()
    with coord.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    with coord.db.engine.begin() as connection:
        old_log = table("access_log", *(column(name) for name in ("actor", "role", "person_id", "fields", "purpose")))
        old_log.append_column(column("at", DateTime(timezone=True)))
        connection.execute(
            insert(old_log).values(
                at=datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC),
                actor="old",
                role="admin",
                person_id=people[0].id.hex,
                fields="first_name",
                purpose="written before 0008",
            )
        )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    verdict = _verify(coord)
    assert (
        verdict["ok"] is True and verdict["access_checked"] == 3 and verdict["access_last_id"] == _access_ids(coord)[-1]
    )
    coord.service.read_person(CASE_MANAGER, people[1].id, "after 0008")
    with coord.db.engine.begin() as connection:
        connection.execute(text("UPDATE access_log SET actor = 'someone else' WHERE actor = 'old'"))
    verdict = _verify(coord)
    assert verdict["ok"] is False and verdict["entry"] == _access_ids(coord)[2]


def test_entries_written_at_once_by_many_threads_form_one_chain(coord):
    from concurrent.futures import ThreadPoolExecutor

    (person,) = _people(coord, 1)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda i: coord.service.read_person(CASE_MANAGER, person.id, f"visit {i}"), range(30)))
    verdict = _verify(coord)
    assert (
        verdict["ok"] is True
        and verdict["access_checked"] == 31
        and verdict["access_last_id"] == _access_ids(coord)[-1]
    )
