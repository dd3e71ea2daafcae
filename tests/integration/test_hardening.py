"""Issue 11's hardening findings 1 and 8, through HTTP on SQLite and PostgreSQL: an idempotent replay shows
personal data only to whom may see it now; text a database cannot store and integers too long to parse are
refused with a 4xx before anything is written."""

from __future__ import annotations

from events.pii import REDACTED
from tests.support import auth, create_person

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
