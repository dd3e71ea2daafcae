"""GET /reports/pathway as JSON and CSV, who may read it and what it refuses; and the dashboard's views of the
paths a partnership runs, without a browser (the browser test: tests/e2e/test_dashboard_pathway.py)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from events.dates import today
from projections.reports.months import add_months, label, month_of
from tests.support import auth, create_person, create_service


def _get(client, token, **query):
    return client.get("/api/v1/reports/pathway", query_string=query, headers=auth(token))


def _hand_on(client, tokens) -> None:
    """Harbor's kindergarten hands a child on to Gateway's elementary school, which accepts today."""
    sending, receiving = tokens["case_manager"], tokens["other_agency"]
    kinder = create_service(client, sending, "=Harbor Kindergarten", "kindergarten")
    school = create_service(client, receiving, "Gateway Elementary", "elementary")
    child = create_person(client, sending, household_type="family")
    body = {"person_id": child["id"], "from_service_id": kinder["id"], "to_service_id": school["id"]}
    handoff = client.post("/api/v1/handoffs", json=body, headers=auth(sending))
    assert handoff.status_code == 201, handoff.json
    url = f"/api/v1/handoffs/{handoff.json['id']}/transitions"
    assert client.post(url, json={"to": "accepted"}, headers=auth(receiving)).status_code == 201


def test_the_path_as_json_and_csv(client, tokens):
    _hand_on(client, tokens)

    body = _get(client, tokens["backbone"]).json

    this_month = month_of(today())
    assert (body["from"], body["to"], body["as_of"]) == (
        label(add_months(this_month, -11)),
        label(this_month),
        today().isoformat(),
    )
    rows = {row["stage"]: row for row in body["rows"]}
    assert rows["kindergarten"] == {
        "stage": "kindergarten",
        "served": 0,
        "next_stage": "elementary",
        "handed_on": 1,
        "picked_up": 1,
        "gaps": 0,
        "censored": 0,
        "pickup_rate": 1.0,
    }
    assert rows["elementary"]["served"] == 1 and rows["elementary"]["handed_on"] == 0
    assert sum(row["served"] for row in body["rows"]) == 1
    text = _get(client, tokens["auditor"], format="csv").get_data(as_text=True)
    lines = list(csv.DictReader(io.StringIO(text)))
    assert [line["stage"] for line in lines] == [row["stage"] for row in body["rows"]]
    assert lines[1] == {
        "stage": "kindergarten",
        "served": "0",
        "next_stage": "elementary",
        "handed_on": "1",
        "picked_up": "1",
        "gaps": "0",
        "censored": "0",
        "pickup_rate": "1.0",
    }
    assert lines[-1]["next_stage"] == "" and lines[-1]["handed_on"] == ""


def test_only_report_readers_with_a_live_token_read_the_path(coord, client, tokens):
    for role in ("backbone", "auditor", "admin"):
        assert _get(client, tokens[role]).status_code == 200, role
    for token in (tokens["case_manager"], tokens["other_agency"]):
        refused = _get(client, token)
        assert refused.status_code == 403 and refused.json["message"] == "the case_manager role may not read reports"
    anonymous = client.get("/api/v1/reports/pathway")
    assert anonymous.status_code == 401 and anonymous.json["message"] == "a valid Bearer token is required"
    assert coord.tokens.revoke(tokens["backbone"].split("_")[1]) is True
    assert _get(client, tokens["backbone"]).status_code == 401


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-13"}, "a month is written YYYY-MM"),
        ({"to": label(add_months(month_of(today()), 1))}, "to may not be after"),
        ({"from": "2026-05", "to": "2026-04"}, "from must not be after to"),
        ({"from": "2000-01", "to": "2020-01"}, "a report covers at most 120 months"),
        ({"as_of": (date.today() + timedelta(days=5)).isoformat()}, "as_of may not be in the future"),
        ({"as_of": "yesterday"}, "Not a valid date."),
        ({"window_days": "0"}, "Must be greater than or equal to 1"),
        ({"window_days": "many"}, "Not a valid integer."),
        ({"format": "xlsx"}, "Must be one of: json, csv."),
    ],
)
def test_bad_parameters_are_clear_errors(client, tokens, query, message):
    response = _get(client, tokens["backbone"], **query)
    assert response.status_code == 422, response.json
    assert message in str(response.json), response.json


def _dashboard(client, tokens) -> str:
    assert client.post("/dashboard/login", data={"token": tokens["backbone"]}).status_code == 303
    return client.get("/dashboard").get_data(as_text=True)


@pytest.mark.parametrize(
    ("stages", "homelessness", "cradle_to_career"),
    [
        ((), True, False),
        (("outreach",), True, False),
        (("kindergarten",), False, True),
        (("outreach", "employment"), True, True),
    ],
)
def test_the_dashboard_shows_the_paths_the_catalogue_runs(client, tokens, stages, homelessness, cradle_to_career):
    for stage in stages:
        create_service(client, tokens["case_manager"], f"A {stage} service", stage)

    page = _dashboard(client, tokens)

    assert ('id="live-heading"' in page, 'id="pathway-heading"' in page) == (homelessness, cradle_to_career)
    assert 'id="gaps-heading"' in page, "handoff gaps are on both paths"
    assert client.get("/api/v1/reports/pathway").status_code == 200, "the page's session reads the path"
