"""Issue 11's hardening findings 1, 8 and 9: an idempotent replay shows personal data only to whom may see it
now; text a database cannot store and integers too long to parse are refused with a 4xx before anything is
written (through HTTP, on SQLite and PostgreSQL); the data dir and its files are their owner's only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, table

from coord.config import Config
from coord.wiring import open_coord
from events.pii import REDACTED
from tests.support import auth, create_person, create_service

PII_SHOWN = {"first_name": "Ana", "last_name": "Lopez", "dob": "1990-05-06"}
PII_HIDDEN = dict.fromkeys(PII_SHOWN, REDACTED)


def _pii(body: dict) -> dict:
    return {name: body[name] for name in PII_SHOWN} | {"pii_visible": body["pii_visible"]}


# -- finding 1: visibility is decided now, also for a replay ---------------------------------------------


def test_a_replay_after_the_consent_is_revoked_is_redacted(client, tokens):
    owner, other = tokens["case_manager"], tokens["other_agency"]
    person = create_person(client, owner)
    url = f"/api/v1/persons/{person['id']}"
    granted = client.post(f"{url}/consents", json={"agencies": ["gateway"]}, headers=auth(owner))
    assert granted.status_code == 201, granted.json
    contact = {"effective_on": person["identified_on"]}
    first = client.post(f"{url}/contacts", json=contact, headers=auth(other, Idempotency_Key="contact-1"))
    assert first.status_code == 201, first.json
    assert _pii(first.json) == {**PII_SHOWN, "pii_visible": True}

    revoked = client.delete(f"{url}/consents/{granted.json['consents'][0]['id']}", headers=auth(owner))
    assert revoked.status_code == 200, revoked.json
    replay = client.post(f"{url}/contacts", json=contact, headers=auth(other, Idempotency_Key="contact-1"))

    assert replay.status_code == 201
    assert (replay.json["id"], replay.json["version"]) == (first.json["id"], first.json["version"])
    assert _pii(replay.json) == {**PII_HIDDEN, "pii_visible": False}
    assert _pii(client.get(url, headers=auth(other)).json) == {**PII_HIDDEN, "pii_visible": False}


def test_a_replay_after_erasure_is_redacted_and_says_erased(client, tokens):
    owner = tokens["case_manager"]
    person = create_person(client, owner)
    url = f"/api/v1/persons/{person['id']}"
    contact = {"effective_on": person["identified_on"]}
    first = client.post(f"{url}/contacts", json=contact, headers=auth(owner, Idempotency_Key="contact-1"))
    assert (first.status_code, _pii(first.json)) == (201, {**PII_SHOWN, "pii_visible": True})

    assert client.delete(f"{url}/pii", headers=auth(tokens["admin"])).status_code == 204
    replay = client.post(f"{url}/contacts", json=contact, headers=auth(owner, Idempotency_Key="contact-1"))

    assert (replay.status_code, replay.json["version"]) == (201, first.json["version"])
    assert _pii(replay.json) == {**PII_HIDDEN, "pii_visible": False}
    assert replay.json["erased"] is True


def test_a_replay_shows_the_data_to_whom_may_see_it_now(client, tokens):
    """The other way round: a consent recorded after the keyed write lets its agency see the replay."""
    owner, other = tokens["case_manager"], tokens["other_agency"]
    person = create_person(client, owner)
    url = f"/api/v1/persons/{person['id']}"
    contact = {"effective_on": person["identified_on"]}
    first = client.post(f"{url}/contacts", json=contact, headers=auth(other, Idempotency_Key="contact-1"))
    assert (first.status_code, _pii(first.json)) == (201, {**PII_HIDDEN, "pii_visible": False})

    granted = client.post(f"{url}/consents", json={"agencies": ["gateway"]}, headers=auth(owner))
    assert granted.status_code == 201, granted.json
    replay = client.post(f"{url}/contacts", json=contact, headers=auth(other, Idempotency_Key="contact-1"))

    assert (replay.status_code, replay.json["version"]) == (201, first.json["version"])
    assert _pii(replay.json) == {**PII_SHOWN, "pii_visible": True}
    assert replay.json["consents"] == []  # the stored version's fields, as the write answered them


# -- finding 8: text no database can store, numbers too long to read: a 4xx, and nothing written -----------

UNSTORABLE = {"a lone high surrogate": "\\ud800", "a lone low surrogate": "Ana\\udfff", "a NUL": "Ana\\u0000"}
STORABLE_RULE = "text may not hold NUL characters or unpaired surrogates"


def _row_counts(coord) -> dict[str, int]:
    """Every table's row count: the events, the keys, the idempotency records, the read models, the logs."""
    with coord.service.db.read() as connection:
        names = inspect(connection).get_table_names()
        return {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}


