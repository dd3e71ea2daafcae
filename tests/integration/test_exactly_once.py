"""A write the client was told succeeded is stored once; one it was told failed is stored never, whatever
fails around the commit. In process, on SQLite and PostgreSQL: the failures are injected at the store's
seams (tests/e2e/test_exactly_once.py does the same with real processes, a proxy and signals)."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import OperationalError
from sqlalchemy import insert

from coord.tables import idempotency_records
from tests.integration.test_handoffs_api import _request, _setup
from tests.support import auth, create_person

PERSON = {"veteran": "no", "household_type": "single_adult", "first_name": "Ana", "last_name": "Lopez"}


def stored_events(coord) -> Counter[str]:
    """How many events of each kind the log holds."""
    notifications = coord.service.recorder.select_notifications(start=1, limit=100_000)
    return Counter(n.topic.rsplit(".", 1)[-1] for n in notifications)


def lose_the_commit_reply(coord, monkeypatch: pytest.MonkeyPatch, *, library_retries: bool) -> list[int]:
    """The next insert commits, then the client side sees the connection drop (the reply to COMMIT lost);
    with `library_retries`, the insert is sent again first, as the library's own retry does."""
    recorder = coord.service.recorder
    original = recorder.insert_events
    calls: list[int] = []

    def insert_events(stored: Any, **kwargs: Any) -> Any:
        calls.append(len(stored))
        result = original(stored, **kwargs)
        if len(calls) == 1:
            if library_retries:
                original(stored, **kwargs)  # raises IntegrityError: the rows are there
            raise OperationalError("server closed the connection unexpectedly")
        return result

    monkeypatch.setattr(recorder, "insert_events", insert_events)
    return calls


@pytest.mark.parametrize("library_retries", [False, True], ids=["reply-lost", "reply-lost-then-resent"])
@pytest.mark.parametrize("key", [None, "contact-1"], ids=["no-key", "key"])
def test_a_lost_commit_reply_is_found_to_have_landed(client, tokens, coord, monkeypatch, library_retries, key):
    token = tokens["case_manager"]
    person = create_person(client, token)
    before = stored_events(coord)
    calls = lose_the_commit_reply(coord, monkeypatch, library_retries=library_retries)
    headers = auth(token, **({"Idempotency_Key": key} if key else {}))

    response = client.post(f"/api/v1/persons/{person['id']}/contacts", json={}, headers=headers)

    assert (response.status_code, response.json["version"], len(calls)) == (201, 2, 1)
    assert stored_events(coord) - before == Counter({"ContactRecorded": 1}), "stored once, not applied again"


def test_a_lost_commit_reply_on_identification_answers_the_stored_person(client, tokens, coord, monkeypatch):
    lose_the_commit_reply(coord, monkeypatch, library_retries=True)
    response = client.post("/api/v1/persons", json=PERSON, headers=auth(tokens["case_manager"]))
    assert (response.status_code, response.json["first_name"]) == (201, "Ana")
    assert stored_events(coord)["Identified"] == 1
    shown = client.get(f"/api/v1/persons/{response.json['id']}", headers=auth(tokens["case_manager"]))
    assert shown.json["first_name"] == "Ana", "the person's data key committed with their events"


def test_a_failure_after_the_commit_does_not_fail_the_write(client, tokens, coord, monkeypatch):
    def dropped() -> None:
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(coord.service.lists, "run", dropped)
    headers = auth(tokens["case_manager"], Idempotency_Key="create-after-commit")
    first = client.post("/api/v1/persons", json=PERSON, headers=headers)
    again = client.post("/api/v1/persons", json=PERSON, headers=headers)

    assert (first.status_code, again.status_code, again.json["id"]) == (201, 201, first.json["id"])
    assert stored_events(coord)["Identified"] == 1


def test_a_failing_access_log_after_the_commit_leaves_the_personal_data_out(client, tokens, coord, monkeypatch):
    """A person's write logs the read of its answer in its own transaction (below); a handoff's answer shows its
    note after the commit, and an access log that fails then leaves the note out."""
    sending, _receiving, outreach, shelter, person = _setup(client, tokens)

    def dropped(*_: Any, **__: Any) -> None:
        raise OperationalError("the access log could not be written")

    monkeypatch.setattr(coord.service.privacy.access, "record", dropped)
    response = _request(client, sending, person, outreach, shelter, note="bed near the door")
    assert (response.status_code, response.json["note"]) == (201, "[redacted]")
    assert stored_events(coord)["Requested"] == 1


