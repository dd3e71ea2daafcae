"""Issue 11, finding 10: clear free text could hold personal data. Handoff reasons and outcomes are codes with
an optional sealed note, `source` is a strict provenance code and `X-Purpose` a purpose code; free text
stored before the code lists reads as `other`, never in clear. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from sqlalchemy import select

from events.handoff import Handoff
from projections.tables import gap_handoffs
from tests.support import auth, create_person, create_service

SECRET = "moved in with her sister at 12 Elm St, HIV+"


def _handoff(client, tokens):
    sending, receiving = tokens["case_manager"], tokens["other_agency"]
    outreach = create_service(client, sending, "Harbor outreach", "outreach")
    shelter = create_service(client, receiving, "Gateway shelter", "emergency_shelter")
    person = create_person(client, sending)
    body = {"person_id": person["id"], "from_service_id": outreach["id"], "to_service_id": shelter["id"]}
    handoff = client.post("/api/v1/handoffs", json=body, headers=auth(sending)).json
    return sending, receiving, person, handoff, f"/api/v1/handoffs/{handoff['id']}/transitions"


def _stored_states(coord, handoff_id: str) -> list[bytes]:
    return [bytes(e.state) for e in coord.service.recorder.select_events(UUID(handoff_id))]


def test_a_free_text_reason_or_outcome_is_refused_and_nothing_is_stored(client, tokens, coord) -> None:
    sending, receiving, _person, handoff, url = _handoff(client, tokens)
    refused = client.post(url, json={"to": "rejected", "reason": SECRET}, headers=auth(receiving))
    assert refused.status_code == 422
    assert SECRET not in refused.get_data(as_text=True), "the message never repeats the value"
    # A code of another status's list: the aggregate refuses it and names the codes rejected takes.
    expired = client.post(url, json={"to": "rejected", "reason": "expired"}, headers=auth(receiving))
    assert expired.status_code == 422
    assert expired.json["message"] == (
        "reason must be one of: no_capacity, not_eligible, outside_service_area, waitlist_closed, "
        "declined_by_client, unable_to_contact, duplicate_referral, other"
    )
    assert client.post(url, json={"to": "accepted"}, headers=auth(receiving)).status_code == 201
    done = client.post(url, json={"to": "completed", "outcome": "housed at 12 Elm St"}, headers=auth(receiving))
    assert done.status_code == 422
    assert [len(state) > 0 for state in _stored_states(coord, handoff["id"])] == [True, True], "requested, accepted"
    note_without_code = client.post(url, json={"to": "entered_in_error", "reason_note": "x"}, headers=auth(sending))
    assert note_without_code.status_code == 422
    assert note_without_code.json["message"] == "a reason_note explains a reason: give the reason code too"
    note_nowhere = client.post(url, json={"to": "in_progress", "reason_note": "x"}, headers=auth(receiving))
    assert note_nowhere.status_code == 422
    assert note_nowhere.json["message"] == "a handoff becoming 'in_progress' takes no reason_note"


def test_a_transition_note_is_sealed_shown_only_where_pii_may_be_seen_and_erased(client, tokens, coord) -> None:
    sending, receiving, person, handoff, url = _handoff(client, tokens)
    rejected = client.post(
        url, json={"to": "rejected", "reason": "other", "reason_note": SECRET}, headers=auth(receiving)
    )
    assert rejected.status_code == 201
    # The receiving agency may not see this person's personal data (no consent): not even its own note.
    assert (rejected.json["reason"], rejected.json["reason_note"], rejected.json["outcome_note"]) == (
        "other",
        "[redacted]",
        None,
    )
    assert all(SECRET.encode() not in state for state in _stored_states(coord, handoff["id"])), "sealed"
    seen = client.get(f"/api/v1/handoffs/{handoff['id']}", headers=auth(sending, **{"X-Purpose": "coordination"}))
    assert (seen.json["reason"], seen.json["reason_note"]) == ("other", SECRET)
    log = client.get("/api/v1/audit/access-log", headers=auth(tokens["auditor"])).json
    rows = log["items"] if isinstance(log, dict) else log
    assert [(row["fields"], row["purpose"]) for row in rows if row["person_id"] == person["id"]][-1] == (
        ["handoff_reason_note"],
        "GET /api/v1/handoffs/<uuid:handoff_id>: coordination",
    )
    backbone = client.get(f"/api/v1/handoffs/{handoff['id']}", headers=auth(tokens["backbone"]))
    assert backbone.json["reason_note"] == "[redacted]"

    assert client.delete(f"/api/v1/persons/{person['id']}/pii", headers=auth(tokens["admin"])).status_code == 204
    after = client.get(f"/api/v1/handoffs/{handoff['id']}", headers=auth(tokens["admin"])).json
    assert (after["reason"], after["reason_note"]) == ("other", "[redacted]")


def test_an_outcome_note_goes_with_a_completed_handoff(client, tokens) -> None:
    sending, receiving, _person, handoff, url = _handoff(client, tokens)
    assert client.post(url, json={"to": "accepted"}, headers=auth(receiving)).status_code == 201
    done = client.post(
        url, json={"to": "completed", "outcome": "sheltered", "outcome_note": "bed 14"}, headers=auth(receiving)
    )
    assert done.status_code == 201
    shown = client.get(f"/api/v1/handoffs/{handoff['id']}", headers=auth(sending)).json
    assert (shown["outcome"], shown["outcome_note"], shown["reason"], shown["reason_note"]) == (
        "sheltered",
        "bed 14",
        None,
        None,
    )


def _legacy(coord, monkeypatch, event: type, handoff_id: str, **command) -> None:
    """Store `command` as an event from before the code lists: version 1, a free-text reason or outcome."""
    monkeypatch.setattr(event, "class_version", 1)
    who = {"effective_on": date.today(), "actor": "legacy", "agency": "gateway"}
    coord.service._update(Handoff, UUID(handoff_id), lambda h: command.pop("method")(h, **command, **who), None)
    monkeypatch.undo()


def test_free_text_stored_before_the_code_lists_reads_as_other(client, tokens, coord, monkeypatch) -> None:
    sending, receiving, _person, rejected, _url = _handoff(client, tokens)
    _legacy(
        coord, monkeypatch, Handoff.Rejected, rejected["id"], method=Handoff._rejected, reason=SECRET, reason_note=None
    )
    assert any(SECRET.encode() in state for state in _stored_states(coord, rejected["id"])), "stored as it was"
    assert b'"class_version"' not in _stored_states(coord, rejected["id"])[-1]
    shown = client.get(f"/api/v1/handoffs/{rejected['id']}", headers=auth(sending)).json
    assert (shown["status"], shown["reason"], shown["reason_note"]) == ("rejected", "other", None)
    listed = client.get("/api/v1/handoffs?status=rejected", headers=auth(tokens["backbone"])).json["items"]
    assert [(h["id"], h["reason"]) for h in listed] == [(rejected["id"], "other")]
    audit = client.get("/api/v1/audit/events?limit=1000", headers=auth(tokens["auditor"]))
    assert audit.status_code == 200 and SECRET not in audit.get_data(as_text=True), "auditors read it as a code too"
    assert [e["data"] for e in audit.json["items"] if e["type"] == "Handoff.Rejected"] == [
        {"reason": "other", "reason_note": None}
    ]

    completed = client.post(
        "/api/v1/handoffs",
        json={"person_id": rejected["person_id"], "to_service_id": rejected["to_service_id"]},
        headers=auth(sending),
    ).json
    url = f"/api/v1/handoffs/{completed['id']}/transitions"
    assert client.post(url, json={"to": "accepted"}, headers=auth(receiving)).status_code == 201
    _legacy(
        coord,
        monkeypatch,
        Handoff.Completed,
        completed["id"],
        method=Handoff._completed,
        outcome=SECRET,
        outcome_note=None,
    )
    shown = client.get(f"/api/v1/handoffs/{completed['id']}", headers=auth(sending)).json
    assert (shown["status"], shown["outcome"], shown["outcome_note"]) == ("completed", "other", None)

    # The expiry code was a code already: an old expiry still closes the handoff as expired.
    expired = client.post(
        "/api/v1/handoffs",
        json={"person_id": rejected["person_id"], "to_service_id": rejected["to_service_id"]},
        headers=auth(sending),
    ).json
    _legacy(
        coord,
        monkeypatch,
        Handoff.Cancelled,
        expired["id"],
        method=Handoff._cancelled,
        reason="expired",
        reason_note=None,
    )
    assert client.get(f"/api/v1/handoffs/{expired['id']}", headers=auth(sending)).json["reason"] == "expired"
    with coord.service.db.engine.connect() as connection:
        closed = dict(connection.execute(select(gap_handoffs.c.handoff_id, gap_handoffs.c.closed_as)).all())
    assert closed == {
        UUID(rejected["id"]).hex: "rejected",
        UUID(completed["id"]).hex: "completed",
        UUID(expired["id"]).hex: "expired",
    }


@pytest.mark.parametrize(
    ("source", "status"),
    [
        ("hmis:export-2024-10", 201),
        ("hmis:export.2024:batch_7", 201),
        ("hmis:Jane Doe 1980-02-03", 422),
        ("HMIS:export", 422),
        ("hmis", 422),
        ("hmis:", 422),
        ("a" * 33 + ":x", 422),
        ("hmis:" + "x" * 161, 422),
        ("hmis:x\n", 422),
    ],
)
def test_source_is_a_provenance_code(client, tokens, source: str, status: int) -> None:
    created = client.post(
        "/api/v1/persons",
        json={"household_type": "single_adult", "veteran": "no", "source": source},
        headers=auth(tokens["case_manager"]),
    )
    assert created.status_code == status
    if status == 201:
        assert created.json["source"] == source
    else:
        assert created.json["errors"]["source"] == [
            "source must be a scheme code, a colon and identifier characters (e.g. hmis:export-2024-10)"
        ]


@pytest.mark.parametrize("stated", ["intake at Gateway for Jane Doe", "case_management: Jane", "", "CASE_MANAGEMENT"])
def test_x_purpose_is_a_code_refused_before_anything_is_written(client, tokens, coord, stated: str) -> None:
    token = tokens["case_manager"]
    before = client.get("/api/v1/persons", headers=auth(token)).json["items"]
    refused = client.post(
        "/api/v1/persons",
        json={"household_type": "single_adult", "veteran": "no", "first_name": "Jane"},
        headers=auth(token, **{"X-Purpose": stated}),
    )
    assert refused.status_code == 400
    assert refused.json["message"] == (
        "X-Purpose must be one of: case_management, coordination, reporting, audit, data_quality, client_request"
    )
    assert client.get("/api/v1/persons", headers=auth(token)).json["items"] == before, "nothing written"
    read = client.get("/api/v1/persons", headers=auth(token, **{"X-Purpose": stated}))
    assert read.status_code == 400


def test_x_purpose_code_is_logged(client, tokens) -> None:
    person = create_person(client, tokens["case_manager"])
    read = client.get(
        f"/api/v1/persons/{person['id']}", headers=auth(tokens["case_manager"], **{"X-Purpose": "case_management"})
    )
    assert read.status_code == 200
    log = client.get("/api/v1/audit/access-log", headers=auth(tokens["auditor"])).json
    rows = log["items"] if isinstance(log, dict) else log
    assert rows[-1]["purpose"] == "GET /api/v1/persons/<uuid:person_id>: case_management"
