"""The audit history through HTTP, on SQLite and PostgreSQL: every event in order with personal data
redacted, the access log, and who may read them."""

from __future__ import annotations

import pytest

from tests.support import DISTINCT, auth, create_person


def _get(client, token, path, **query):
    return client.get(f"/api/v1/audit{path}", query_string=query, headers=auth(token))


@pytest.mark.parametrize("path", ["/events", "/access-log"])
def test_the_history_is_for_auditors_and_admins(client, tokens, path):
    for role in ("auditor", "admin"):
        assert _get(client, tokens[role], path).status_code == 200, role
    for role in ("backbone", "case_manager"):
        assert _get(client, tokens[role], path).status_code == 403, role


def test_events_page_through_the_log_in_order_with_personal_data_redacted(client, tokens):
    person = create_person(client, tokens["case_manager"], **DISTINCT, veteran="yes")
    url = f"/api/v1/persons/{person['id']}/transitions"
    client.post(url, json={"to": "housed", "destination": 410}, headers=auth(tokens["case_manager"]))
    first = _get(client, tokens["auditor"], "/events", limit=1)
    (identified,) = first.json["items"]
    assert first.json["next_after"] == identified["position"]
    assert identified["type"] == "Person.Identified" and identified["aggregate_id"] == person["id"]
    assert identified["version"] == 1 and identified["agency"] == "harbor"
    assert identified["data"]["attributes"]["veteran"] == "yes"
    assert set(identified["data"]["pii"].values()) == {"[redacted]"}
    rest = _get(client, tokens["auditor"], "/events", after=first.json["next_after"]).json
    assert [item["type"] for item in rest["items"]] == ["Person.Housed"] and rest["next_after"] is None
    assert rest["items"][0]["data"] == {"destination": 410}
    assert rest["items"][0]["position"] > identified["position"]
    text = _get(client, tokens["admin"], "/events").get_data(as_text=True)
    assert not any(value in text for value in DISTINCT.values())


def test_the_access_log_shows_who_read_whose_data(client, tokens):
    person = create_person(client, tokens["case_manager"], **DISTINCT)
    headers = auth(tokens["case_manager"], x_purpose="case_management")
    assert client.get(f"/api/v1/persons/{person['id']}", headers=headers).status_code == 200
    entries = _get(client, tokens["auditor"], "/access-log", person_id=person["id"]).json["items"]
    last = entries[-1]
    assert last["person_id"] == person["id"] and last["role"] == "case_manager" and last["agency"] == "harbor"
    assert "first_name" in last["fields"] and last["purpose"].endswith(": case_management")
    assert _get(client, tokens["auditor"], "/access-log", after=last["id"]).json == {"items": [], "next_after": None}
    assert _get(client, tokens["auditor"], "/access-log", limit=0).status_code == 422
    assert _get(client, tokens["auditor"], "/events", after=2**63).status_code == 422
    assert _get(client, tokens["auditor"], "/events", after=2**63 - 1).json == {"items": [], "next_after": None}
