"""Listings read their own writes, on SQLite and PostgreSQL, with nothing projecting in the background: a write
leaves the lists behind (one transaction per write) and every listing, or a rule that reads the lists, first
catches them up to the head of the log, including writes made by another process."""

from __future__ import annotations

from uuid import UUID

from coord.service.principal import Principal
from coord.wiring import open_coord
from tests.integration.test_handoffs_api import _request, _setup
from tests.support import auth, create_person


def test_every_listing_shows_the_write_just_made(coord, client, tokens):
    coord.service.after_write.clear()  # no projector: only the listings catch the lists up
    sending, _receiving, outreach, shelter, person = _setup(client, tokens)
    handoff = _request(client, sending, person, outreach, shelter).json
    assert coord.service.lists.lag() > 0, "the writes left the lists behind"

    def listed(url: str, token: str, key: str = "items") -> list[str]:
        body = client.get(url, headers=auth(token)).json
        return [item["id"] for item in body[key]]

    assert listed("/api/v1/persons", sending) == [person["id"]]
    services = client.get("/api/v1/services", headers=auth(sending)).json
    assert sorted(service["id"] for service in services) == sorted([outreach["id"], shelter["id"]])
    assert listed("/api/v1/handoffs", sending) == [handoff["id"]]


def test_the_workspace_listings_show_the_write_just_made(coord, client, tokens):
    coord.service.after_write.clear()
    sending, _receiving, outreach, shelter, person = _setup(client, tokens)
    handoff = _request(client, sending, person, outreach, shelter).json
    app, harbor, gateway = (
        coord.service,
        Principal("t", "case_manager", "harbor"),
        Principal("g", "case_manager", "gateway"),
    )
    assert [str(seen.person.id) for seen in app.worklist(harbor, "test", limit=10)[0]] == [person["id"]]
    assert [str(seen.handoff.id) for seen in app.handoff_queue(gateway, "test", incoming=True)] == [handoff["id"]]
    assert [str(seen.handoff.id) for seen in app.person_handoffs(harbor, UUID(person["id"]), "test")] == [handoff["id"]]
    assert coord.service.lists.lag() == 0


def test_a_retry_names_an_episode_the_lists_have_not_seen_yet(coord, client, tokens):
    coord.service.after_write.clear()
    sending, receiving, outreach, shelter, person = _setup(client, tokens)
    first = _request(client, sending, person, outreach, shelter).json
    url = f"/api/v1/handoffs/{first['id']}/transitions"
    assert (
        client.post(url, json={"to": "rejected", "reason": "no_capacity"}, headers=auth(receiving)).status_code == 201
    )
    retry = _request(client, sending, person, outreach, shelter, episode_id=first["episode_id"])
    assert retry.status_code == 201 and retry.json["episode_id"] == first["episode_id"]


def test_a_write_by_another_process_is_listed(coord, client, tokens, config):
    coord.service.after_write.clear()
    other = open_coord(config)
    try:
        other.service.after_write.clear()
        made = create_person(_client(other), tokens["case_manager"])
    finally:
        other.close()
    body = client.get("/api/v1/persons", headers=auth(tokens["case_manager"])).json
    assert [item["id"] for item in body["items"]] == [made["id"]]


def _client(coord):
    from coord.web import create_app

    return create_app(coord=coord).test_client()
