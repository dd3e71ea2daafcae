"""The by-name list through HTTP, on SQLite and PostgreSQL: writes, conditional requests, idempotency,
consent-gated personal data, the access log and erasure."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support import auth, create_person, create_service, person_body

REDACTED = "[redacted]"


def test_identify_read_and_list(client, tokens):
    person = create_person(client, tokens["case_manager"], veteran="yes")
    assert person["status"] == "active" and person["first_name"] == "Ana" and person["birth_year"] == 1990
    assert set(person["populations"]) == {"all", "single_adults", "veterans"}

    response = client.get(f"/api/v1/persons/{person['id']}", headers=auth(tokens["case_manager"]))
    assert response.status_code == 200 and response.headers["ETag"] == '"1"'

    listed = client.get("/api/v1/persons?population=veterans&status=active", headers=auth(tokens["backbone"]))
    assert [p["id"] for p in listed.json["items"]] == [person["id"]]
    assert listed.json["items"][0]["first_name"] == REDACTED, "the backbone sees no personal data"
    assert client.get("/api/v1/persons?population=families", headers=auth(tokens["admin"])).json["items"] == []


def test_status_transitions_and_their_errors(client, tokens):
    token = tokens["case_manager"]
    person = create_person(client, token)
    url = f"/api/v1/persons/{person['id']}/transitions"

    housed = client.post(url, json={"to": "housed", "destination": 435}, headers=auth(token))
    assert housed.status_code == 201 and housed.json["status"] == "housed" and housed.headers["ETag"] == '"2"'

    again = client.post(url, json={"to": "housed", "destination": 435}, headers=auth(token))
    assert again.status_code == 409
    assert "housed" in again.json["message"]
    assert set(again.json) == {"code", "status", "message", "errors"}

    inactive = client.post(url, json={"to": "inactive", "reason": "left_area"}, headers=auth(token))
    assert (
        inactive.status_code == 409 and "housed" in inactive.json["message"] and "inactive" in inactive.json["message"]
    )

    early = (date.today() - timedelta(days=30)).isoformat()
    back = client.post(url, json={"to": "active", "effective_on": early}, headers=auth(token))
    assert back.status_code == 422, "a transition may not be dated before the latest one"

    future = (date.today() + timedelta(days=5)).isoformat()
    assert client.post(url, json={"to": "active", "effective_on": future}, headers=auth(token)).status_code == 422
    assert client.post(url, json={"to": "active"}, headers=auth(token)).json["status"] == "active"


def test_if_match_and_etag(client, tokens):
    token = tokens["case_manager"]
    person = create_person(client, token)
    contacts = f"/api/v1/persons/{person['id']}/contacts"
    assert client.post(contacts, json={}, headers=auth(token, If_Match='"1"')).status_code == 201
    stale = client.post(contacts, json={}, headers=auth(token, If_Match='"1"'))
    assert stale.status_code == 412
    assert client.post(contacts, json={}, headers=auth(token, If_Match="garbage")).status_code == 412
    assert client.post(contacts, json={}, headers=auth(token, If_Match='"2"')).headers["ETag"] == '"3"'


def test_same_idempotency_key_writes_once_and_answers_the_same(client, tokens, coord):
    token = tokens["case_manager"]
    before = coord.service.recorder.max_notification_id() or 0
    first = client.post(
        "/api/v1/persons",
        json={"first_name": "Idem", "veteran": "no", "household_type": "youth"},
        headers=auth(token, Idempotency_Key="create-1"),
    )
    second = client.post(
        "/api/v1/persons",
        json={"first_name": "Idem", "veteran": "no", "household_type": "youth"},
        headers=auth(token, Idempotency_Key="create-1"),
    )
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert coord.service.recorder.max_notification_id() == before + 1, "one event, not two"

    transition = f"/api/v1/persons/{first.json['id']}/transitions"
    body = {"to": "inactive", "reason": "no_contact"}
    one = client.post(transition, json=body, headers=auth(token, Idempotency_Key="t-1"))
    two = client.post(transition, json=body, headers=auth(token, Idempotency_Key="t-1"))
    assert one.status_code == two.status_code == 201 and one.json == two.json

    reused = client.post(transition, json={"to": "active"}, headers=auth(token, Idempotency_Key="t-1"))
    assert reused.status_code == 422, "a key reused for a different request is refused"


def test_failed_request_does_not_burn_its_idempotency_key(client, tokens):
    token = tokens["case_manager"]
    person = create_person(client, token)
    url = f"/api/v1/persons/{person['id']}/transitions"
    assert client.post(url, json={"to": "active"}, headers=auth(token, Idempotency_Key="k")).status_code == 409
    # The same key with a different request body is a new request after a failure.
    ok = client.post(url, json={"to": "inactive", "reason": "institution"}, headers=auth(token, Idempotency_Key="k"))
    assert ok.status_code == 201, ok.json


def test_consent_gates_personal_data_and_every_read_is_logged(client, tokens, coord):
    owner, other = tokens["case_manager"], tokens["other_agency"]
    person = create_person(client, owner)
    url = f"/api/v1/persons/{person['id']}"

    seen = client.get(url, headers=auth(other)).json
    assert seen["first_name"] == REDACTED and seen["pii_visible"] is False

    refused = client.post(f"{url}/consents", json={"agencies": ["gateway"]}, headers=auth(other))
    assert refused.status_code == 403, "only the identifying agency records consent"
    granted = client.post(f"{url}/consents", json={"agencies": ["gateway"]}, headers=auth(owner))
    assert granted.status_code == 201
    consent_id = granted.json["consents"][0]["id"]

    assert client.get(url, headers=auth(other, X_Purpose="coordination")).json["first_name"] == "Ana"

    assert client.delete(f"{url}/consents/{consent_id}", headers=auth(owner)).status_code == 200
    assert client.get(url, headers=auth(other)).json["first_name"] == REDACTED

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    expired = client.post(
        f"{url}/consents",
        json={"all": True, "expires_on": yesterday, "effective_on": (date.today() - timedelta(days=10)).isoformat()},
        headers=auth(owner),
    )
    assert expired.status_code == 201
    assert client.get(url, headers=auth(other)).json["first_name"] == REDACTED, "an expired consent shows nothing"

    log = coord.service.access.page(person_id=__import__("uuid").UUID(person["id"]))
    readers = [(entry["actor"], entry["purpose"]) for entry in log]
    other_id = coord.tokens.authenticate(other).id
    assert [p for a, p in readers if a == other_id] == ["GET /api/v1/persons/<uuid:person_id>: coordination"]
    assert len([a for a, _ in readers if a != other_id]) >= 2, "the owner's reads are logged too"


def test_change_attributes_moves_populations_and_pii_needs_visibility(client, tokens):
    owner, other = tokens["case_manager"], tokens["other_agency"]
    person = create_person(client, owner)
    url = f"/api/v1/persons/{person['id']}"
    changed = client.patch(url, json={"household_type": "family", "chronic": True}, headers=auth(other))
    assert changed.status_code == 200 and set(changed.json["populations"]) == {"all", "families", "chronic"}
    assert client.patch(url, json={"phone": "555-0100"}, headers=auth(other)).status_code == 403
    assert client.patch(url, json={"phone": "555-0100"}, headers=auth(owner)).json["phone"] == "555-0100"


def test_erasure(client, tokens, coord):
    token, admin = tokens["case_manager"], tokens["admin"]
    person = create_person(client, token, veteran="yes")
    url = f"/api/v1/persons/{person['id']}"
    outreach = create_service(client, token, "Outreach", "outreach")
    shelter = create_service(client, tokens["other_agency"], "Shelter", "emergency_shelter")
    handoff = client.post(
        "/api/v1/handoffs",
        json={
            "person_id": person["id"],
            "from_service_id": outreach["id"],
            "to_service_id": shelter["id"],
            "note": "Ana's cousin",
        },
        headers=auth(token),
    ).json
    housed = client.post(
        f"{url}/transitions", json={"to": "housed", "destination": 410}, headers=auth(token, Idempotency_Key="house")
    )
    assert housed.json["first_name"] == "Ana"

    assert client.delete(f"{url}/pii", headers=auth(token)).status_code == 403
    assert client.delete(f"{url}/pii", headers=auth(admin)).status_code == 204
    assert client.delete(f"{url}/pii", headers=auth(admin)).status_code == 204, "a repeated erasure is harmless"

    for who in ("case_manager", "admin", "backbone", "auditor"):
        body = client.get(url, headers=auth(tokens[who])).json
        assert body["first_name"] == body["dob"] == body["phone"] == REDACTED and body["erased"] is True
        assert body["status"] == "housed" and "veterans" in body["populations"], "counts and populations stay"
    listed = client.get("/api/v1/persons?population=veterans&status=housed", headers=auth(admin)).json["items"]
    assert [p["id"] for p in listed] == [person["id"]] and listed[0]["last_name"] == REDACTED
    assert client.get(f"/api/v1/handoffs/{handoff['id']}", headers=auth(admin)).json["note"] == REDACTED
    replayed = client.post(
        f"{url}/transitions", json={"to": "housed", "destination": 410}, headers=auth(token, Idempotency_Key="house")
    )
    assert replayed.status_code == 201 and replayed.json["first_name"] == REDACTED, "replays honour erasure"

    # Every event still replays, and the history is whole.
    person_id = __import__("uuid").UUID(person["id"])
    events = list(coord.service.events.get(person_id))
    assert [type(e).__name__ for e in events] == ["Identified", "Housed", "Erased"]
    assert coord.service.keystore.open(events[0].pii["first_name"]) is None
    assert coord.service.get_person(person_id, version=1).status == "active"

    writes = client.patch(url, json={"phone": "555-0100"}, headers=auth(admin))
    assert writes.status_code == 409, "no new personal data for an erased person"


def test_duplicates_for_admins_only(client, tokens):
    create_person(client, tokens["case_manager"], first_name="José", last_name="Núñez", dob="1985-01-02")
    create_person(client, tokens["other_agency"], first_name="jose ", last_name="NUNEZ", dob="1985-01-02")
    create_person(client, tokens["other_agency"], first_name="Jose", last_name="Nunez", dob="1985-01-03")
    assert client.get("/api/v1/persons/duplicates", headers=auth(tokens["case_manager"])).status_code == 403
    groups = client.get("/api/v1/persons/duplicates", headers=auth(tokens["admin"])).json
    assert len(groups) == 1 and len(groups[0]["person_ids"]) == 2


def test_roles_and_tokens(client, tokens):
    assert client.get("/api/v1/persons").status_code == 401
    assert client.get("/api/v1/persons", headers=auth("coord_nope_nope")).status_code == 401
    assert client.get("/api/v1/persons", headers={"Authorization": "Basic abc"}).status_code == 401
    body = {"veteran": "no", "household_type": "youth"}
    for role in ("backbone", "auditor"):
        assert client.post("/api/v1/persons", json=body, headers=auth(tokens[role])).status_code == 403


def test_paging(client, tokens):
    ids = {create_person(client, tokens["case_manager"])["id"] for _ in range(5)}
    seen, after = [], None
    while True:
        query = "limit=2" + (f"&after={after}" if after else "")
        page = client.get(f"/api/v1/persons?{query}", headers=auth(tokens["backbone"])).json
        seen += [p["id"] for p in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    assert sorted(seen) == sorted(ids)


def test_a_dob_gives_the_birth_year_and_one_contradicting_it_is_refused(client, tokens):
    token = tokens["case_manager"]
    refused = client.post("/api/v1/persons", json=person_body(dob="1990-05-06", birth_year=1991), headers=auth(token))
    assert (refused.status_code, refused.json["message"]) == (
        422,
        "dob contradicts birth_year: leave birth_year out, or give the dob's own year",
    )
    person = create_person(client, token, dob="1990-05-06", birth_year=1990)
    url = f"/api/v1/persons/{person['id']}"
    assert "birth_month" not in person, "the derived birth month is kept for reports, never shown"

    contradicted = client.patch(url, json={"dob": "1988-02-03", "birth_year": 1990}, headers=auth(token))
    assert contradicted.status_code == 422
    corrected = client.patch(url, json={"dob": "1988-02-03"}, headers=auth(token))
    assert (corrected.status_code, corrected.json["birth_year"], corrected.json["changed"]) == (
        200,
        1988,
        ["birth_year", "dob"],
    )
    too_old = client.patch(url, json={"dob": "1899-12-31"}, headers=auth(token))
    assert (too_old.status_code, too_old.json["message"]) == (422, "dob must be a date from 1900-01-01 to today")
    assert client.get(url, headers=auth(token)).json["version"] == 2, "nothing refused was recorded"