@pytest.fixture
def unstorable_targets(client, tokens):
    """(method, url, body with the text at {text}) for every free-text field a writer can send."""
    token = tokens["case_manager"]
    person = create_person(client, token)
    mine = create_service(client, token, "Outreach", "outreach")
    theirs = create_service(client, tokens["other_agency"], "Shelter", "emergency_shelter")
    handoff = f'"person_id": "{person["id"]}", "from_service_id": "{mine["id"]}", "to_service_id": "{theirs["id"]}"'
    requested = client.post(
        "/api/v1/handoffs",
        json={"person_id": person["id"], "from_service_id": mine["id"], "to_service_id": theirs["id"]},
        headers=auth(token),
    )
    assert requested.status_code == 201, requested.json
    identify = '"veteran": "no", "household_type": "youth"'
    return {
        "first_name": ("POST", "/api/v1/persons", f'{{"first_name": "{{text}}", {identify}}}'),
        "source": ("POST", "/api/v1/persons", f'{{"source": "{{text}}", {identify}}}'),
        "notes": ("PATCH", f"/api/v1/persons/{person['id']}", '{"notes": "{text}"}'),
        "name": ("POST", "/api/v1/services", '{"name": "{text}", "stage": "outreach"}'),
        "note": ("POST", "/api/v1/handoffs", f'{{{handoff}, "note": "{{text}}"}}'),
        "outcome": (
            "POST",
            f"/api/v1/handoffs/{requested.json['id']}/transitions",
            '{"to": "accepted", "outcome": "{text}"}',
        ),
    }


@pytest.mark.parametrize("text", UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_text_no_database_can_store_is_refused_and_nothing_is_written(client, tokens, coord, unstorable_targets, text):
    before = _row_counts(coord)
    for field, (method, url, body) in unstorable_targets.items():
        token = tokens["other_agency"] if field == "outcome" else tokens["case_manager"]
        response = client.open(
            url,
            method=method,
            data=body.replace("{text}", text).encode(),
            headers=auth(token, Content_Type="application/json", Idempotency_Key=f"unstorable-{field}"),
        )
        assert (response.status_code, response.json.get("errors")) == (422, {field: [STORABLE_RULE]}), field
    assert _row_counts(coord) == before


def test_unstorable_text_in_a_query_is_refused(client, tokens):
    response = client.get("/api/v1/reports/handoff-gaps?by=%00sex", headers=auth(tokens["backbone"]))
    assert (response.status_code, response.json["errors"]) == (422, {"by": [STORABLE_RULE]})


@pytest.mark.parametrize("field", ["destination", "handoff_window_days"])
def test_an_integer_too_long_to_read_is_refused_and_nothing_is_written(client, tokens, coord, field):
    token = tokens["case_manager"]
    person = create_person(client, token)
    before = _row_counts(coord)
    huge = "9" * 5000
    url, body = {
        "destination": (f"/api/v1/persons/{person['id']}/transitions", f'{{"to": "housed", "destination": {huge}}}'),
        "handoff_window_days": ("/api/v1/services", f'{{"name": "x", "stage": "outreach", "{field}": {huge}}}'),
    }[field]
    response = client.post(url, data=body, headers=auth(token, Content_Type="application/json", Idempotency_Key="k"))
    assert (response.status_code, response.json["message"]) == (400, "a number in the request body is too long")
    assert _row_counts(coord) == before


# -- finding 9: the data dir and everything in it are their owner's only -----------------------------------


@pytest.fixture
def everyday_umask():
    """The umask most shells give (022): files readable by every local user unless coord says otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _modes(data_dir: Path) -> dict[str, str]:
    found = {".": data_dir, **{path.name: path for path in data_dir.iterdir()}}
    return {name: oct(stat.S_IMODE(path.stat().st_mode)) for name, path in sorted(found.items())}


def _write_something(data_dir: Path) -> None:
    coord = open_coord(Config.from_env({"COORD_DATA_DIR": str(data_dir)}))
    try:
        coord.tokens.create("admin", None, "modes")
    finally:
        coord.close()


PRIVATE = {
    ".": "0o700",
    "audit-signing.key": "0o600",
    "coord.db": "0o600",
    "coord.db-shm": "0o600",
    "coord.db-wal": "0o600",
    "master.key": "0o600",
}


def test_a_new_data_dir_is_private(tmp_path, everyday_umask):
    data_dir = tmp_path / "data"
    coord = open_coord(Config.from_env({"COORD_DATA_DIR": str(data_dir)}))
    try:
        coord.tokens.create("admin", None, "modes")
        assert _modes(data_dir) == PRIVATE  # while it runs: the -wal and -shm exist
    finally:
        coord.close()


def test_a_data_dir_left_readable_is_made_private_at_start(tmp_path, everyday_umask):
    data_dir = tmp_path / "data"
    _write_something(data_dir)
    data_dir.chmod(0o755)
    for path in data_dir.iterdir():
        path.chmod(0o644)
    for name in ("coord.db-wal", "coord.db-shm"):  # as a crash leaves them
        (data_dir / name).touch(mode=0o644)
    Config.from_env({"COORD_DATA_DIR": str(data_dir)})
    assert _modes(data_dir) == PRIVATE
