"""Dates: nothing may be dated before 1900-01-01 any more (422), and a store that already holds older dates,
written before that rule, still answers every report (issue: one write dated 0001-01-01 made every later
functional-zero report answer 500)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from events.handoff import Handoff
from events.person import Person
from tests.support import auth, create_person, create_service, person_body

YEAR_ONE = date(1, 1, 1)
LEGACY = {"actor": "legacy-import", "agency": "harbor"}


def _legacy_history(coord, to_service_id) -> None:
    """What an older version let through: a person identified, contacted and handed off in year 1."""
    person = Person._create(
        Person.Identified,
        id=uuid4(),
        attributes={
            "household_type": "single_adult",
            "veteran": "yes",
            "chronic": False,
            "birth_year": None,
            "race_ethnicity": ["unknown"],
            "sex": "unknown",
            "gender": None,
            "source": None,
        },
        pii={},
        effective_on=YEAR_ONE,
        **LEGACY,
    )
    person._contact_recorded(service_id=None, effective_on=YEAR_ONE, **LEGACY)
    handoff = Handoff._create(
        Handoff.Requested,
        id=uuid4(),
        person_id=person.id,
        from_service_id=None,
        to_service_id=to_service_id,
        episode_id=uuid4(),
        requested_on=YEAR_ONE,
        due_on=YEAR_ONE,
        priority="routine",
        note=None,
        effective_on=YEAR_ONE,
        **LEGACY,
    )
    coord.service.save(person, handoff)
    coord.service.project()


def test_a_store_holding_year_one_dates_answers_every_report(client, tokens, coord):
    shelter = create_service(client, tokens["case_manager"], "Harbor shelter", "emergency_shelter")
    create_person(client, tokens["case_manager"], veteran="yes")
    _legacy_history(coord, UUID(shelter["id"]))
    backbone = tokens["backbone"]
    for path, query in [
        ("/counts", {}),
        ("/monthly", {}),
        ("/monthly", {"from": "1900-01", "to": "1909-12"}),
        ("/functional-zero", {}),
        ("/functional-zero", {"format": "csv"}),
        ("/handoff-gaps", {}),
        *[("/handoff-gaps", {"by": cut}) for cut in ("race_ethnicity", "sex", "age_band", "population")],
        ("/outcomes", {"from": "1900-01", "to": "1901-02"}),
        ("/outcomes", {"period": "calendar_year", "from": "1900", "to": "1949", "by": "age_band"}),
    ]:
        response = client.get(f"/api/v1/reports{path}", query_string=query, headers=auth(backbone))
        assert response.status_code == 200, (path, query, response.get_data(as_text=True)[:200])
    counts = client.get("/api/v1/reports/counts", headers=auth(backbone)).json["rows"]
    assert {row["population"]: row["active"] for row in counts}["veterans"] == 2, "the year-1 person still counts"
    zero = client.get("/api/v1/reports/functional-zero", headers=auth(backbone)).json
    # The last complete month: the year-1 veteran was on the list then; the one identified today was not.
    assert {row["population"]: row["actively_homeless"] for row in zero["rows"]}["veterans"] == 1
    replay = client.get(
        "/api/v1/audit/replay",
        query_string={"recorded_before": "2100-01-01T00:00:00Z"},
        headers=auth(tokens["auditor"]),
    )
    assert replay.status_code == 200, replay.json
    assert client.get("/dashboard").status_code in (200, 302)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_writes_dated_before_1900_are_refused(client, tokens):
    token = tokens["case_manager"]
    refused = client.post("/api/v1/persons", json=person_body(effective_on="1899-12-31"), headers=auth(token))
    assert refused.status_code == 422 and refused.json["message"] == "effective_on may not be before 1900-01-01"
    person = create_person(client, token, effective_on="1900-01-01")
    url = f"/api/v1/persons/{person['id']}"
    for path, body in [
        ("/contacts", {"effective_on": "0001-01-01"}),
        ("/outcomes", {"indicator": "employment", "met": True, "source": "wage_record", "effective_on": "0001-01-01"}),
        ("/transitions", {"to": "inactive", "reason": "left_area", "effective_on": "0001-01-01"}),
    ]:
        response = client.post(url + path, json=body, headers=auth(token))
        assert response.status_code == 422 and "1900-01-01" in response.json["message"], (path, response.json)
    assert (
        client.patch(url, json={"veteran": "yes", "effective_on": "0001-01-01"}, headers=auth(token)).status_code == 422
    )
    service = create_service(client, token, "Harbor outreach", "outreach")
    handoff = client.post(
        "/api/v1/handoffs",
        json={"person_id": person["id"], "to_service_id": service["id"], "requested_on": "1899-01-01"},
        headers=auth(token),
    )
    assert handoff.status_code == 422 and handoff.json["message"] == "requested_on may not be before 1900-01-01"
    assert client.get(url, headers=auth(token)).json["version"] == 1, "nothing was recorded"
