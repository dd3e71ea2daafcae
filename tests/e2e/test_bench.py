"""The benchmark harness runs end to end at a tiny size (docs/performance.md): every group of figures is
measured and written to the JSON, each figure a number. No timing is asserted: speed is the harness's output."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ("baselines", "http_write", "bulk_load", "rebuild", "sse", "reports", "audit", "memory")
REPORTS = ("counts", "monthly", "functional zero", "person list", "handoff gaps", "handoff gaps by race/ethnicity")


def test_the_harness_measures_every_group_and_writes_them_as_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    tiny = ["--quick", "--persons", "30", "--writes", "10", "--stores", "sqlite"]
    result = subprocess.run(
        [sys.executable, "bench/run.py", *tiny, "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    found = json.loads(out.read_text())
    [run] = found["runs"]
    assert (run["store"], run["persons"]) == ("sqlite", 30)
    assert run["events"] > 30
    assert tuple(run["groups"]) == GROUPS
    for group, figures in run["groups"].items():
        assert figures, f"group {group} measured nothing"
        for figure in figures:
            assert isinstance(figure["value"], float | int) and math.isfinite(figure["value"]), figure
            assert figure["value"] > 0, figure
    names = {figure["name"] for figure in run["groups"]["reports"]}
    assert names == {f"{report} {q}" for report in REPORTS for q in ("p50", "p99")}
    ratios = [f for figures in run["groups"].values() for f in figures if f["baseline"]]
    assert ratios and all(f["ratio"] == f["value"] / f["baseline_value"] for f in ratios)
    assert all(f["met"] in (True, False) for f in ratios if f["ratio_at_least"] is not None)
    # The same table is printed.
    assert "| sqlite" in result.stdout and "write -> event p99" in result.stdout
