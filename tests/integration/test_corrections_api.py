"""Corrections through HTTP, on SQLite and PostgreSQL: an entry voided as entered in error leaves every fold
(the person, the list, /counts and the monthly report of past months), and who may void what."""

from __future__ import annotations

from datetime import date, timedelta

from events.dates import today
from projections.reports.months import add_months, label, month_of
from tests.support import auth, create_person, create_service


def _monthly(client, token: str, first: date, population: str, metric: str) -> dict[str, int]:
    query = {"from": label(first), "to": label(month_of(today()))}
    response = client.get("/api/v1/reports/monthly", query_string=query, headers=auth(token))
    assert response.status_code == 200, response.json
    return {row["month"]: row[metric] for row in response.json["rows"] if row["population"] == population}


def _active(client, token: str) -> dict[str, int]:
    response = client.get("/api/v1/reports/counts", headers=auth(token))
    assert response.status_code == 200, response.json
    return {row["population"]: row["active"] for row in response.json["rows"]}


def _void(client, token: str, person_id: str, voids: int, reason: str = "entered_in_error", **headers: str):
    body = {"voids": voids, "reason": reason}
    return client.post(f"/api/v1/persons/{person_id}/corrections", json=body, headers=auth(token, **headers))


def _listed(client, token: str, person_id: str) -> dict:
    rows = client.get("/api/v1/persons", query_string={"limit": 200}, headers=auth(token)).json["items"]
    return next(row for row in rows if row["id"] == person_id)


def test_a_contact_entered_in_error_is_voided(client, tokens, coord):
    writer = tokens["case_manager"]
    identified = today() - timedelta(days=20)
    person = create_person(client, writer, effective_on=identified.isoformat())
    url = f"/api/v1/persons/{person['id']}"
    seen = client.post(
        f"{url}/contacts", json={"effective_on": (today() - timedelta(days=2)).isoformat()}, headers=auth(writer)
    )
    assert seen.json["last_contact_on"] == (today() - timedelta(days=2)).isoformat()
    voided = _void(client, writer, person["id"], seen.json["version"], note="recorded on the wrong file")
    assert voided.status_code == 201, voided.json
    assert voided.json["last_contact_on"] == identified.isoformat() and voided.json["version"] == 3
    assert _listed(client, writer, person["id"])["last_contact_on"] == identified.isoformat()
    assert client.get(url, headers=auth(writer)).json["last_contact_on"] == identified.isoformat()
    again = _void(client, writer, person["id"], 2)
    assert again.status_code == 422 and "already voided" in again.json["message"]
    # The note is personal data: sealed in the log, like notes.
    stored = coord.service.recorder.select_notifications(start=1, limit=1000)
    assert any(b"entered_in_error" in notification.state for notification in stored), "the log is read in clear"
    assert not any(b"wrong file" in notification.state for notification in stored)


def test_a_voided_attribute_change_revises_the_past_months(client, tokens):
    writer, reader = tokens["case_manager"], tokens["backbone"]
    this_month = month_of(today())
    identified = add_months(this_month, -4)
    person = create_person(client, writer, veteran="no", effective_on=identified.isoformat())
    url = f"/api/v1/persons/{person['id']}"
    body = {"veteran": "yes", "effective_on": add_months(this_month, -2).isoformat()}
    changed = client.patch(url, json=body, headers=auth(writer))
    assert changed.json["changed"] == ["veteran"]
    assert _monthly(client, reader, identified, "veterans", "actively_homeless")[label(add_months(this_month, -2))] == 1

    voided = _void(client, writer, person["id"], changed.json["version"], reason="wrong_person")
    assert voided.status_code == 201, voided.json
    assert voided.json["veteran"] == "no" and "veterans" not in voided.json["populations"]
    assert set(_monthly(client, reader, identified, "veterans", "actively_homeless").values()) == {0}
    assert _active(client, reader)["veterans"] == 0
    assert _listed(client, writer, person["id"])["veteran"] == "no"


def test_a_wrong_housed_is_undone_without_counting_a_return(client, tokens):
    writer, reader = tokens["case_manager"], tokens["backbone"]
    identified = add_months(month_of(today()), -1)
    person = create_person(client, writer, effective_on=identified.isoformat())
    url = f"/api/v1/persons/{person['id']}"
    housed = client.post(f"{url}/transitions", json={"to": "housed", "destination": 410}, headers=auth(writer))
    assert housed.status_code == 201 and _active(client, reader)["all"] == 0
    voided = _void(client, writer, person["id"], housed.json["version"])
    assert voided.status_code == 201, voided.json
    assert voided.json["status"] == "active" and voided.json["last_transition_on"] == identified.isoformat()
    assert _listed(client, writer, person["id"])["status"] == "active"
    assert _active(client, reader)["all"] == 1
    assert set(_monthly(client, reader, identified, "all", "returned_from_housing").values()) == {0}
    assert set(_monthly(client, reader, identified, "all", "housing_placements").values()) == {0}


def test_a_death_entered_in_error_is_undone_by_the_identifying_agency(client, tokens):
    writer, reader = tokens["case_manager"], tokens["backbone"]
    person = create_person(client, writer)
    url = f"/api/v1/persons/{person['id']}"
    died = client.post(f"{url}/transitions", json={"to": "inactive", "reason": "deceased"}, headers=auth(writer))
    assert died.status_code == 201
    assert _void(client, tokens["other_agency"], person["id"], died.json["version"]).status_code == 403
    assert _void(client, reader, person["id"], died.json["version"]).status_code == 403
    voided = _void(client, tokens["admin"], person["id"], died.json["version"])
    assert voided.status_code == 201, voided.json
    assert voided.json["status"] == "active" and voided.json["inactive_reason"] is None
    assert _active(client, reader)["all"] == 1


