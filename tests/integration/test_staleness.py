"""Live view honesty (issue 13, part 2): with the projector stopped, the live counts are stale since the
first event it has not applied was recorded, once that is more than STALE_AFTER ago; /readyz, the stream
and the dashboard say so, and say nothing once it has caught up. On both stores: here nothing projects the
populations read model until a test runs the catch-up itself (no `start_live`, no projecting hook)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

import projections.staleness
from coord.service.staleness import counts_staleness
from projections.staleness import STALE_AFTER, Staleness
from tests.support import auth, create_person


@pytest.fixture
def coord(config):
    """A serving process's objects whose projector is down: a write catches only the lists up."""
    from coord.wiring import open_coord

    coord = open_coord(config)
    yield coord
    coord.close()


@pytest.fixture
def stale_now(monkeypatch):
    """Every unapplied event counts as late: no test waits STALE_AFTER."""
    monkeypatch.setattr(projections.staleness, "STALE_AFTER", timedelta(0))


def _recorded_at(client, tokens, position: int) -> str:
    """The log's own recorded time of the event at `position`, as the auditors' API gives it."""
    response = client.get(f"/api/v1/audit/events?after={position - 1}&limit=1", headers=auth(tokens["auditor"]))
    assert response.status_code == 200, response.json
    (item,) = response.json["items"]
    assert item["position"] == position
    return item["recorded_at"]


def _catch_up(coord) -> None:
    """What the projector does when it runs again: apply the log, then tell the streams."""
    coord.service.projections.run()
    coord.changes.notify()


def test_stale_only_past_the_allowed_delay_and_fresh_again_once_caught_up(coord, client, tokens):
    assert timedelta(seconds=10) == STALE_AFTER
    assert counts_staleness(coord) == Staleness(behind=0, since=None)
    create_person(client, tokens["case_manager"])
    create_person(client, tokens["case_manager"])
    head = coord.service.recorder.max_notification_id()
    first = datetime.fromisoformat(_recorded_at(client, tokens, head - 1))
    # Behind, but the first unapplied event is only just old enough: still within the delay.
    assert counts_staleness(coord, now=first + STALE_AFTER) == Staleness(behind=2, since=None)
    assert counts_staleness(coord, now=first + timedelta(seconds=3)) == Staleness(behind=2, since=None)
    late = first + STALE_AFTER + timedelta(microseconds=1)
    assert counts_staleness(coord, now=late) == Staleness(behind=2, since=first)
    assert counts_staleness(coord, now=late, stale_after=timedelta(minutes=1)) == Staleness(behind=2, since=None)
    coord.service.projections.run()
    assert counts_staleness(coord, now=late + timedelta(hours=1)) == Staleness(behind=0, since=None)


def test_a_stopped_projector_with_nothing_new_is_not_stale(coord, client, tokens):
    create_person(client, tokens["case_manager"])
    coord.service.projections.run()
    # The projector is still not running, but every event is counted: the counts are true.
    assert counts_staleness(coord, now=datetime.now().astimezone() + timedelta(days=30)) == Staleness(0, None)


def test_readyz_says_since_when_the_counts_are_stale_and_stays_ready(coord, client, tokens, monkeypatch):
    assert client.get("/readyz").json == {"status": "ready", "projection_lag": 0, "counts_stale_since": None}
    create_person(client, tokens["case_manager"])
    within = client.get("/readyz")
    assert (within.status_code, within.json) == (
        200,
        {"status": "ready", "projection_lag": 1, "counts_stale_since": None},
    )
    monkeypatch.setattr(projections.staleness, "STALE_AFTER", timedelta(0))
    since = _recorded_at(client, tokens, coord.service.recorder.max_notification_id())
    stale = client.get("/readyz")
    assert (stale.status_code, stale.json) == (
        200,
        {"status": "ready", "projection_lag": 1, "counts_stale_since": since},
    )
    coord.service.projections.run()
    assert client.get("/readyz").json == {"status": "ready", "projection_lag": 0, "counts_stale_since": None}


def _event(chunk: bytes) -> tuple[str, dict]:
    """An SSE event's name and data."""
    fields = dict(line.split(": ", 1) for line in chunk.decode().strip().splitlines())
    return fields["event"], json.loads(fields["data"])


def _active(counts: dict) -> int:
    return next(row["active"] for row in counts["rows"] if row["population"] == "all")


def test_the_stream_says_stale_in_place_of_heartbeats_then_counts_once_caught_up(app, coord, client, tokens, stale_now):
    app.config["COORD_STREAM_HEARTBEAT_SECONDS"] = 0.2
    response = client.get("/api/v1/stream", headers=auth(tokens["backbone"]), buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    name, counts = _event(next(chunks))
    assert (name, _active(counts), counts["stale_since"]) == ("counts", 0, None)
    assert next(chunks) == b": heartbeat\n\n"
    person = create_person(client, tokens["case_manager"])
    head = coord.service.recorder.max_notification_id()
    since = _recorded_at(client, tokens, head)
    # Nothing wakes the stream (no projector, so no change): the heartbeat notices.
    name, counts = _event(next(chunks))
    assert (name, _active(counts), counts["stale_since"]) == ("counts", 0, since)
    assert _event(next(chunks)) == ("stale", {"since": since, "behind": 1})
    assert _event(next(chunks)) == ("stale", {"since": since, "behind": 1})  # the next heartbeat
    _catch_up(coord)
    name, counts = _event(next(chunks))
    assert (name, _active(counts), counts["stale_since"], counts["position"]) == ("counts", 1, None, head)
    assert next(chunks) == b": heartbeat\n\n"
    # A contact changes no count: the stream still says when it goes stale, and when it is fresh again.
    contact = client.post(f"/api/v1/persons/{person['id']}/contacts", json={}, headers=auth(tokens["case_manager"]))
    assert contact.status_code == 201, contact.json
    since = _recorded_at(client, tokens, head + 1)
    name, counts = _event(next(chunks))
    assert (name, _active(counts), counts["stale_since"]) == ("counts", 1, since)
    assert _event(next(chunks)) == ("stale", {"since": since, "behind": 1})
    _catch_up(coord)
    name, counts = _event(next(chunks))
    assert (name, _active(counts), counts["stale_since"], counts["position"]) == ("counts", 1, None, head + 1)
    response.close()


def test_the_dashboard_shows_the_notice_only_while_stale(coord, client, tokens, stale_now):
    assert client.post("/dashboard/login", data={"token": tokens["backbone"]}).status_code == 303
    fresh = client.get("/dashboard").get_data(as_text=True)
    assert '<div id="stale-notice" role="status" aria-live="polite">' in fresh
    assert '<p class="stale" hidden>' in fresh
    create_person(client, tokens["case_manager"])
    since = _recorded_at(client, tokens, coord.service.recorder.max_notification_id())
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<p class="stale">Counts are stale since' in page
    assert f'<time id="stale-since" datetime="{since}">{since[11:16]}</time> UTC:' in page
    assert '<span id="stale-behind">1</span> <span id="stale-noun">event</span>' in page
    assert "not yet counted. Is the projector running?</p>" in page
    coord.service.projections.run()
    assert '<p class="stale" hidden>' in client.get("/dashboard").get_data(as_text=True)
