"""/stream's slots and credentials (issue 11, findings 4 and 7): a HEAD holds no slot, a stream ends once its
token is revoked or its dashboard session signed out, and one token holds at most two streams."""

from __future__ import annotations

from itertools import islice

from tests.support import auth


def _token_id(token: str) -> str:
    return token.split("_")[1]  # coord_<id>_<secret>


def _free_slots(coord) -> int:
    return coord.streams._value


def test_heads_hold_no_stream_slot(coord, client, tokens):
    slots = coord.config.threads // 2
    assert _free_slots(coord) == slots
    for _ in range(slots + 1):
        with client.head("/api/v1/stream", headers=auth(tokens["backbone"])) as head:
            assert head.status_code == 200 and head.data == b""
            assert head.mimetype == "text/event-stream"
    assert _free_slots(coord) == slots
    response = client.get("/api/v1/stream", headers=auth(tokens["backbone"]), buffered=False)
    assert response.status_code == 200
    assert _free_slots(coord) == slots - 1
    response.close()
    assert _free_slots(coord) == slots


def test_a_stream_closed_before_it_is_read_gives_its_slot_back(coord, client, tokens):
    slots = coord.config.threads // 2
    for _ in range(slots + 1):
        response = client.get("/api/v1/stream", headers=auth(tokens["auditor"]), buffered=False)
        assert response.status_code == 200
        response.close()
    assert _free_slots(coord) == slots


def test_the_stream_of_a_revoked_token_ends(app, coord, client, tokens):
    app.config["COORD_STREAM_HEARTBEAT_SECONDS"] = 0.2
    response = client.get("/api/v1/stream", headers=auth(tokens["backbone"]), buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    assert next(chunks).startswith(b"event: counts\n")
    assert next(chunks) == b": heartbeat\n\n"
    assert coord.tokens.revoke(_token_id(tokens["backbone"])) is True
    assert list(islice(chunks, 3)) == []  # ended at the next wake (bounded: a stream that stays open fails)
    response.close()
    assert _free_slots(coord) == coord.config.threads // 2
    assert client.get("/api/v1/stream", headers=auth(tokens["backbone"])).status_code == 401


def test_the_stream_of_a_signed_out_dashboard_session_ends(app, coord, client, tokens):
    app.config["COORD_STREAM_HEARTBEAT_SECONDS"] = 0.2
    assert client.post("/dashboard/login", data={"token": tokens["backbone"]}).status_code == 303
    response = client.get("/api/v1/stream", buffered=False)
    assert response.status_code == 200
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    assert next(chunks).startswith(b"event: counts\n")
    assert client.post("/dashboard/logout").status_code == 303
    assert list(islice(chunks, 3)) == []
    response.close()
    assert _free_slots(coord) == coord.config.threads // 2


def test_one_token_holds_at_most_two_streams(coord, client, tokens):
    first = client.get("/api/v1/stream", headers=auth(tokens["backbone"]), buffered=False)
    second = client.get("/api/v1/stream", headers=auth(tokens["backbone"]), buffered=False)
    assert (first.status_code, second.status_code) == (200, 200)
    third = client.get("/api/v1/stream", headers=auth(tokens["backbone"]), buffered=False)
    assert third.status_code == 429 and third.headers["Retry-After"] == "3"
    assert third.json["message"] == "this token already holds 2 open streams; close one first"
    assert client.post("/dashboard/login", data={"token": tokens["backbone"]}).status_code == 303
    assert client.get("/api/v1/stream", buffered=False).status_code == 429  # its sessions count with it
    other = client.get("/api/v1/stream", headers=auth(tokens["auditor"]), buffered=False)
    assert other.status_code == 200
    assert _free_slots(coord) == coord.config.threads // 2 - 3
    first.close()
    again = client.get("/api/v1/stream", headers=auth(tokens["backbone"]), buffered=False)
    assert again.status_code == 200
    for response in (second, other, again):
        response.close()
    assert _free_slots(coord) == coord.config.threads // 2
