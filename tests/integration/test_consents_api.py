"""A consent dated tomorrow can be revoked today, through the API, and its agency never sees the data."""

from __future__ import annotations

from datetime import timedelta

from events.dates import today
from events.pii import REDACTED
from tests.support import auth, create_person


def test_revoking_a_consent_before_it_starts(client, tokens):
    owner, other = tokens["case_manager"], tokens["other_agency"]
    person = create_person(client, owner)
    url = f"/api/v1/persons/{person['id']}"
    tomorrow = (today() + timedelta(days=1)).isoformat()
    granted = client.post(
        f"{url}/consents", json={"agencies": ["gateway"], "effective_on": tomorrow}, headers=auth(owner)
    )
    assert granted.status_code == 201, granted.json
    consent_id = granted.json["consents"][0]["id"]
    revoked = client.delete(f"{url}/consents/{consent_id}", headers=auth(owner))
    assert revoked.status_code == 200, revoked.json
    assert revoked.json["consents"][0]["revoked_on"] == today().isoformat()
    assert client.get(url, headers=auth(other)).json["first_name"] == REDACTED
    again = client.delete(f"{url}/consents/{consent_id}", headers=auth(owner))
    assert again.status_code == 409 and again.json["message"] == "consent is 'revoked'; it cannot be revoked again"
