"""Small helpers for API tests."""

from __future__ import annotations

from typing import Any

DISTINCT = {
    "first_name": "Quillonia",
    "last_name": "Vantrebeck",
    "dob": "1971-04-29",
    "phone": "555-867-5309",
    "email": "quillonia.vantrebeck@example.org",
    "notes": "Sleeps near the Ostrowski footbridge",
}


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **{k.replace("_", "-"): v for k, v in headers.items()}}


def person_body(**overrides: Any) -> dict[str, Any]:
    return {
        "first_name": "Ana",
        "last_name": "Lopez",
        "dob": "1990-05-06",
        "veteran": "no",
        "household_type": "single_adult",
        **overrides,
    }


def create_person(client, token: str, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/persons", json=person_body(**overrides), headers=auth(token))
    assert response.status_code == 201, response.json
    return response.json


def create_service(client, token: str, name: str, stage: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/v1/services", json={"name": name, "stage": stage, **extra}, headers=auth(token))
    assert response.status_code == 201, response.json
    return response.json
