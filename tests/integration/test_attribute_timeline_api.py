"""Attributes as an effective-dated timeline, through HTTP: a back-dated change revises the past months it
touches, PATCH names what it changed, and a change dated tomorrow is not current until tomorrow."""

from __future__ import annotations

from datetime import date, timedelta

from events.dates import today
from projections.reports.months import add_months, label, month_of
from tests.support import auth, create_person


def _veterans_by_month(client, token: str, first: date, last: date) -> dict[str, int]:
    response = client.get(
        "/api/v1/reports/monthly", query_string={"from": label(first), "to": label(last)}, headers=auth(token)
    )
    assert response.status_code == 200, response.json
    return {row["month"]: row["actively_homeless"] for row in response.json["rows"] if row["population"] == "veterans"}


def test_learning_late_that_someone_has_long_been_a_veteran_revises_the_past_months(client, tokens):
    writer, reader = tokens["case_manager"], tokens["backbone"]
    this_month = month_of(today())
    identified, veteran_since = add_months(this_month, -8), add_months(this_month, -7)
    person = create_person(client, writer, veteran="no", effective_on=identified.isoformat())
    url = f"/api/v1/persons/{person['id']}"
    assert client.patch(url, json={"chronic": True}, headers=auth(writer)).json["changed"] == ["chronic"]
    assert set(_veterans_by_month(client, reader, identified, this_month).values()) == {0}

    body = {"veteran": "yes", "effective_on": (veteran_since + timedelta(days=14)).isoformat()}
    learnt = client.patch(url, json=body, headers=auth(writer))
    assert learnt.status_code == 200 and learnt.json["changed"] == ["veteran"]
    assert learnt.json["veteran"] == "yes" and "veterans" in learnt.json["populations"]
    by_month = _veterans_by_month(client, reader, identified, this_month)
    assert by_month == {label(add_months(identified, n)): int(n >= 1) for n in range(9)}

    again = client.patch(url, json=body, headers=auth(writer))
    assert again.status_code == 200 and again.json["changed"] == []
    assert _veterans_by_month(client, reader, identified, this_month) == by_month

    # A back-dated repeat of the value in force changes nothing, but is kept: a change dated between the two
    # then ends at the repeat.
    repeat = {"veteran": "yes", "effective_on": add_months(this_month, -2).isoformat()}
    assert client.patch(url, json=repeat, headers=auth(writer)).json["changed"] == []
    between = {"veteran": "no", "effective_on": add_months(this_month, -4).isoformat()}
    assert client.patch(url, json=between, headers=auth(writer)).json["changed"] == ["veteran"]
    by_month = _veterans_by_month(client, reader, identified, this_month)
    assert by_month == {label(add_months(identified, n)): int(n in (1, 2, 3, 6, 7, 8)) for n in range(9)}
    assert client.get(url, headers=auth(writer)).json["veteran"] == "yes"


def test_a_change_dated_before_identification_applies_from_identification(client, tokens):
    writer = tokens["case_manager"]
    identified = today() - timedelta(days=10)
    person = create_person(client, writer, veteran="no", effective_on=identified.isoformat())
    body = {"household_type": "family", "effective_on": (identified - timedelta(days=300)).isoformat()}
    changed = client.patch(f"/api/v1/persons/{person['id']}", json=body, headers=auth(writer))
    assert changed.status_code == 200 and changed.json["changed"] == ["household_type"]
    assert changed.json["populations"] == ["all", "families"]


def test_a_change_dated_tomorrow_is_not_current_today(client, tokens):
    writer = tokens["case_manager"]
    person = create_person(client, writer, veteran="no")
    url = f"/api/v1/persons/{person['id']}"
    tomorrow = (today() + timedelta(days=1)).isoformat()
    changed = client.patch(url, json={"veteran": "yes", "effective_on": tomorrow}, headers=auth(writer))
    assert changed.status_code == 200 and changed.json["changed"] == ["veteran"]
    assert changed.json["veteran"] == "no" and "veterans" not in changed.json["populations"]
    assert client.get(url, headers=auth(writer)).json["veteran"] == "no"
    listed = client.get("/api/v1/persons?population=veterans", headers=auth(writer)).json["items"]
    assert listed == []
    listed = client.get("/api/v1/persons?population=single_adults", headers=auth(writer)).json["items"]
    assert [p["id"] for p in listed] == [person["id"]]


def test_a_change_that_states_nothing_is_refused(client, tokens):
    writer = tokens["case_manager"]
    person = create_person(client, writer)
    response = client.patch(f"/api/v1/persons/{person['id']}", json={}, headers=auth(writer))
    assert response.status_code == 422
    too_late = (today() + timedelta(days=2)).isoformat()
    response = client.patch(
        f"/api/v1/persons/{person['id']}", json={"veteran": "yes", "effective_on": too_late}, headers=auth(writer)
    )
    assert response.status_code == 422
