"""Outcome milestones through HTTP, on SQLite and PostgreSQL: who may record one and every refusal, the
person's outcomes in force, and the outcomes report's worked example of docs/reports.md (JSON, CSV, cuts),
which a voided outcome and a person entered in error leave."""

from __future__ import annotations

from typing import Any

import pytest

from projections.reports.outcomes import outcomes
from projections.reports.periods import period_of
from tests.support import auth, create_person

GRADUATION = "high_school_graduation"


def _record(client, token: str, person_id: str, **body: Any):
    return client.post(f"/api/v1/persons/{person_id}/outcomes", json=body, headers=auth(token))


def _outcome(client, token: str, person_id: str, indicator: str, on: str, met: bool) -> dict[str, Any]:
    response = _record(client, token, person_id, indicator=indicator, met=met, effective_on=on, source="school_record")
    assert response.status_code == 201, response.json
    return response.json


def _report(client, token: str, **query: str):
    response = client.get("/api/v1/reports/outcomes", query_string=query, headers=auth(token))
    assert response.status_code == 200, response.json
    return response


def _cells(rows: list[dict[str, Any]], indicator: str = GRADUATION) -> dict[str, tuple[Any, ...]]:
    return {row["period"]: (row["assessed"], row["met"], row["rate"]) for row in rows if row["indicator"] == indicator}


