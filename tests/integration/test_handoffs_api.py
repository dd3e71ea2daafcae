"""Handoffs through HTTP, on SQLite and PostgreSQL: requests, who may move them, episodes and filters."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support import auth, create_person, create_service


def _setup(client, tokens):
    sending, receiving = tokens["case_manager"], tokens["other_agency"]
    outreach = create_service(client, sending, "Harbor outreach", "outreach")
    shelter = create_service(client, receiving, "Gateway shelter", "emergency_shelter", handoff_window_days=7)
    person = create_person(client, sending)
    return sending, receiving, outreach, shelter, person


def _request(client, token, person, outreach, shelter, **extra):
    body = {"person_id": person["id"], "from_service_id": outreach["id"], "to_service_id": shelter["id"], **extra}
    return client.post("/api/v1/handoffs", json=body, headers=auth(token))


def test_request_defaults_and_note_visibility(client, tokens):
    sending, receiving, outreach, shelter, person = _setup(client, tokens)
    response = _request(client, sending, person, outreach, shelter, note="bed near the door")
    assert response.status_code == 201
    handoff = response.json
    assert handoff["status"] == "requested" and handoff["priority"] == "routine"
    assert handoff["due_on"] == (date.today() + timedelta(days=7)).isoformat(), "the to-service's window"
    assert handoff["note"] == "bed near the door"
    seen = client.get(f"/api/v1/handoffs/{handoff['id']}", headers=auth(receiving))
    assert seen.json["note"] == "[redacted]" and seen.headers["ETag"] == '"1"'
    assert (
        client.get(f"/api/v1/handoffs/{handoff['id']}", headers=auth(tokens["backbone"])).json["note"] == "[redacted]"
    )


def test_only_the_receiving_agency_answers(client, tokens):
    sending, receiving, outreach, shelter, person = _setup(client, tokens)
    handoff = _request(client, sending, person, outreach, shelter).json
    url = f"/api/v1/handoffs/{handoff['id']}/transitions"
    assert client.post(url, json={"to": "accepted"}, headers=auth(sending)).status_code == 403
    accepted = client.post(url, json={"to": "accepted"}, headers=auth(receiving))
    assert accepted.status_code == 201 and accepted.json["accepted_on"] == date.today().isoformat()
    assert client.post(url, json={"to": "requested"}, headers=auth(receiving)).status_code == 422
    missing = client.post(url, json={"to": "on_hold"}, headers=auth(receiving))
    assert missing.status_code == 422 and "reason" in missing.json["message"]
    assert client.post(url, json={"to": "completed"}, headers=auth(receiving)).status_code == 422, "needs an outcome"
    done = client.post(url, json={"to": "completed", "outcome": "sheltered"}, headers=auth(receiving))
    assert done.status_code == 201 and done.json["status"] == "completed"
    late = client.post(url, json={"to": "failed", "reason": "lost_contact"}, headers=auth(receiving))
    assert late.status_code == 409 and "completed" in late.json["message"] and "failed" in late.json["message"]
    assert client.post(url, json={"to": "entered_in_error"}, headers=auth(sending)).status_code == 201


def test_rejected_then_retried_in_the_same_episode(client, tokens):
    sending, receiving, outreach, shelter, person = _setup(client, tokens)
    first = _request(client, sending, person, outreach, shelter).json
    rejected = client.post(
        f"/api/v1/handoffs/{first['id']}/transitions",
        json={"to": "rejected", "reason": "no_capacity"},
        headers=auth(receiving),
    )
    assert rejected.status_code == 201
    retry = _request(client, sending, person, outreach, shelter, episode_id=first["episode_id"])
    assert retry.status_code == 201 and retry.json["episode_id"] == first["episode_id"]

    stranger = create_person(client, sending)
    wrong = _request(client, sending, stranger, outreach, shelter, episode_id=first["episode_id"])
    assert wrong.status_code == 403, "an episode continues for the same person only"


def test_handing_off_from_another_agencys_service_is_refused(client, tokens):
    _sending, receiving, outreach, shelter, person = _setup(client, tokens)
    assert _request(client, receiving, person, outreach, shelter).status_code == 403


def test_unknown_references_are_404(client, tokens):
    sending, _receiving, outreach, shelter, person = _setup(client, tokens)
    missing = "00000000-0000-4000-8000-000000000000"
    assert _request(client, sending, {"id": missing}, outreach, shelter).status_code == 404
    assert _request(client, sending, person, outreach, {"id": missing}).status_code == 404
    assert client.get(f"/api/v1/handoffs/{missing}", headers=auth(sending)).status_code == 404
    assert client.get(f"/api/v1/persons/{missing}", headers=auth(sending)).status_code == 404


def test_filters(client, tokens):
    sending, receiving, outreach, shelter, person = _setup(client, tokens)
    long_ago = (date.today() - timedelta(days=40)).isoformat()
    overdue = _request(client, sending, person, outreach, shelter, requested_on=long_ago).json
    fresh = _request(client, sending, person, outreach, shelter).json
    listed = client.get("/api/v1/handoffs?overdue=true", headers=auth(tokens["backbone"])).json["items"]
    assert [h["id"] for h in listed] == [overdue["id"]]
    by_service = client.get(
        f"/api/v1/handoffs?to_service={shelter['id']}&status=requested", headers=auth(receiving)
    ).json["items"]
    assert {h["id"] for h in by_service} == {overdue["id"], fresh["id"]}
    services = client.get("/api/v1/services?stage=outreach", headers=auth(tokens["auditor"])).json
    assert [s["id"] for s in services] == [outreach["id"]]


def test_a_handoff_entered_in_error_never_existed_whatever_the_report_date(client, tokens):
    sending, _receiving, outreach, shelter, person = _setup(client, tokens)
    requested_on = (date.today() - timedelta(days=20)).isoformat()
    handoff = _request(client, sending, person, outreach, shelter, requested_on=requested_on).json
    url = f"/api/v1/handoffs/{handoff['id']}/transitions"
    dated = client.post(url, json={"to": "entered_in_error", "effective_on": requested_on}, headers=auth(sending))
    assert dated.status_code == 422 and dated.json["errors"] == {
        "effective_on": ["a handoff entered in error never existed: give no effective_on"]
    }
    assert client.post(url, json={"to": "entered_in_error"}, headers=auth(sending)).status_code == 201
    backbone = auth(tokens["backbone"])
    for as_of in (requested_on, (date.today() - timedelta(days=10)).isoformat(), date.today().isoformat()):
        report = client.get("/api/v1/reports/handoff-gaps", query_string={"as_of": as_of}, headers=backbone)
        assert report.status_code == 200 and report.json["rows"] == [], as_of
