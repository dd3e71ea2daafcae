"""Incremental verification, on SQLite and PostgreSQL: `GET /audit/verify?incremental=true` (`coord verify
--incremental`) recomputes both chains only after the latest signed head in the database, from the hashes that
head signs: what was recorded since is checked as closely as by the full verification, and a head whose
signature does not hold is no place to start from."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from coord.service import audit
from events.errors import RuleError
from tests.integration.test_audit_anchoring import ALTER, AUDITOR, CASE_MANAGER, _access_ids, _people, _positions, _sql
from tests.support import auth


def _incremental(coord, head=None) -> dict:
    return audit.verify(coord, AUDITOR, head, incremental=True)


def test_only_what_came_after_the_latest_head_is_recomputed(coord):
    _people(coord, 2)
    head = audit.checkpoint(coord)
    people = _people(coord, 3)
    coord.service.read_person(CASE_MANAGER, people[0].id, "follow-up")
    verdict = _incremental(coord)
    assert verdict["ok"] is True and verdict["problem"] is None
    assert (verdict["since"], verdict["checked"], verdict["last_position"]) == (
        head["position"],
        6,
        _positions(coord)[-1],
    )
    assert (verdict["access_checked"], verdict["access_last_id"]) == (4, _access_ids(coord)[-1])
    assert (verdict["checkpoints"], verdict["anchored_to"], verdict["access_anchored_to"]) == (
        1,
        head["position"],
        head["access_id"],
    )
    full = audit.verify(coord, AUDITOR)
    assert (full["since"], full["checked"], full["access_checked"]) == (0, 10, 6)


def test_an_event_altered_after_the_head_is_caught(coord):
    _people(coord, 1)
    audit.checkpoint(coord)
    _people(coord, 2)
    altered = _positions(coord)[-2]
    _sql(coord, ALTER, p=altered)
    verdict = _incremental(coord)
    assert verdict["ok"] is False and verdict["position"] == altered
    assert verdict["problem"] == f"the event at position {altered} was altered, or the log was reordered there"
    assert verdict["checked"] == 2


def test_an_event_altered_before_the_head_is_left_to_the_full_verification(coord):
    _people(coord, 2)
    audit.checkpoint(coord)
    _sql(coord, ALTER, p=_positions(coord)[0])
    assert _incremental(coord)["ok"] is True
    assert audit.verify(coord, AUDITOR)["ok"] is False


def test_an_access_log_entry_altered_after_the_head_is_caught(coord):
    _people(coord, 1)
    audit.checkpoint(coord)
    _people(coord, 2)
    altered = _access_ids(coord)[-1]
    with coord.db.engine.begin() as connection:
        connection.execute(text("UPDATE access_log SET purpose = 'nothing to see' WHERE id = :i"), {"i": altered})
    verdict = _incremental(coord)
    assert verdict["ok"] is False and verdict["entry"] == altered
    assert verdict["access_checked"] == 1


def test_a_forged_head_is_no_place_to_start_from(coord):
    _people(coord, 1)
    head = audit.checkpoint(coord)
    with coord.db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_checkpoints SET hash = :h"), {"h": "0" * 64})
    verdict = _incremental(coord)
    assert verdict["ok"] is False and verdict["position"] == head["position"]
    assert verdict["problem"] == f"the head at position {head['position']} does not carry a valid signature"


def test_without_a_head_the_whole_log_is_checked(coord):
    _people(coord, 2)
    verdict = _incremental(coord)
    assert (verdict["ok"], verdict["since"], verdict["checked"], verdict["access_checked"]) == (True, 0, 4, 2)


def test_a_head_kept_elsewhere_before_the_latest_needs_the_full_verification(coord):
    _people(coord, 1)
    older = audit.checkpoint(coord)
    _people(coord, 1)
    audit.checkpoint(coord)
    with pytest.raises(RuleError) as raised:
        _incremental(coord, older)
    assert str(raised.value) == (
        f"the head at position {older['position']} comes before the latest signed head in the database "
        f"(position {_positions(coord)[-1]}): check it with the full verification"
    )


def test_incremental_through_http(client, coord, tokens):
    _people(coord, 1)
    head = audit.checkpoint(coord)
    _people(coord, 1)
    verify = "/api/v1/audit/verify"
    body = client.get(f"{verify}?incremental=true", headers=auth(tokens["auditor"])).json
    assert (body["ok"], body["since"], body["checked"]) == (True, head["position"], 2)
    assert client.get(verify, headers=auth(tokens["auditor"])).json["since"] == 0
    bad = client.get(f"{verify}?incremental=maybe", headers=auth(tokens["auditor"]))
    assert bad.status_code == 422 and "incremental" in str(bad.json), bad.json
    for role in ("backbone", "case_manager"):
        assert client.get(f"{verify}?incremental=true", headers=auth(tokens[role])).status_code == 403, role
    _sql(coord, ALTER, p=_positions(coord)[-1])
    assert client.get(f"{verify}?incremental=true", headers=auth(tokens["auditor"])).json["ok"] is False
