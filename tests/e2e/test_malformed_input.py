"""Malformed input on every write endpoint gets a 4xx JSON error: never a 500, never a stack trace."""

from __future__ import annotations

import json

import pytest

from tests.support import auth, create_person, create_service

BAD_BODIES = {
    "bad utf-8": b'{"first_name": "\xff\xfe"}',
    "not json": b"{first_name: nope",
    "a list": b"[1, 2, 3]",
    "a string": b'"hello"',
    "huge": b'{"notes": "' + b"x" * (2 * 1024 * 1024) + b'"}',
    "wrong types": json.dumps({"veteran": 3, "household_type": ["x"], "to": 5, "effective_on": 12}).encode(),
    "bad date": json.dumps({"effective_on": "2024-02-30", "to": "active", "dob": "31/12/1990"}).encode(),
    "unknown field": json.dumps({"veteran": "no", "household_type": "youth", "favourite_colour": "red"}).encode(),
    "nulls": json.dumps({"veteran": None, "household_type": None, "to": None}).encode(),
    "deep nesting": b"[" * 5000 + b"]" * 5000,
}


@pytest.fixture
def endpoints(client, tokens):
    token = tokens["case_manager"]
    person = create_person(client, token)
    service = create_service(client, token, "Outreach", "outreach")
    other = create_service(client, tokens["other_agency"], "Shelter", "emergency_shelter")
    handoff = client.post(
        "/api/v1/handoffs",
        json={"person_id": person["id"], "from_service_id": service["id"], "to_service_id": other["id"]},
        headers=auth(token),
    ).json
    base = "/api/v1"
    return [
        ("POST", f"{base}/services"),
        ("POST", f"{base}/persons"),
        ("PATCH", f"{base}/persons/{person['id']}"),
        ("POST", f"{base}/persons/{person['id']}/contacts"),
        ("POST", f"{base}/persons/{person['id']}/outcomes"),
        ("POST", f"{base}/persons/{person['id']}/transitions"),
        ("POST", f"{base}/persons/{person['id']}/consents"),
        ("POST", f"{base}/handoffs"),
        ("POST", f"{base}/handoffs/{handoff['id']}/transitions"),
    ]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_every_write_endpoint_refuses_malformed_input_cleanly(client, tokens, endpoints):
    for method, url in endpoints:
        for name, body in BAD_BODIES.items():
            response = client.open(
                url, method=method, data=body, headers=auth(tokens["case_manager"], Content_Type="application/json")
            )
            assert 400 <= response.status_code < 500, (method, url, name, response.status_code)
            payload = response.get_json()
            assert set(payload) == {"code", "status", "message", "errors"}, (method, url, name)
            assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_missing_or_wrong_token_on_every_endpoint(client, endpoints):
    for method, url in [*endpoints, ("GET", "/api/v1/persons"), ("GET", "/api/v1/handoffs")]:
        for headers in ({}, {"Authorization": "Bearer coord_x_y"}, {"Authorization": "Bearer"}, {"Authorization": "é"}):
            response = client.open(url, method=method, json={}, headers=headers)
            assert response.status_code == 401 and response.get_json()["code"] == 401
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
