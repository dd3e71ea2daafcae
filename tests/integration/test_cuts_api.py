"""Cuts of monthly metrics and live counts, and the equity view, through HTTP on SQLite and PostgreSQL: who may
read them, JSON and CSV, suppression, and every bad parameter a clear error."""

from __future__ import annotations

import csv
import io

import pytest

from events.dates import today
from projections.reports.months import label, month_of
from tests.support import auth, create_person

CUT_PATHS = ("/counts", "/monthly")


def _get(client, token, path, **query):
    return client.get(f"/api/v1/reports{path}", query_string=query, headers=auth(token))


@pytest.fixture
def listed(client, tokens):
    """12 women and 2 men of unknown race, single adults, identified today."""
    for sex, n in (("female", 12), ("male", 2)):
        for _ in range(n):
            create_person(client, tokens["case_manager"], sex=sex)


def test_live_counts_cut_by_sex_hide_small_cells(client, tokens, listed):
    body = _get(client, tokens["backbone"], "/counts", by="sex").json

    assert (body["by"], body["suppress_below"]) == ("sex", 11)
    rows = [(row["population"], row["sex"], row["active"], row["suppressed"]) for row in body["rows"]]
    # Men's 2 are hidden, and with them the cheapest other cell a man could have been counted in instead:
    # unknown's 0 (else the uncut 14 less women's 12 would give men's).
    assert rows[:4] == [
        ("all", "female", 12, []),
        ("all", "male", None, ["active"]),
        ("all", "unknown", None, ["active"]),
        ("all", "refused", 0, []),
    ]
    assert rows[4:8] == [("single_adults", *row[1:]) for row in rows[:4]]
    assert {row[2] for row in rows[8:]} == {0}
    uncut = _get(client, tokens["backbone"], "/counts").json
    assert uncut["rows"][0] == {"population": "all", "active": 14} and "by" not in uncut


def test_monthly_cut_by_race_as_json_and_csv(client, tokens, listed):
    this_month = label(month_of(today()))
    body = _get(client, tokens["backbone"], "/monthly", by="race_ethnicity", population="all").json

    now = [row for row in body["rows"] if row["month"] == this_month]
    assert [(row["race_ethnicity"], row["actively_homeless"], row["newly_identified"]) for row in now][-3:] == [
        ("unknown", 14, 14),
        ("refused", 0, 0),
        ("multiple", 0, 0),
    ]
    response = _get(client, tokens["backbone"], "/monthly", by="sex", population="all", format="csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0])[:4] == ["population", "month", "sex", "actively_homeless"]
    last = [row for row in rows if row["month"] == this_month]
    assert [(row["sex"], row["actively_homeless"], row["inflow"]) for row in last] == [
        ("female", "12", "12"),
        ("male", "suppressed", "suppressed"),
        ("unknown", "suppressed", "suppressed"),
        ("refused", "0", "0"),
    ]


@pytest.mark.parametrize("path", CUT_PATHS)
def test_cuts_are_for_the_backbone_auditors_and_admins(coord, client, tokens, path):
    for role in ("backbone", "auditor", "admin"):
        assert _get(client, tokens[role], path, by="age_band").status_code == 200, role
    for token in (tokens["case_manager"], tokens["other_agency"]):
        refused = _get(client, token, path, by="age_band")
        assert refused.status_code == 403 and refused.json["code"] == 403
    assert client.get(f"/api/v1/reports{path}?by=sex").status_code == 401
    token_id, secret = coord.tokens.create("backbone", None, "to revoke")
    assert coord.tokens.revoke(token_id) is True
    assert _get(client, secret, path, by="sex").status_code == 401


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/counts", {"by": "population"}),
        ("/counts", {"by": "name"}),
        ("/counts", {"by": ""}),
        ("/monthly", {"by": "population"}),
        ("/monthly", {"by": "SEX"}),
        ("/monthly", {"by": "sex", "from": "2026-13"}),
        ("/monthly", {"by": "sex", "to": "2999-01"}),
        ("/monthly", {"by": "sex", "from": "2026-06", "to": "2026-01"}),
        ("/monthly", {"by": "sex", "revisions": "true"}),
        ("/monthly", {"by": "sex", "population": "aliens"}),
        ("/monthly", {"by": "sex", "format": "xml"}),
    ],
)
def test_bad_cut_parameters_are_clear_errors(client, tokens, path, query):
    response = _get(client, tokens["backbone"], path, **query)
    assert response.status_code == 422, response.json
    assert response.json["message"]
