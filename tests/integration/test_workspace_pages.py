"""The case managers' workspace through Flask's test client: signing in, the list, find before you add, a
person's page and its forms (POST-redirect-GET, errors beside the field with what was typed kept), the handoff
queues, and CSRF (a form without its token is refused and writes nothing)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from coord.dashboard import COOKIE
from events.dates import today
from tests.support import auth, create_person, create_service
from tests.workspace_support import csrf_token, field_value, post, sign_in, text

PERSON_LINK = re.compile(r'<td><a href="/workspace/persons/[0-9a-f-]{36}">([^<]+)</a>')
#: Most cases run on SQLite; those that rest on the list queries' SQL run on PostgreSQL too.
SQLITE_ONLY = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def _days_ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


@pytest.fixture
def services(client, tokens):
    admin = tokens["admin"]
    return {
        "outreach": create_service(client, admin, "Harbor Outreach", "outreach", agency="harbor")["id"],
        "shelter": create_service(client, admin, "Gateway Shelter", "emergency_shelter", agency="gateway")["id"],
    }


def _version(client, tokens, person_id: str) -> int:
    return client.get(f"/api/v1/persons/{person_id}", headers=auth(tokens["admin"])).json["version"]


@SQLITE_ONLY
def test_sign_in_opens_a_session_and_sign_out_ends_it(client, tokens):
    assert client.get("/workspace").headers["Location"] == "/workspace/sign-in"
    page = client.get("/workspace/sign-in")
    assert page.status_code == 200 and 'name="token"' in page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    sign_in(client, tokens["case_manager"])
    session = client.get_cookie(COOKIE).value
    assert session != tokens["case_manager"] and tokens["case_manager"] not in session
    listing = client.get("/workspace")
    assert listing.status_code == 200 and "case manager, harbor" in text(listing)
    signed_out = post(client, "/workspace/sign-out", {})
    assert (signed_out.status_code, signed_out.headers["Location"]) == (303, "/workspace/sign-in")
    client.set_cookie(COOKIE, session)  # a copy of the cookie is worth nothing once signed out
    assert client.get("/workspace").headers["Location"] == "/workspace/sign-in"


@pytest.mark.parametrize("role", ["auditor", "backbone"])
@SQLITE_ONLY
def test_roles_that_do_not_write_cannot_sign_in(client, tokens, role):
    refused = client.post("/workspace/sign-in", data={"token": tokens[role], "csrf_token": csrf_token(client)})
    assert refused.status_code == 403
    assert f"The {role} role may not use the case managers' workspace." in text(refused)
    assert client.get_cookie(COOKIE) is None
    bad = client.post("/workspace/sign-in", data={"token": "coord_nope_nope", "csrf_token": csrf_token(client)})
    assert bad.status_code == 401 and "That token is not valid (or was revoked)." in text(bad)


@SQLITE_ONLY
def test_a_dashboard_session_of_another_role_gets_a_plain_refusal(client, tokens):
    assert client.post("/dashboard/login", data={"token": tokens["backbone"]}).status_code == 303
    refused = client.get("/workspace")
    assert refused.status_code == 403
    assert "The backbone role may not use the case managers' workspace." in text(refused)


@SQLITE_ONLY
def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(client, tokens):
    person = create_person(client, tokens["case_manager"])
    sign_in(client, tokens["case_manager"])
    refused = client.post(f"/workspace/persons/{person['id']}/contacts", data={"effective_on": ""})
    assert refused.status_code == 400
    assert "This form could not be checked" in text(refused)
    forged = client.post(f"/workspace/persons/{person['id']}/contacts", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert _version(client, tokens, person["id"]) == 1
    no_token_sign_in = client.post("/workspace/sign-in", data={"token": tokens["case_manager"]})
    assert no_token_sign_in.status_code == 400


def test_the_list_is_sorted_for_case_conferencing_filtered_and_paged(client, tokens, monkeypatch):
    manager = tokens["case_manager"]
    create_person(client, manager, first_name="Cara", effective_on=_days_ago(10))
    create_person(client, manager, first_name="Abe", effective_on=_days_ago(300), veteran="yes", chronic=True)
    create_person(client, manager, first_name="Bo", effective_on=_days_ago(40))
    create_person(client, tokens["other_agency"], first_name="Gil", effective_on=_days_ago(500))
    sign_in(client, manager)

    def names(response) -> list[str]:
        return [name.split()[0] for name in PERSON_LINK.findall(response.get_data(as_text=True))]

    mine = client.get("/workspace")
    assert names(mine) == ["Abe", "Bo", "Cara"]
    assert "Abe Lopez Veteran Chronic active harbor" in text(mine)
    shared = client.get("/workspace?scope=shared")
    assert "A person known to agency gateway, identified " in text(shared) and "Gil" not in text(shared)
    assert names(client.get("/workspace?population=veterans")) == ["Abe"]
    assert names(client.get("/workspace?days=35")) == ["Abe", "Bo"]
    assert names(client.get("/workspace?status=housed")) == []
    bad = client.get("/workspace?days=zero&population=everyone")
    assert bad.status_code == 422
    assert "Not a valid integer." in text(bad) and "Must be one of:" in text(bad)

    monkeypatch.setattr("coord.workspace.persons.PAGE_SIZE", 2)
    first = client.get("/workspace")
    assert names(first) == ["Abe", "Bo"]
    next_link = first.get_data(as_text=True).split('class="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert names(client.get(next_link)) == ["Cara"]


@SQLITE_ONLY
def test_find_before_add_then_identify_keeping_what_was_typed(client, tokens):
    create_person(client, tokens["case_manager"], first_name="Ana", last_name="Lopez", dob="1990-05-06")
    sign_in(client, tokens["case_manager"])
    typed = {"first_name": "  ana ", "last_name": "LÓPEZ", "dob": "1990-05-06"}
    found = post(client, "/workspace/persons/new/find", typed, page="/workspace/persons/new")
    assert found.status_code == 200
    assert "1 person on the list with this name and date of birth: Ana Lopez , agency harbor" in text(found)
    assert field_value(found, "identify", "last_name") == "LÓPEZ"

    missing = post(client, "/workspace/persons/new/find", {"first_name": "Ana"}, page="/workspace/persons/new")
    assert missing.status_code == 422 and text(missing).count("Missing data for required field.") == 2

    attempt = {"first_name": "Rosa", "last_name": "Diaz", "dob": "1985-02-03", "phone": "555-0101", "veteran": ""}
    refused = post(client, "/workspace/persons/new", {**attempt, "household_type": "family"})
    assert refused.status_code == 422
    assert "Veteran (required) Missing data for required field." in text(refused)
    assert [field_value(refused, "identify", n) for n in ("first_name", "dob", "phone")] == [
        "Rosa",
        "1985-02-03",
        "555-0101",
    ]
    assert '<option value="family" selected>' in refused.get_data(as_text=True)

    added = post(client, "/workspace/persons/new", {**attempt, "veteran": "no", "household_type": "family"})
    assert added.status_code == 303 and added.headers["Location"].startswith("/workspace/persons/")
    page = client.get(added.headers["Location"])
    assert "Identified: the person is on the list." in text(page) and "Rosa Diaz active" in text(page)


@SQLITE_ONLY
def test_a_persons_forms_record_and_show_in_the_history(client, tokens, services):
    person = create_person(client, tokens["case_manager"], effective_on=_days_ago(60))
    path = f"/workspace/persons/{person['id']}"
    sign_in(client, tokens["case_manager"])

    contact = post(client, f"{path}/contacts", {"effective_on": _days_ago(5), "service_id": services["outreach"]})
    assert (contact.status_code, contact.headers["Location"]) == (303, f"{path}#contact")
    assert "Contact recorded." in text(client.get(path))

    change = post(client, f"{path}/attributes", {"effective_on": _days_ago(30), "veteran": "yes"})
    assert change.status_code == 303
    page = text(client.get(path))
    assert f"Change recorded from {_days_ago(30)}; it changed: veteran." in page
    assert f"3 {_days_ago(30)} Details changed: veteran yes" in page
    assert f"2 {_days_ago(5)} Contact recorded at Harbor Outreach" in page

    corrected = post(client, f"{path}/corrections", {"voids": "2", "reason": "wrong_date"})
    assert corrected.status_code == 303
    page = text(client.get(path))
    assert "Correction recorded: entry #2 is marked entered in error." in page
    assert (
        f"4 {today().isoformat()} Correction: entry #2 (Contact recorded of {_days_ago(5)}) was entered in error; "
        "reason: wrong date"
    ) in page
    assert "Contact recorded at Harbor Outreach Entered in error (corrected by #4)" in page

    consent = post(client, f"{path}/consents", {"scope": "agencies", "agencies": "gateway, northside"})
    assert consent.status_code == 303
    page = client.get(path)
    assert "For gateway, northside, from " in text(page) and "Consent recorded for gateway, northside" in text(page)
    consent_id = page.get_data(as_text=True).split("/consents/")[1].split("/revoke")[0]
    assert post(client, f"{path}/consents/{consent_id}/revoke", {}).status_code == 303
    assert "Consent revoked." in text(client.get(path))

    housed = post(client, f"{path}/moves", {"to": "housed", "destination": "410", "effective_on": _days_ago(1)})
    assert housed.status_code == 303
    assert "Status recorded: housed." in text(client.get(path))


@SQLITE_ONLY
def test_an_error_is_shown_beside_its_field_and_the_typed_values_are_kept(client, tokens):
    person = create_person(client, tokens["case_manager"], effective_on=_days_ago(60))
    path = f"/workspace/persons/{person['id']}"
    sign_in(client, tokens["case_manager"])
    no_destination = post(client, f"{path}/moves", {"to": "housed", "effective_on": _days_ago(2)})
    assert no_destination.status_code == 422
    assert "A status change A destination is required to house a person." in text(no_destination)
    assert field_value(no_destination, "move", "effective_on") == _days_ago(2)

    bad_date = post(client, f"{path}/attributes", {"effective_on": "2026-02-30", "phone": "555-0199"})
    assert bad_date.status_code == 422
    assert "In force from Leave empty for today Not a valid date." in text(bad_date)
    assert field_value(bad_date, "attributes", "phone") == "555-0199"
    assert field_value(bad_date, "attributes", "effective_on") == "2026-02-30"

    too_early = post(client, f"{path}/moves", {"to": "inactive", "reason": "left_area", "effective_on": _days_ago(90)})
    assert too_early.status_code == 422
    assert (
        "Date Leave empty for today A status change may not be dated before the person's latest status "
        f"transition on {_days_ago(60)}."
    ) in text(too_early)
    assert '<option value="left_area" selected>' in too_early.get_data(as_text=True)

    wrong_move = post(client, f"{path}/moves", {"to": "active"})
    assert wrong_move.status_code == 409
    assert "Person is already 'active'." in text(wrong_move)

    stale = post(client, f"{path}/contacts", {"version": "7"})
    assert stale.status_code == 409
    assert "Someone changed this record since you opened the page." in text(stale)
    assert _version(client, tokens, person["id"]) == 1


def test_a_handoff_goes_to_the_receiving_agency_and_the_sender_sees_it_answered(client, app, tokens, services):
    person = create_person(client, tokens["case_manager"], effective_on=_days_ago(30))
    sender, receiver = client, app.test_client()
    sign_in(sender, tokens["case_manager"])
    sign_in(receiver, tokens["other_agency"])
    too_soon = post(
        sender,
        f"/workspace/persons/{person['id']}/handoffs",
        {"to_service_id": services["shelter"], "requested_on": _days_ago(2), "due_on": _days_ago(3)},
    )
    assert too_soon.status_code == 422
    assert "Due on Leave empty for the service's window due_on may not be before requested_on." in text(too_soon)
    assert field_value(too_soon, "handoff", "due_on") == _days_ago(3)
    requested = post(
        sender,
        f"/workspace/persons/{person['id']}/handoffs",
        {
            "to_service_id": services["shelter"],
            "from_service_id": services["outreach"],
            "requested_on": _days_ago(20),
            "due_on": _days_ago(1),
        },
    )
    assert requested.status_code == 303
    handoff_path = requested.headers["Location"]
    assert "Handoff requested" in text(sender.get(handoff_path))

    queue = text(receiver.get("/workspace/handoffs"))
    incoming = queue.split("Outgoing from")[0]
    assert "Harbor Outreach Gateway Shelter (gateway) requested" in incoming
    assert f"{_days_ago(1)} Overdue Accept" in incoming
    assert "Ana" not in queue  # gateway may not see harbor's person's name

    no_reason = post(receiver, f"{handoff_path}/moves", {"to": "rejected"}, page=handoff_path)
    assert no_reason.status_code == 422 and "A reason is required" in text(no_reason)
    accepted = post(receiver, f"{handoff_path}/moves", {"to": "accepted", "back": "queue"}, page="/workspace/handoffs")
    assert (accepted.status_code, accepted.headers["Location"]) == (303, "/workspace/handoffs")
    assert "Handoff accepted." in text(receiver.get("/workspace/handoffs"))

    outgoing = text(sender.get("/workspace/handoffs")).split("Outgoing from")[1]
    assert "Ana Lopez Harbor Outreach Gateway Shelter (gateway) accepted" in outgoing
    person_page = text(sender.get(f"/workspace/persons/{person['id']}"))
    assert f"Handoffs To Gateway Shelter, requested {_days_ago(20)} , accepted (due {_days_ago(1)})" in person_page
    page = text(sender.get(handoff_path))
    assert "State accepted" in page and "Accept" not in page.split("Answer or move on")[-1].split("Back")[0]
