"""The workspace has the API's rights, because the application service decides them: a case manager of
another agency reaches none of a person's personal data through any page (the list, the person's page, find
before you add, the handoff queues and pages), is offered no form the service would refuse, and is refused
when posting one anyway. A consent opens exactly what it covers."""

from __future__ import annotations

import pytest

from tests.support import DISTINCT, auth, create_person, create_service
from tests.workspace_support import post, sign_in, text

pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
NOTE = "Meet at the Ostrowski footbridge after dark"


@pytest.fixture
def harbor_person(client, tokens):
    admin = tokens["admin"]
    outreach = create_service(client, admin, "Harbor Outreach", "outreach", agency="harbor")["id"]
    shelter = create_service(client, admin, "Gateway Shelter", "emergency_shelter", agency="gateway")["id"]
    person = create_person(client, tokens["case_manager"], **DISTINCT)
    handoff = client.post(
        "/api/v1/handoffs",
        json={"person_id": person["id"], "from_service_id": outreach, "to_service_id": shelter, "note": NOTE},
        headers=auth(tokens["case_manager"]),
    )
    assert handoff.status_code == 201
    return person["id"], handoff.json["id"]


def _pages(person_id: str, handoff_id: str) -> list[str]:
    return [
        "/workspace?scope=shared",
        f"/workspace/persons/{person_id}",
        "/workspace/handoffs",
        f"/workspace/handoffs/{handoff_id}",
    ]


def _leaks(body: str) -> list[str]:
    return [value for value in (*DISTINCT.values(), NOTE) if value in body]


def test_another_agency_sees_no_personal_data_on_any_page(client, tokens, harbor_person):
    person_id, handoff_id = harbor_person
    sign_in(client, tokens["other_agency"])
    for path in _pages(person_id, handoff_id):
        page = client.get(path)
        assert page.status_code == 200, path
        assert _leaks(page.get_data(as_text=True)) == [], path
    found = post(
        client,
        "/workspace/persons/new/find",
        {"first_name": DISTINCT["first_name"], "last_name": DISTINCT["last_name"], "dob": DISTINCT["dob"]},
        page="/workspace/persons/new",
    )
    assert found.status_code == 200
    body = found.get_data(as_text=True)
    # The typed name and dob are the reader's own; nothing else of the record shows.
    assert [v for v in _leaks(body) if v not in (DISTINCT["first_name"], DISTINCT["last_name"], DISTINCT["dob"])] == []
    matched = "Possible matches 1 person on the list with this name and date of birth: A person known to agency harbor"
    assert matched in text(found)
    assert f"/workspace/persons/{person_id}" in body
    matches = text(found).split("Possible matches")[1].split("2. Identify")[0]
    assert DISTINCT["first_name"] not in matches and DISTINCT["dob"] not in matches


def test_the_identifying_agency_sees_them_on_every_page(client, tokens, harbor_person):
    person_id, handoff_id = harbor_person
    sign_in(client, tokens["case_manager"])
    assert DISTINCT["phone"] in client.get(f"/workspace/persons/{person_id}").get_data(as_text=True)
    assert NOTE in client.get(f"/workspace/handoffs/{handoff_id}").get_data(as_text=True)
    assert "Quillonia Vantrebeck" in text(client.get("/workspace/handoffs"))


def test_another_agency_is_offered_no_form_the_service_refuses_and_is_refused_anyway(client, tokens, harbor_person):
    person_id, _handoff_id = harbor_person
    path = f"/workspace/persons/{person_id}"
    sign_in(client, tokens["other_agency"])
    page = client.get(path).get_data(as_text=True)
    assert f"{path}/corrections" not in page and f"{path}/consents" not in page
    assert 'name="first_name"' not in page  # no personal data to change where none may be seen
    assert f"{path}/contacts" in page  # any writer records a contact
    refused = post(client, f"{path}/corrections", {"voids": "1", "reason": "wrong_person"}, page=path)
    assert refused.status_code == 403
    assert "Only the identifying agency or an admin may record a correction for this person." in text(refused)
    consent = post(client, f"{path}/consents", {"scope": "all"}, page=path)
    assert consent.status_code == 403
    changed = post(client, f"{path}/attributes", {"phone": "555-0000"}, page=path)
    assert changed.status_code == 403
    assert "Only agencies that may see this person's personal data may change it." in text(changed)
    assert _leaks(changed.get_data(as_text=True)) == []
    version = client.get(f"/api/v1/persons/{person_id}", headers=auth(tokens["admin"])).json["version"]
    assert version == 1


def test_a_consent_opens_exactly_what_it_covers(client, app, tokens, harbor_person):
    person_id, handoff_id = harbor_person
    harbor = app.test_client()
    sign_in(harbor, tokens["case_manager"])
    path = f"/workspace/persons/{person_id}"
    assert post(harbor, f"{path}/consents", {"scope": "agencies", "agencies": "gateway"}, page=path).status_code == 303
    sign_in(client, tokens["other_agency"])
    assert DISTINCT["phone"] in client.get(path).get_data(as_text=True)
    assert NOTE in client.get(f"/workspace/handoffs/{handoff_id}").get_data(as_text=True)
