"""The figures a run measured: each with its baseline, the ratio to it and its target; printed as one table
and written as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

GROUPS = {
    "baselines": "1. raw database baselines",
    "http_write": "2. HTTP writes (served)",
    "bulk_load": "3. bulk load (demo loader)",
    "rebuild": "4. projection rebuild",
    "sse": "5. write -> live-count event",
    "reports": "6. reports over HTTP",
    "audit": "7. audit",
    "memory": "8. peak memory",
}


@dataclass
class Figure:
    group: str
    name: str
    value: float
    unit: str
    baseline: str | None = None
    baseline_value: float | None = None
    #: The target: a ratio to the baseline of at least (at most) this, or a value below this (in `unit`).
    ratio_at_least: float | None = None
    ratio_at_most: float | None = None
    below: float | None = None
    note: str = ""
    ratio: float | None = field(init=False, default=None)
    met: bool | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.baseline_value:
            self.ratio = self.value / self.baseline_value
        if self.ratio_at_least is not None and self.ratio is not None:
            self.met = self.ratio >= self.ratio_at_least
        elif self.ratio_at_most is not None and self.ratio is not None:
            self.met = self.ratio <= self.ratio_at_most
        elif self.below is not None:
            self.met = self.value < self.below

    @property
    def target(self) -> str:
        if self.ratio_at_least is not None:
            return f">= {self.ratio_at_least:g} x"
        if self.ratio_at_most is not None:
            return f"<= {self.ratio_at_most:g} x"
        if self.below is not None:
            return f"< {self.below:g} {self.unit}"
        return self.note


@dataclass
class Run:
    store: str
    persons: int
    events: int = 0
    figures: list[Figure] = field(default_factory=list)

    def add(self, group: str, name: str, value: float, unit: str, **target: Any) -> Figure:
        figure = Figure(group, name, value, unit, **target)
        self.figures.append(figure)
        return figure

    def as_json(self) -> dict[str, Any]:
        groups: dict[str, list[dict[str, Any]]] = {group: [] for group in GROUPS}
        for figure in self.figures:
            groups[figure.group].append({**asdict(figure), "target": figure.target})
        return {"store": self.store, "persons": self.persons, "events": self.events, "groups": groups}


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


def render(runs: list[Run]) -> str:
    header = ("store", "events", "figure", "value", "unit", "baseline", "ratio", "target", "met")
    rows = []
    for run in runs:
        for group in GROUPS:
            for f in (f for f in run.figures if f.group == group):
                rows.append(
                    (
                        run.store,
                        f"{run.events:,}",
                        f.name,
                        _number(f.value),
                        f.unit,
                        f"{_number(f.baseline_value)} {f.baseline}" if f.baseline else "-",
                        f"{f.ratio:.2f}" if f.ratio is not None else "-",
                        f.target or "-",
                        {True: "met", False: "NOT MET", None: "-"}[f.met],
                    )
                )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    top = "| " + " | ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)) + " |"
    return "\n".join([top, rule, *lines])


def write_json(path: Path, runs: list[Run], meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "runs": [run.as_json() for run in runs]}, indent=2) + "\n")


def compare_memory(runs: list[Run]) -> None:
    """Memory stays flat as the log grows: each peak against the same figure at the smallest log of its store
    in this run (at most 1.25 x)."""
    for run in runs:
        smallest = min((r for r in runs if r.store == run.store), key=lambda r: r.events)
        if smallest is run:
            continue
        for i, figure in enumerate(run.figures):
            if figure.group == "memory":
                before = next(f for f in smallest.figures if f.name == figure.name)
                run.figures[i] = Figure(
                    figure.group,
                    figure.name,
                    figure.value,
                    figure.unit,
                    baseline=f"at {smallest.events:,} events",
                    baseline_value=before.value,
                    ratio_at_most=1.25,
                )
