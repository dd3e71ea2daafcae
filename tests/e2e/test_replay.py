"""Point-in-time replay through HTTP and the CLI: events are recorded, the time is noted, back-dated events
then change an earlier month; replay before the noted time gives the old numbers, replay now the reports'."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from events.dates import today
from projections.reports.months import add_months, label, month_of
from tests.e2e.processes import coord_cli
from tests.support import auth, create_person


def _replay(client, token, moment: datetime, month: str):
    query = {"recorded_before": moment.isoformat(), "month": month}
    return client.get("/api/v1/audit/replay", query_string=query, headers=auth(token))


def _monthly_row(body, population="all"):
    return next(row for row in body["rows"] if row["population"] == population)


def test_replay_before_a_moment_gives_the_old_numbers_and_now_the_reports(client, tokens, cli_env):
    writer, auditor = tokens["case_manager"], tokens["auditor"]
    last_month = label(add_months(month_of(today()), -1))
    early = (today() - timedelta(days=today().day + 3)).isoformat()  # a day of last month
    create_person(client, writer, veteran="yes", effective_on=early)
    create_person(client, writer, veteran="no")
    time.sleep(0.01)
    noted = datetime.now(UTC)
    time.sleep(0.01)
    # Learned later: two more people were already on the list last month, one of them housed since.
    late = create_person(client, writer, veteran="no", effective_on=early)
    create_person(client, writer, veteran="yes", effective_on=early)
    url = f"/api/v1/persons/{late['id']}/transitions"
    assert client.post(url, json={"to": "housed", "destination": 410}, headers=auth(writer)).status_code == 201

    then = _replay(client, auditor, noted, last_month).json
    assert then["events"] == 2
    assert {row["population"]: row["active"] for row in then["counts"]["rows"]}["all"] == 2
    assert _monthly_row(then["monthly"])["actively_homeless"] == 1
    assert _monthly_row(then["monthly"], "veterans")["newly_identified"] == 1

    now = _replay(client, auditor, datetime.now(UTC) + timedelta(seconds=1), last_month).json
    counts = client.get("/api/v1/reports/counts", headers=auth(tokens["backbone"])).json
    assert now["counts"]["rows"] == counts["rows"] and counts["rows"][0]["active"] == 3
    monthly = client.get(
        "/api/v1/reports/monthly", query_string={"from": last_month, "to": last_month}, headers=auth(tokens["backbone"])
    ).json
    assert now["monthly"]["rows"] == monthly["rows"]
    assert _monthly_row(now["monthly"])["actively_homeless"] == 3

    assert _replay(client, tokens["backbone"], noted, last_month).status_code == 403
    assert client.get("/api/v1/audit/replay", headers=auth(auditor)).status_code == 422


def test_coord_replay_prints_the_numbers_of_a_moment(cli_env):
    coord_cli(cli_env, "demo", "--persons", "30", "--months", "3")
    moment = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S")
    printed = json.loads(coord_cli(cli_env, "replay", "--recorded-before", moment).stdout)
    assert printed["events"] > 0 and printed["counts"]["rows"][0]["population"] == "all"
    assert json.loads(coord_cli(cli_env, "replay", "--recorded-before", "2000-01-01").stdout)["events"] == 0
    bad = coord_cli(cli_env, "replay", "--recorded-before", "yesterday", check=False)
    assert bad.returncode == 2 and "recorded-before" in bad.stderr
