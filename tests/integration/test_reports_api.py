"""Reports through HTTP, on SQLite and PostgreSQL: who may read them, JSON and CSV, parameters, the stream."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from events.dates import today
from events.populations import POPULATIONS
from projections.reports.months import add_months, label, month_of
from tests.support import auth, create_person, create_service

REPORTS = ("/counts", "/monthly", "/functional-zero", "/handoff-gaps", "/bfz")


def _get(client, token, path, **query):
    return client.get(f"/api/v1/reports{path}", query_string=query, headers=auth(token))


def _counts(client, token) -> dict[str, int]:
    return {row["population"]: row["active"] for row in _get(client, token, "/counts").json["rows"]}


@pytest.mark.parametrize("path", REPORTS)
def test_reports_are_for_the_backbone_auditors_and_admins(client, tokens, path):
    for role in ("backbone", "auditor", "admin"):
        assert _get(client, tokens[role], path).status_code == 200, role
    refused = _get(client, tokens["case_manager"], path)
    assert refused.status_code == 403 and refused.json["code"] == 403
    assert client.get(f"/api/v1/reports{path}").status_code == 401


def test_a_write_moves_the_live_counts(client, tokens):
    before = _counts(client, tokens["backbone"])
    person = create_person(client, tokens["case_manager"], veteran="yes")
    after = _counts(client, tokens["backbone"])
    assert after["all"] == before["all"] + 1 and after["veterans"] == before["veterans"] + 1
    assert after["families"] == before["families"]
    housed = {"to": "housed", "destination": 410}
    url = f"/api/v1/persons/{person['id']}/transitions"
    assert client.post(url, json=housed, headers=auth(tokens["case_manager"])).status_code == 201
    assert _counts(client, tokens["backbone"]) == before


def test_monthly_metrics_as_json_and_csv(client, tokens):
    create_person(client, tokens["case_manager"], effective_on=(today() - timedelta(days=40)).isoformat())
    this_month = month_of(today())
    body = _get(client, tokens["backbone"], "/monthly", population="all").json
    assert body["from"] == label(add_months(this_month, -11)) and body["to"] == label(this_month)
    assert [row["month"] for row in body["rows"]] == [label(add_months(this_month, i - 11)) for i in range(12)]
    assert body["rows"][-1]["actively_homeless"] == 1 and sum(r["newly_identified"] for r in body["rows"]) == 1
    response = _get(client, tokens["backbone"], "/monthly", population="all", format="csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 12 and rows[-1]["actively_homeless"] == "1" and rows[0]["avg_days_to_housing"] == ""
    assert list(rows[0])[:3] == ["population", "month", "actively_homeless"]


def test_functional_zero_defaults_to_the_last_complete_month(client, tokens):
    body = _get(client, tokens["backbone"], "/functional-zero").json
    assert body["month"] == label(add_months(month_of(today()), -1)) and body["window_months"] == 6
    assert [row["population"] for row in body["rows"]] == [
        "all",
        "single_adults",
        "veterans",
        "chronic",
        "youth",
        "families",
    ]
    assert all(row["reached"] and row["threshold"] == 3 for row in body["rows"]), "nobody is homeless"


def test_handoff_gaps_with_a_cut_and_as_csv(client, tokens):
    sending, receiving = tokens["case_manager"], tokens["other_agency"]
    outreach = create_service(client, sending, "Harbor outreach", "outreach")
    shelter = create_service(client, receiving, "=Gateway shelter", "emergency_shelter", handoff_window_days=7)
    person = create_person(client, sending, sex="female")
    body = {"person_id": person["id"], "from_service_id": outreach["id"], "to_service_id": shelter["id"]}
    assert client.post("/api/v1/handoffs", json=body, headers=auth(sending)).status_code == 201
    rows = _get(client, tokens["backbone"], "/handoff-gaps").json["rows"]
    assert [(r["to_service"], r["from_stage"], r["episodes"], r["censored"]) for r in rows] == [
        ("=Gateway shelter", "outreach", 1, 1)
    ]
    assert rows[0]["to_service_id"] == shelter["id"], "the id as /services gives it"
    cut = _get(client, tokens["backbone"], "/handoff-gaps", by="sex").json
    assert cut["by"] == "sex" and cut["suppress_below"] == 11
    # Every sex is listed, zeros included; female's 1 is hidden, and so is male's 0: it could be either's.
    row = cut["rows"][0]
    assert [(r["sex"], r["episodes"]) for r in cut["rows"]] == [
        ("female", None),
        ("male", None),
        ("refused", 0),
        ("unknown", 0),
    ]
    assert "episodes" in row["suppressed"]
    text = _get(client, tokens["backbone"], "/handoff-gaps", by="sex", format="csv").get_data(as_text=True)
    line, *_ = list(csv.DictReader(io.StringIO(text)))
    assert line["episodes"] == "suppressed" and line["to_service"] == "'=Gateway shelter", "no formula"


def test_the_bfz_submission_is_the_monthly_report_of_its_month_with_the_month_before(client, tokens):
    last = add_months(month_of(today()), -1)
    create_person(client, tokens["case_manager"], effective_on=(last - timedelta(days=20)).isoformat())
    create_person(client, tokens["case_manager"], effective_on=(last + timedelta(days=3)).isoformat())
    body = _get(client, tokens["backbone"], "/bfz").json
    assert body["month"] == label(last) and [row["population"] for row in body["rows"]] == list(POPULATIONS)
    row = body["rows"][0]
    monthly = _get(client, tokens["backbone"], "/monthly", **{"from": label(last), "to": label(last)}).json["rows"][0]
    assert {name: row[name] for name in monthly} == monthly
    assert row["previous_actively_homeless"] == 1 and row["actively_homeless"] == 2 and row["balanced"] is True
    response = _get(client, tokens["auditor"], "/bfz", month=label(last), format="csv")
    assert response.mimetype == "text/csv"
    cells = next(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert cells["previous_actively_homeless"] == "1" and cells["balanced"] == "true" and cells["month"] == label(last)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/monthly", {"from": "2026-13"}),
        ("/monthly", {"from": "26-01"}),
        ("/monthly", {"from": "2026-05", "to": "2026-04"}),
        ("/monthly", {"to": label(add_months(month_of(today()), 2))}),
        ("/monthly", {"from": "2000-01", "to": "2020-01"}),
        ("/monthly", {"population": "everyone"}),
        ("/monthly", {"format": "xml"}),
        ("/functional-zero", {"month": "2026-1"}),
        ("/bfz", {"month": "2026-00"}),
        ("/bfz", {"month": label(add_months(month_of(today()), 2))}),
        ("/bfz", {"format": "pdf"}),
        ("/monthly", {"revisions": "perhaps"}),
        ("/handoff-gaps", {"window_days": "0"}),
        ("/handoff-gaps", {"by": "name"}),
        ("/handoff-gaps", {"as_of": (date.today() + timedelta(days=5)).isoformat()}),
        ("/handoff-gaps", {"as_of": "yesterday"}),
    ],
)
def test_bad_parameters_are_clear_errors(client, tokens, path, query):
    response = _get(client, tokens["backbone"], path, **query)
    assert response.status_code == 422, response.json
    assert response.json["message"]


def test_the_stream_sends_counts_and_then_each_change(app, client, tokens):
    app.config["COORD_STREAM_HEARTBEAT_SECONDS"] = 0.2
    response = client.get("/api/v1/stream", headers=auth(tokens["backbone"]), buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no"
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    first = next(chunks).decode()
    assert first.startswith("event: counts\n")
    assert json.loads(first.split("data: ", 1)[1])["rows"][0] == {"population": "all", "active": 0}
    assert next(chunks) == b": heartbeat\n\n"
    create_person(client, tokens["case_manager"])
    changed = next(chunks).decode()
    assert changed.startswith("event: counts\n") and '"active": 1' in changed
    response.close()
    assert client.get("/api/v1/stream", headers=auth(tokens["case_manager"])).status_code == 403


def test_streams_are_bounded(coord, client, tokens):
    held = [coord.streams.acquire(blocking=False) for _ in range(coord.config.threads // 2)]
    assert all(held)
    response = client.get("/api/v1/stream", headers=auth(tokens["backbone"]))
    assert response.status_code == 503 and response.headers["Retry-After"]
    for _ in held:
        coord.streams.release()
