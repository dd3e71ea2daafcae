"""Month close on SQLite and PostgreSQL: the submission recorded in the log, revisions after a back-dated
event, resubmission, who may close which month, Idempotency-Key; at the service and through HTTP."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from coord.errors import ForbiddenError
from coord.service import reports, submissions
from coord.service.principal import Principal
from events.dates import today
from events.errors import RuleError
from events.submission import submission_id
from projections.reports.monthly import METRICS
from projections.reports.months import add_months, label, month_of
from tests.support import auth, create_person

CLOSE = "/api/v1/reports/monthly/close"
BACKBONE = Principal("backbone-token", "backbone")
WRITER = Principal("writer", "case_manager", "harbor")


def _last_month():
    return add_months(month_of(today()), -1)


def _identify(coord, day) -> None:
    coord.service.identify_person(
        WRITER, attributes={"household_type": "single_adult", "veteran": "no"}, pii={}, effective_on=day
    )


def _events(coord, month) -> list:
    return list(coord.service.repository.event_store.get(submission_id(month)))


def _all_row(report):
    return next(row for row in report.rows if row["population"] == "all")


def test_a_close_keeps_what_was_submitted_and_a_back_dated_event_revises_it(coord):
    month = _last_month()
    _identify(coord, month + timedelta(days=2))
    first = submissions.close_month(coord, BACKBONE, month)
    assert first.version == 1 and first.latest["submission"] == 1 and first.latest["closed_by"] == "backbone-token"
    assert first.latest["rows"] == reports.monthly_report(coord, BACKBONE, first=month, last=month).rows

    _identify(coord, month + timedelta(days=5))  # learned later, dated in the closed month
    row = _all_row(reports.monthly_report(coord, BACKBONE, first=month, last=month, revisions=True))
    assert row["submitted"]["actively_homeless"] == 1 and row["actively_homeless"] == 2 and row["revised"] is True

    second = submissions.close_month(coord, BACKBONE, month)
    assert second.version == 2 and [s["submission"] for s in second.submissions] == [1, 2]
    assert second.submissions[0]["rows"] == first.latest["rows"], "what was submitted first is never lost"
    assert [type(event).__name__ for event in _events(coord, month)] == ["MonthClosed", "Resubmitted"]
    row = _all_row(reports.monthly_report(coord, BACKBONE, first=month, last=month, revisions=True))
    assert row["submitted"]["actively_homeless"] == 2 and row["revised"] is False


def test_only_past_months_and_this_one_may_be_closed_by_the_backbone_and_admins(coord):
    this_month = month_of(today())
    assert submissions.close_month(coord, Principal("admin", "admin"), this_month).latest["submission"] == 1
    with pytest.raises(RuleError):
        submissions.close_month(coord, BACKBONE, add_months(this_month, 1))
    with pytest.raises(ForbiddenError):
        submissions.close_month(coord, Principal("auditor", "auditor"), this_month)


def test_an_unclosed_month_has_nothing_submitted_and_is_not_revised(coord):
    rows = reports.monthly_report(coord, BACKBONE, revisions=True).rows
    assert len(rows) == 12 * 6 and all(row["submitted"] is None and row["revised"] is False for row in rows)
    assert "submitted" not in reports.monthly_report(coord, BACKBONE).rows[0]


def _monthly(client, token, month, **query):
    query = {"from": label(month), "to": label(month), "population": "all", **query}
    return client.get("/api/v1/reports/monthly", query_string=query, headers=auth(token))


def test_close_then_a_back_dated_write_shows_both_values_through_http(client, tokens, coord):
    month = _last_month()
    create_person(client, tokens["case_manager"], effective_on=(month + timedelta(days=2)).isoformat())
    closed = client.post(CLOSE, json={"month": label(month)}, headers=auth(tokens["backbone"]))
    assert closed.status_code == 201, closed.json
    body = closed.json
    assert body["month"] == label(month) and body["submission"] == 1 and body["version"] == 1
    assert body["closed_by"] == coord.tokens.authenticate(tokens["backbone"]).id and body["closed_at"]
    assert {row["population"] for row in body["rows"]} == {
        "all",
        "single_adults",
        "veterans",
        "chronic",
        "youth",
        "families",
    }

    create_person(client, tokens["case_manager"], effective_on=(month + timedelta(days=9)).isoformat())
    plain = _monthly(client, tokens["backbone"], month).json["rows"][0]
    assert "submitted" not in plain and "revised" not in plain
    row = _monthly(client, tokens["auditor"], month, revisions="true").json["rows"][0]
    assert row["actively_homeless"] == 2 and row["revised"] is True
    assert row["submitted"] == {
        **{name: plain[name] for name in METRICS},
        "actively_homeless": 1,
        "newly_identified": 1,
        "inflow": 1,
    }

    csv_text = _monthly(client, tokens["backbone"], month, revisions="true", format="csv").get_data(as_text=True)
    cells = next(csv.DictReader(io.StringIO(csv_text)))
    assert (
        cells["actively_homeless"] == "2" and cells["submitted_actively_homeless"] == "1" and cells["revised"] == "true"
    )

    again = client.post(CLOSE, json={"month": label(month)}, headers=auth(tokens["admin"]))
    assert (
        again.status_code == 201 and again.json["submission"] == 2 and again.json["rows"][0]["actively_homeless"] == 2
    )
    assert len(_events(coord, month)) == 2
    assert _monthly(client, tokens["backbone"], month, revisions="true").json["rows"][0]["revised"] is False


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"month": "2026-13"}, 422),
        ({"month": label(add_months(month_of(today()), 1))}, 422),
        ({"month": "1899-12"}, 422),
        ({}, 422),
        ({"month": 202611}, 422),
        ({"month": "2026-11", "extra": 1}, 422),
        (["2026-11"], 422),
    ],
)
def test_a_bad_close_is_refused_and_records_nothing(client, tokens, coord, body, status):
    response = client.post(CLOSE, json=body, headers=auth(tokens["backbone"]))
    assert response.status_code == status, response.json
    assert coord.service.recorder.max_notification_id() in (None, 0)


def test_who_may_close_a_month(client, tokens):
    body = {"month": label(_last_month())}
    assert client.post(CLOSE, json=body).status_code == 401
    for role in ("case_manager", "auditor"):
        refused = client.post(CLOSE, json=body, headers=auth(tokens[role]))
        assert refused.status_code == 403 and refused.json["code"] == 403, role
    assert client.post(CLOSE, data="not json", headers=auth(tokens["backbone"])).status_code == 422


def test_the_same_idempotency_key_twice_stores_one_submission(client, tokens, coord):
    month = _last_month()
    headers = auth(tokens["backbone"], Idempotency_Key="close-once")
    first = client.post(CLOSE, json={"month": label(month)}, headers=headers)
    repeat = client.post(CLOSE, json={"month": label(month)}, headers=headers)
    assert first.status_code == repeat.status_code == 201
    assert repeat.json == first.json and len(_events(coord, month)) == 1
    other = client.post(
        CLOSE, json={"month": label(_last_month())}, headers=auth(tokens["backbone"], Idempotency_Key="k2")
    )
    assert other.json["submission"] == 2 and len(_events(coord, month)) == 2
    reused = client.post(CLOSE, json={"month": label(month_of(today()))}, headers=headers)
    assert reused.status_code == 422
