"""A person's personal data, written through the API, appears in no table of the store, as raw bytes,
nor in any log line: SQLite is read file by file (with its write-ahead log), PostgreSQL table by table."""

from __future__ import annotations

import logging
from pathlib import Path
from uuid import UUID

import psycopg

from tests.support import DISTINCT, auth, create_person, create_service


def _needles() -> list[bytes]:
    values = list(DISTINCT.values())
    return [v.encode() for v in values] + [v.lower().encode() for v in values] + [b"Vantrebeck", b"867-5309"]


def _write_everything(client, tokens) -> dict:
    token = tokens["case_manager"]
    outreach = create_service(client, token, "Harbor outreach", "outreach")
    shelter = create_service(client, tokens["other_agency"], "Gateway shelter", "emergency_shelter")
    person = create_person(client, token, ssn_last4="7319", **DISTINCT)
    assert person["first_name"] == DISTINCT["first_name"]
    url = f"/api/v1/persons/{person['id']}"
    client.patch(url, json={"notes": DISTINCT["notes"] + " again"}, headers=auth(token, Idempotency_Key="p"))
    client.post(f"{url}/contacts", json={}, headers=auth(token, Idempotency_Key="c"))
    client.get(url, headers=auth(token, X_Purpose="case_management"))
    note = f"{DISTINCT['first_name']} prefers texts at {DISTINCT['phone']}"
    handoff = client.post(
        "/api/v1/handoffs",
        json={
            "person_id": person["id"],
            "from_service_id": outreach["id"],
            "to_service_id": shelter["id"],
            "note": note,
        },
        headers=auth(token, Idempotency_Key="h"),
    )
    assert handoff.status_code == 201 and handoff.json["note"] == note
    rejected = client.post(
        f"/api/v1/handoffs/{handoff.json['id']}/transitions",
        json={"to": "rejected", "reason": "other", "reason_note": f"{DISTINCT['last_name']} asked us to wait"},
        headers=auth(tokens["other_agency"]),
    )
    assert rejected.status_code == 201 and rejected.json["reason_note"] == "[redacted]"
    # Errors must not echo personal data either.
    bad = client.post("/api/v1/persons", json={**DISTINCT, "veteran": DISTINCT["last_name"]}, headers=auth(token))
    assert bad.status_code == 422 and DISTINCT["last_name"] not in bad.get_data(as_text=True)
    return person


def _assert_clean(blob: bytes, where: str) -> None:
    for needle in _needles():
        assert needle not in blob, f"plaintext personal data found in {where}"


def _sqlite_blobs(store_url: str) -> dict[str, bytes]:
    database = Path(store_url.removeprefix("sqlite:///"))
    files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]
    assert database in files
    return {path.name: path.read_bytes() for path in files}


def _postgres_blobs(store_url: str) -> dict[str, bytes]:
    blobs = {}
    with psycopg.connect(store_url) as connection:
        tables = [row[0] for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        assert {"coord_events", "person_keys", "access_log", "idempotency_records"} <= set(tables), tables
        for table in tables:
            rows = connection.execute(f'SELECT * FROM "{table}"').fetchall()
            blobs[table] = b"\n".join(
                b"|".join(value if isinstance(value, bytes) else str(value).encode() for value in row) for row in rows
            )
    return blobs


def test_store_and_logs_hold_no_plaintext(client, tokens, coord, store_url, caplog):
    caplog.set_level(logging.DEBUG)
    person = _write_everything(client, tokens)
    blobs = _sqlite_blobs(store_url) if store_url.startswith("sqlite") else _postgres_blobs(store_url)
    # The scan reads what was stored: clear values written with the personal data are found in it.
    for written in (UUID(person["id"]).hex.encode(), b"Harbor outreach", b"Gateway shelter"):
        assert any(written in blob for blob in blobs.values()), f"{written!r} not found: the scan misses the data"
    for where, blob in blobs.items():
        _assert_clean(blob, where)
    _assert_clean(caplog.text.encode(), "the log")
