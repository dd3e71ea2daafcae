"""Verification reads the stored events and the chain a page at a time: whatever the page size, it reaches the
same verdict, at the same position, with the same counts, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from projections import audit_chain
from tests.integration.test_audit_anchoring import _positions
from tests.integration.test_audit_chain import _people

PAGES = [1, 2, 3, 1000]


def _log(coord, persons: int = 4) -> list[int]:
    _people(coord, persons)
    return _positions(coord)


def _run(coord, statement: str, **params) -> None:
    if coord.db.is_sqlite:
        statement = statement.replace("coord_events", "stored_events").replace("notification_id", "rowid")
    with coord.db.engine.begin() as connection:
        connection.execute(text(statement), params)


def _verdicts(coord, monkeypatch, **verify) -> set:
    found = set()
    for page in PAGES:
        monkeypatch.setattr(audit_chain, "VERIFY_PAGE", page)
        v = coord.service.audit_chain.verify(**verify)
        found.add(
            (v.ok, v.checked, v.chained_to, v.position, v.problem, v.last_position, tuple(sorted(v.hashes.items())))
        )
    assert len(found) == 1, "every page size gives the same verdict"
    return found.pop()


def test_an_untouched_log_verifies_alike_page_by_page(coord, monkeypatch):
    positions = _log(coord)
    ok, checked, chained_to, *_, last, hashes = _verdicts(coord, monkeypatch, anchors=[positions[0], positions[-1]])
    assert (ok, checked, chained_to, last) == (True, len(positions), positions[-1], positions[-1])
    assert [position for position, _ in hashes] == [positions[0], positions[-1]]


def test_events_not_chained_yet_are_hashed_but_not_checked(coord, monkeypatch):
    positions = _log(coord)
    _run(coord, "DELETE FROM audit_chain WHERE position > :p", p=positions[4])
    ok, checked, chained_to, position, problem, last, _ = _verdicts(coord, monkeypatch)
    assert (ok, checked, chained_to, position, problem, last) == (True, 5, positions[4], None, None, positions[-1])


@pytest.mark.parametrize("target", [0, 3, 7])
def test_an_event_missing_from_the_chain_is_named_as_inserted(coord, monkeypatch, target):
    positions = _log(coord)
    _run(coord, "DELETE FROM audit_chain WHERE position = :p", p=positions[target])
    ok, checked, _, position, problem, *_ = _verdicts(coord, monkeypatch)
    if target == len(positions) - 1:
        assert ok and checked == target, "the chain's last entry gone: the event is not chained yet"
        return
    assert (ok, checked, position) == (False, target, positions[target])
    assert problem == f"an event was inserted at position {positions[target]}"


@pytest.mark.parametrize("target", [0, 3, 7])
def test_a_removed_event_is_named_page_by_page(coord, monkeypatch, target):
    positions = _log(coord)
    _run(coord, "DELETE FROM coord_events WHERE notification_id = :p", p=positions[target])
    ok, checked, _, position, problem, *_ = _verdicts(coord, monkeypatch)
    assert (ok, checked, position) == (False, target, positions[target])
    assert problem == f"the event at position {positions[target]} was removed"


@pytest.mark.parametrize("target", [0, 3, 7])
def test_an_altered_event_is_named_page_by_page_from_a_signed_start(coord, monkeypatch, target):
    positions = _log(coord)
    start = (positions[0], coord.service.audit_chain.verify(anchors=[positions[0]]).hashes[positions[0]])
    _run(coord, "UPDATE coord_events SET topic = topic || 'x' WHERE notification_id = :p", p=positions[target])
    ok, checked, _, position, problem, *_ = _verdicts(coord, monkeypatch, start=start)
    if target == 0:
        assert ok and checked == len(positions) - 1, "what came before the start is not read"
        return
    assert (ok, checked, position) == (False, target - 1, positions[target])
    assert "altered" in problem