def test_a_write_and_the_read_of_its_answer_are_logged_in_one_transaction(client, tokens, coord, monkeypatch):
    def dropped(*_: Any, **__: Any) -> None:
        raise AssertionError("the answer's read is logged with the write, not after it")

    monkeypatch.setattr(coord.service.privacy.access, "record", dropped)
    response = client.post("/api/v1/persons", json=PERSON, headers=auth(tokens["case_manager"]))
    assert (response.status_code, response.json["first_name"], response.json["pii_visible"]) == (201, "Ana", True)
    entries = coord.service.access.page(person_id=UUID(response.json["id"]))
    assert [(e["actor"], e["fields"]) for e in entries] == [
        (coord.tokens.authenticate(tokens["case_manager"]).id, "first_name,last_name")
    ]


def test_a_key_committed_first_by_a_concurrent_request_answers_the_second_with_its_outcome(
    client, tokens, coord, monkeypatch
):
    token = tokens["case_manager"]
    headers = auth(token, Idempotency_Key="twice-at-once")
    first = client.post("/api/v1/persons", json=PERSON, headers=headers)
    # The second request looked the key up before the first committed: it runs the command too.
    monkeypatch.setattr(coord.idempotency, "lookup", lambda *_: None)
    second = client.post("/api/v1/persons", json=PERSON, headers=headers)

    assert (second.status_code, second.json["id"], second.json["version"]) == (201, first.json["id"], 1)
    assert stored_events(coord)["Identified"] == 1, "the second one's events rolled back with its record"
    assert client.get(f"/api/v1/persons/{first.json['id']}", headers=auth(token)).status_code == 200


def test_a_key_whose_request_died_runs_again_at_once(client, tokens, coord):
    """A reservation left by an older version (or any record not of a stored write) holds nothing up."""
    token = tokens["case_manager"]
    principal = coord.tokens.authenticate(token)
    coord.idempotency.prune()  # the last pruning was just now: the reservation below stays in the table
    with coord.db.write() as connection:
        connection.execute(
            insert(idempotency_records).values(
                token_id=principal.id, key="died", fingerprint="x", state="in_flight", created_at=_now()
            )
        )
    response = client.post("/api/v1/persons", json=PERSON, headers=auth(token, Idempotency_Key="died"))
    assert response.status_code == 201
    assert stored_events(coord)["Identified"] == 1


def test_a_refused_write_stores_nothing_and_its_key_stays_free(client, tokens, coord):
    token = tokens["case_manager"]
    person = create_person(client, token)
    url = f"/api/v1/persons/{person['id']}/transitions"
    before = stored_events(coord)
    refused = client.post(url, json={"to": "active"}, headers=auth(token, Idempotency_Key="k"))
    again = client.post(url, json={"to": "active"}, headers=auth(token, Idempotency_Key="k"))
    assert (refused.status_code, again.status_code) == (409, 409)
    assert stored_events(coord) == before


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_a_request_refused_because_the_same_key_already_changed_the_record_answers_with_that_outcome(
    client, tokens, coord, monkeypatch
):
    """Two requests with one key at once: the second reads the record after the first committed, and its
    command is refused ("already inactive"); the key's answer is still the first one's."""
    token = tokens["case_manager"]
    person = create_person(client, token)
    url = f"/api/v1/persons/{person['id']}/transitions"
    headers = auth(token, Idempotency_Key="inactive-at-once")
    body = {"to": "inactive", "reason": "left_area"}
    first = client.post(url, json=body, headers=headers)
    looked_up = coord.idempotency.lookup
    calls: list[str] = []

    def lookup(*args: Any) -> Any:
        calls.append("lookup")
        return None if len(calls) == 1 else looked_up(*args)  # the first look-up came before the commit

    monkeypatch.setattr(coord.idempotency, "lookup", lookup)
    second = client.post(url, json=body, headers=headers)

    assert (first.status_code, second.status_code, second.json["version"], len(calls)) == (201, 201, 2, 2)
    assert stored_events(coord)["MarkedInactive"] == 1
