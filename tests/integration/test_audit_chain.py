"""The audit hash chain on SQLite and PostgreSQL: an untouched log verifies, erasure does not break it, and a
stored event altered or deleted behind the application's back is named by its position."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from coord.service.principal import Principal

CASE_MANAGER = Principal("t", "case_manager", "harbor")
ADMIN = Principal("a", "admin", None)


def _people(coord, count: int = 3) -> list:
    app = coord.service
    people = []
    for i in range(count):
        person = app.identify_person(
            CASE_MANAGER,
            attributes={"veteran": "no", "household_type": "family"},
            pii={"first_name": f"Name{i}"},
            effective_on=date(2026, 1, 5),
        )
        app.record_contact(CASE_MANAGER, person.id, effective_on=date(2026, 1, 9))
        people.append(person)
    app.audit_chain.run()
    return people


def _tamper(coord, sql_sqlite: str, sql_postgres: str, **params) -> None:
    with coord.db.engine.begin() as connection:
        connection.execute(text(sql_sqlite if coord.db.is_sqlite else sql_postgres), params)


def _chained_positions(coord) -> list[int]:
    with coord.db.read() as connection:
        return list(connection.execute(text("SELECT position FROM audit_chain ORDER BY position")).scalars())


def test_an_untouched_log_verifies_and_erasure_keeps_it_so(coord):
    people = _people(coord)
    verdict = coord.service.audit_chain.verify()
    assert verdict.ok and verdict.checked == 6 and verdict.chained_to == _chained_positions(coord)[-1]
    coord.service.erase_person(ADMIN, people[1].id)
    coord.service.audit_chain.run()
    assert coord.service.audit_chain.verify().ok
    assert coord.service.audit_chain.run() == 0, "the chain only ever extends"


@pytest.mark.parametrize("target", [0, 3, -1])
def test_an_altered_event_is_named_by_its_position(coord, target):
    _people(coord)
    position = _chained_positions(coord)[target]
    _tamper(
        coord,
        "UPDATE stored_events SET state = CAST(state || x'20' AS BLOB) WHERE rowid = :p",
        "UPDATE coord_events SET state = state || '\\x20'::bytea WHERE notification_id = :p",
        p=position,
    )
    verdict = coord.service.audit_chain.verify()
    assert not verdict.ok and verdict.position == position and "altered" in verdict.problem


def test_a_deleted_event_is_named_by_its_position(coord):
    _people(coord)
    position = _chained_positions(coord)[2]
    _tamper(
        coord,
        "DELETE FROM stored_events WHERE rowid = :p",
        "DELETE FROM coord_events WHERE notification_id = :p",
        p=position,
    )
    verdict = coord.service.audit_chain.verify()
    assert not verdict.ok and verdict.position == position and "removed" in verdict.problem


def test_swapped_events_are_found(coord):
    _people(coord, 1)
    first, second = _chained_positions(coord)
    # Swap the two events' contents: every row is still there, in another order.
    _tamper(
        coord,
        "UPDATE stored_events SET originator_version = -originator_version WHERE rowid IN (:a, :b)",
        "UPDATE coord_events SET originator_version = -originator_version WHERE notification_id IN (:a, :b)",
        a=first,
        b=second,
    )
    verdict = coord.service.audit_chain.verify()
    assert not verdict.ok and verdict.position == first


def test_verify_through_http_is_for_auditors(client, coord, tokens):
    _people(coord, 1)
    from tests.support import auth

    body = client.get("/api/v1/audit/verify", headers=auth(tokens["auditor"])).json
    assert body["ok"] is True and body["checked"] == 2 and body["problem"] is None
    assert client.get("/api/v1/audit/verify", headers=auth(tokens["backbone"])).status_code == 403