def test_an_outcome_is_recorded_shown_with_the_person_and_voidable(client, tokens):
    writer = tokens["case_manager"]
    person = create_person(client, writer)
    body = {"indicator": "employment", "met": True, "effective_on": "2025-03-01", "source": "wage_record"}
    recorded = client.post(
        f"/api/v1/persons/{person['id']}/outcomes", json=body, headers=auth(writer, Idempotency_Key="outcome-1")
    )
    assert recorded.status_code == 201, recorded.json
    assert recorded.json["outcomes"] == [{"version": 2, **body}]
    assert recorded.headers["ETag"] == '"2"'
    replay = client.post(
        f"/api/v1/persons/{person['id']}/outcomes", json=body, headers=auth(writer, Idempotency_Key="outcome-1")
    )
    assert (replay.status_code, replay.json["version"]) == (201, 2), "one key, one outcome"
    # Each answer (identification, the outcome, its replay) showed the personal data: each read is logged.
    log = client.get(
        "/api/v1/audit/access-log", query_string={"person_id": person["id"]}, headers=auth(tokens["auditor"])
    )
    assert [entry["agency"] for entry in log.json["items"]] == ["harbor", "harbor", "harbor"]
    events = client.get("/api/v1/audit/events", headers=auth(tokens["auditor"])).json["items"]
    assert events[-1]["type"] == "Person.OutcomeRecorded"
    assert events[-1]["data"] == {"indicator": "employment", "met": True, "source": "wage_record"}
    shown = client.get(f"/api/v1/persons/{person['id']}", headers=auth(tokens["backbone"])).json
    assert shown["outcomes"] == [{"version": 2, **body}], "an outcome is clear: every reader sees it"

    voided = client.post(
        f"/api/v1/persons/{person['id']}/corrections", json={"voids": 2, "reason": "wrong_person"}, headers=auth(writer)
    )
    assert voided.status_code == 201, voided.json
    assert voided.json["outcomes"] == [] and voided.json["status"] == "active"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"indicator": "reading"}, "indicator"),
        ({"met": "yes"}, "met"),
        ({"met": 1}, "met"),
        ({"met": None}, "met"),
        ({"source": "hmis:export-2024"}, "source"),
        ({"effective_on": "2025-02-30"}, "effective_on"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_malformed_outcome_is_refused_naming_the_field(client, tokens, change, field):
    writer = tokens["case_manager"]
    person = create_person(client, writer)
    body = {"indicator": "employment", "met": True, "effective_on": "2025-03-01", "source": "wage_record", **change}
    refused = _record(client, writer, person["id"], **body)
    assert refused.status_code == 422, refused.json
    assert (refused.json["code"], refused.json["status"]) == (422, "Unprocessable Entity")
    assert field in refused.json["errors"]
    assert client.get(f"/api/v1/persons/{person['id']}", headers=auth(writer)).json["version"] == 1


@pytest.mark.parametrize("missing", ["indicator", "met", "effective_on", "source"])
def test_every_field_of_an_outcome_is_required(client, tokens, missing):
    writer = tokens["case_manager"]
    person = create_person(client, writer)
    body = {"indicator": "employment", "met": False, "effective_on": "2025-03-01", "source": "wage_record"}
    del body[missing]
    refused = _record(client, writer, person["id"], **body)
    assert refused.status_code == 422 and refused.json["errors"] == {missing: ["Missing data for required field."]}


def test_an_outcome_dated_after_tomorrow_or_for_nobody_is_refused(client, tokens):
    writer = tokens["case_manager"]
    person = create_person(client, writer)
    body = {"indicator": "employment", "met": True, "source": "wage_record"}
    ahead = _record(client, writer, person["id"], **body, effective_on="2999-01-01")
    assert (
        ahead.status_code == 422
        and ahead.json["message"] == "effective_on 2999-01-01 is more than one day in the future"
    )
    nobody = _record(client, writer, "00000000-0000-4000-8000-000000000000", **body, effective_on="2025-01-01")
    assert nobody.status_code == 404, nobody.json
    assert _record(client, writer, "not-a-uuid", **body, effective_on="2025-01-01").status_code == 404


def test_only_agencies_that_know_the_person_record_outcomes(client, tokens, coord):
    owner, other = tokens["case_manager"], tokens["other_agency"]
    person = create_person(client, owner)
    body = {"indicator": "employment", "met": True, "effective_on": "2025-03-01", "source": "wage_record"}
    refused = _record(client, other, person["id"], **body)
    assert refused.status_code == 403
    assert refused.json["message"] == (
        "only the identifying agency, an agency a consent covers or an admin may record outcomes"
    )
    for role in ("backbone", "auditor"):
        assert _record(client, tokens[role], person["id"], **body).status_code == 403

    granted = client.post(
        f"/api/v1/persons/{person['id']}/consents", json={"agencies": ["gateway"]}, headers=auth(owner)
    )
    assert _record(client, other, person["id"], **body).status_code == 201
    consent_id = granted.json["consents"][0]["id"]
    assert (
        client.delete(f"/api/v1/persons/{person['id']}/consents/{consent_id}", headers=auth(owner)).status_code == 200
    )
    assert _record(client, other, person["id"], **body).status_code == 403, "a revoked consent no longer covers"
    assert _record(client, tokens["admin"], person["id"], **body).status_code == 201

    assert client.delete(f"/api/v1/persons/{person['id']}/pii", headers=auth(tokens["admin"])).status_code == 204
    assert _record(client, owner, person["id"], **body).status_code == 201, "an erased person's outcomes go on"
    token_id, revoked = coord.tokens.create("case_manager", "harbor", "soon revoked")
    coord.tokens.revoke(token_id)
    assert _record(client, revoked, person["id"], **body).status_code == 401
    outcomes = client.get(f"/api/v1/persons/{person['id']}", headers=auth(owner)).json["outcomes"]
    assert [outcome["version"] for outcome in outcomes] == [3, 5, 7]


def _worked_example(client, writer: str) -> dict[str, str]:
    """docs/reports.md, "Outcomes": four persons' high school graduation, one person's employment."""
    ana = create_person(client, writer, sex="female", dob="2007-03-10")["id"]
    ben = create_person(client, writer, sex="male", dob="2006-11-02")["id"]
    cy = create_person(client, writer, sex="female", dob="2007-08-20")["id"]
    dee = create_person(client, writer, sex="male", dob="2000-01-01")["id"]
    _outcome(client, writer, ana, GRADUATION, "2025-03-01", False)
    _outcome(client, writer, ana, GRADUATION, "2025-06-01", True)
    _outcome(client, writer, ana, GRADUATION, "2025-09-01", True)
    _outcome(client, writer, ben, GRADUATION, "2025-05-01", False)
    _outcome(client, writer, cy, GRADUATION, "2025-06-30", True)
    _outcome(client, writer, cy, GRADUATION, "2025-07-01", False)
    _outcome(client, writer, dee, "employment", "2025-01-15", True)
    return {"ana": ana, "ben": ben, "cy": cy, "dee": dee}


def test_the_worked_example_per_school_and_calendar_year(client, tokens):
    writer, reader = tokens["case_manager"], tokens["backbone"]
    persons = _worked_example(client, writer)
    school = _report(client, reader, **{"from": "2024-25", "to": "2025-26"}).json
    assert (school["period"], school["from"], school["to"], school["by"]) == ("school_year", "2024-25", "2025-26", None)
    assert _cells(school["rows"]) == {"2024-25": (3, 2, 0.667), "2025-26": (2, 1, 0.5)}
    assert _cells(school["rows"], "employment") == {"2024-25": (1, 1, 1.0), "2025-26": (0, 0, None)}
    assert len(school["rows"]) == 7 * 2 and all(row["suppressed"] == [] for row in school["rows"])
    calendar = _report(client, reader, period="calendar_year", **{"from": "2025", "to": "2025"}).json
    assert _cells(calendar["rows"]) == {"2025": (3, 1, 0.333)}

    # A voided outcome leaves the numbers; so does a person entered in error.
    voided = client.post(
        f"/api/v1/persons/{persons['dee']}/corrections", json={"voids": 2, "reason": "wrong_date"}, headers=auth(writer)
    )
    assert voided.status_code == 201, voided.json
    moved = client.post(
        f"/api/v1/persons/{persons['ben']}/transitions",
        json={"to": "entered_in_error", "reason": "duplicate_record"},
        headers=auth(writer),
    )
    assert moved.status_code == 201, moved.json
    after = _report(client, reader, **{"from": "2024-25", "to": "2025-26"}).json
    assert _cells(after["rows"]) == {"2024-25": (2, 2, 1.0), "2025-26": (2, 1, 0.5)}
    assert _cells(after["rows"], "employment") == {"2024-25": (0, 0, None), "2025-26": (0, 0, None)}


def test_the_worked_example_as_csv_and_cut(client, tokens, coord):
    writer, reader = tokens["case_manager"], tokens["backbone"]
    _worked_example(client, writer)
    query = {"from": "2024-25", "to": "2025-26", "indicator": GRADUATION}
    csv_text = _report(client, reader, **query, format="csv").get_data(as_text=True)
    assert csv_text == (
        "indicator,period,assessed,met,rate\r\n"
        "high_school_graduation,2024-25,3,2,0.667\r\n"
        "high_school_graduation,2025-26,2,1,0.5\r\n"
    )
    cut = _report(client, reader, **query, by="sex").json
    assert [row["sex"] for row in cut["rows"]] == ["female", "male", "unknown", "refused"] * 2
    published = [row[name] for row in cut["rows"] for name in ("assessed", "met") if row[name] is not None]
    assert all(value == 0 or value >= 11 for value in published), "no small cell is published"
    assert any(row["suppressed"] for row in cut["rows"])
    # Unsuppressed, the cuts add up to the worked example; ages are at the deciding outcome's date.
    with coord.db.read() as connection:
        start, end = period_of("school_year", _day("2024-07-01")), period_of("school_year", _day("2025-07-01"))

        def cells(by: str) -> list[tuple[Any, ...]]:
            rows = outcomes(connection, period="school_year", first=start, last=end, by=by, suppress_below=1)
            return [
                (r["period"], r[by], r["assessed"], r["met"])
                for r in rows
                if r["indicator"] == GRADUATION and r["assessed"]
            ]

        assert cells("sex") == [("2024-25", "female", 2, 2), ("2024-25", "male", 1, 0), ("2025-26", "female", 2, 1)]
        assert cells("age_band") == [
            ("2024-25", "5-17", 1, 1),
            ("2024-25", "18-24", 2, 1),
            ("2025-26", "5-17", 1, 0),
            ("2025-26", "18-24", 1, 1),
        ]


def _day(text: str):
    from datetime import date

    return date.fromisoformat(text)


@pytest.mark.parametrize(
    "query, message",
    [
        ({"period": "month"}, None),
        ({"from": "2025-27"}, "from must be a school year written like 2025-26"),
        ({"period": "calendar_year", "to": "2025-26"}, "to must be a calendar year written like 2025"),
        ({"from": "2025-26", "to": "2024-25"}, "from must not be after to"),
        ({"to": "2999-00"}, None),
        ({"by": "population"}, None),
        ({"indicator": "reading"}, None),
        ({"from": "1800-01", "to": "1850-51"}, None),
    ],
)
def test_bad_report_parameters_are_refused_clearly(client, tokens, query, message):
    refused = client.get("/api/v1/reports/outcomes", query_string=query, headers=auth(tokens["backbone"]))
    assert refused.status_code == 422, refused.json
    if message:
        assert refused.json["message"] == message


def test_the_report_is_for_report_readers(client, tokens):
    for role in ("case_manager", "other_agency"):
        assert client.get("/api/v1/reports/outcomes", headers=auth(tokens[role])).status_code == 403
    assert client.get("/api/v1/reports/outcomes").status_code == 401
