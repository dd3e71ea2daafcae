"""`coord demo` as `make run` loads it gives every report something to show: each population has people
and flows, some populations reach functional zero and some do not, and handoffs are picked up or fall through."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from coord.config import Config
from coord.demo import generate
from coord.service import reports
from coord.service.principal import Principal
from coord.web import create_app
from coord.wiring import Coord, open_coord
from events.crypto import MasterKey
from events.populations import POPULATIONS
from events.vocabulary import OUTCOME_INDICATORS
from projections.reports.monthly import METRICS
from projections.tables import FLOWS

BACKBONE = Principal("backbone-token", "backbone")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coord]:
    directory: Path = tmp_path_factory.mktemp("demo-reports")
    coord = open_coord(
        Config.from_env({"COORD_DATA_DIR": str(directory), "COORD_MASTER_KEY": MasterKey.generate().to_base64()})
    )
    generate(coord.service)  # the defaults of `coord demo`
    yield coord
    coord.close()


def test_every_population_has_people_and_flows_every_month(demo):
    rows = reports.monthly_report(demo, BACKBONE).rows
    for population in POPULATIONS:
        mine = [row for row in rows if row["population"] == population]
        assert sum(row["actively_homeless"] > 0 for row in mine) > len(mine) // 2, population
        assert all(sum(row[flow] for row in mine) > 0 for flow in FLOWS[:5]), population
        assert any(row["avg_days_to_housing"] for row in mine), population
    # Youth turn 25 and households change: some leave a population while still on the list.
    assert sum(row["no_longer_meets_population_criteria"] for row in rows) > 0


def test_some_populations_reach_functional_zero_and_some_do_not(demo):
    rows = reports.functional_zero_report(demo, BACKBONE).rows
    reached = {row["population"] for row in rows if row["reached"]}
    assert reached and reached != set(POPULATIONS), reached
    assert any(row["streak"] > 1 for row in rows)
    assert all(row["housing_placements"] > 0 for row in rows)


def test_handoffs_are_picked_up_fall_through_and_show_in_cuts(demo):
    rows = reports.handoff_gaps_report(demo, BACKBONE).rows
    assert sum(row["picked_up"] for row in rows) > 0 and sum(row["gaps"] for row in rows) > 0
    assert sum(row["censored"] for row in rows) > 0 and sum(row["stale"] for row in rows) > 0
    assert sum(row["never_accepted_rejected"] + row["never_accepted_expired"] for row in rows) > 0
    cut = reports.handoff_gaps_report(demo, BACKBONE, by="race_ethnicity").rows
    assert cut and any(row["suppressed"] for row in cut), "a month's cut of one service is mostly small cells"
    assert reports.counts(demo, BACKBONE).rows[0]["active"] > 0


def test_the_bfz_submission_equals_the_monthly_report_and_balances_for_every_population(demo):
    """Through HTTP, as a backbone analyst downloads both."""
    client = create_app(coord=demo).test_client()
    headers = {"Authorization": f"Bearer {demo.tokens.create('backbone', None, 'test')[1]}"}

    def cells(path: str, **query: str) -> list[dict[str, str]]:
        response = client.get(f"/api/v1/reports/{path}", query_string={**query, "format": "csv"}, headers=headers)
        assert (response.status_code, response.mimetype) == (200, "text/csv"), response.get_data(as_text=True)
        return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))

    month = client.get("/api/v1/reports/bfz", headers=headers).json["month"]
    bfz_cells = cells("bfz", month=month)
    monthly_cells = cells("monthly", **{"from": month, "to": month})
    assert [row["population"] for row in bfz_cells] == list(POPULATIONS)
    assert [{name: row[name] for name in ("population", "month", *METRICS)} for row in bfz_cells] == monthly_cells
    assert all(row["month"] == month for row in bfz_cells)
    assert [row["balanced"] for row in bfz_cells] == ["true"] * len(POPULATIONS), bfz_cells
    assert all(int(row["previous_actively_homeless"]) > 0 for row in bfz_cells)


def test_every_outcome_indicator_has_persons_assessed_and_a_rate(demo):
    report = reports.outcomes_report(demo, BACKBONE)
    assessed = {row["indicator"] for row in report.rows if row["assessed"]}
    assert assessed == set(OUTCOME_INDICATORS)
    assert all(0 <= row["rate"] <= 1 for row in report.rows if row["assessed"])
    # The demo's cut shows data too: at least one cell of one indicator is published.
    cut = reports.outcomes_report(demo, BACKBONE, by="sex", indicator="high_school_graduation").rows
    assert any(row["assessed"] for row in cut)