def test_what_may_not_be_voided(client, tokens):
    writer = tokens["case_manager"]
    person = create_person(client, writer)
    url = f"/api/v1/persons/{person['id']}"
    client.post(f"{url}/transitions", json={"to": "housed", "destination": 410}, headers=auth(writer))
    client.post(f"{url}/transitions", json={"to": "active"}, headers=auth(writer))
    assert _void(client, writer, person["id"], 1).status_code == 422, "identification"
    assert _void(client, writer, person["id"], 2).status_code == 422, "not the latest transition"
    assert _void(client, writer, person["id"], 99).status_code == 404
    assert _void(client, writer, person["id"], 3, reason="oops").status_code == 422
    consent = client.post(f"{url}/consents", json={"all": True}, headers=auth(writer))
    assert _void(client, writer, person["id"], consent.json["version"]).status_code == 422, "a consent"
    voided = _void(client, writer, person["id"], 3)
    assert _void(client, writer, person["id"], voided.json["version"]).status_code == 422, "a void"


def test_if_match_and_idempotency_key(client, tokens, coord):
    writer = tokens["case_manager"]
    person = create_person(client, writer)
    url = f"/api/v1/persons/{person['id']}"
    client.post(f"{url}/contacts", json={}, headers=auth(writer))
    client.post(f"{url}/contacts", json={}, headers=auth(writer))
    assert _void(client, writer, person["id"], 2, If_Match='"2"').status_code == 412
    before = coord.service.recorder.max_notification_id()
    one = _void(client, writer, person["id"], 2, Idempotency_Key="void-1", If_Match='"3"')
    two = _void(client, writer, person["id"], 2, Idempotency_Key="void-1", If_Match='"3"')
    assert one.status_code == two.status_code == 201 and one.json == two.json
    assert coord.service.recorder.max_notification_id() == before + 1, "one event, not two"


def _gaps(client, token: str, query: dict[str, str]) -> list[dict]:
    response = client.get("/api/v1/reports/handoff-gaps", query_string=query, headers=auth(token))
    assert response.status_code == 200, response.json
    return response.json["rows"]


def test_a_person_entered_in_error_leaves_every_count_list_and_month(client, tokens):
    writer, reader = tokens["case_manager"], tokens["backbone"]
    identified = add_months(month_of(today()), -3)
    kept = create_person(client, writer, effective_on=identified.isoformat())
    duplicate = create_person(client, writer, veteran="yes", effective_on=identified.isoformat())
    url = f"/api/v1/persons/{duplicate['id']}"
    client.post(f"{url}/transitions", json={"to": "housed", "destination": 410}, headers=auth(writer))
    service = create_service(client, writer, "Harbor outreach", "outreach")
    handoff = {"person_id": duplicate["id"], "to_service_id": service["id"], "requested_on": identified.isoformat()}
    assert client.post("/api/v1/handoffs", json=handoff, headers=auth(writer)).status_code == 201
    gaps = {"from": identified.strftime("%Y-%m"), "to": identified.strftime("%Y-%m")}
    assert [row["episodes"] for row in _gaps(client, reader, gaps)] == [1]
    assert sum(_monthly(client, reader, identified, "all", "newly_identified").values()) == 2
    body = {"to": "entered_in_error", "reason": "duplicate_record"}
    assert client.post(f"{url}/transitions", json=body, headers=auth(tokens["other_agency"])).status_code == 403
    assert client.post(f"{url}/transitions", json=body, headers=auth(reader)).status_code == 403
    bad = client.post(
        f"{url}/transitions", json={"to": "entered_in_error", "reason": "left_area"}, headers=auth(writer)
    )
    assert bad.status_code == 422
    struck = client.post(f"{url}/transitions", json=body, headers=auth(writer))
    assert struck.status_code == 201, struck.json
    assert struck.json["status"] == "entered_in_error"

    assert _active(client, reader) == {**dict.fromkeys(_active(client, reader), 0), "all": 1, "single_adults": 1}
    assert sum(_monthly(client, reader, identified, "all", "newly_identified").values()) == 1
    assert set(_monthly(client, reader, identified, "veterans", "newly_identified").values()) == {0}
    assert set(_monthly(client, reader, identified, "all", "housing_placements").values()) == {0}
    listed = client.get("/api/v1/persons", headers=auth(writer)).json["items"]
    assert [row["id"] for row in listed] == [kept["id"]]
    query = {"status": "entered_in_error"}
    struck_out = client.get("/api/v1/persons", query_string=query, headers=auth(writer)).json["items"]
    assert [row["id"] for row in struck_out] == [duplicate["id"]]
    assert client.get(url, headers=auth(writer)).json["status"] == "entered_in_error"
    assert client.get("/api/v1/handoffs", headers=auth(writer)).json["items"] == [], "their handoffs went too"
    assert _gaps(client, reader, gaps) == []
    again = client.post(f"{url}/transitions", json=body, headers=auth(writer))
    assert again.status_code == 409
    assert _void(client, writer, duplicate["id"], struck.json["version"]).status_code == 422
