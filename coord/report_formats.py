"""How reports are written out, the same for the HTTP API, the CLI and replay: a Report's parameters and rows as
JSON values (months as YYYY-MM) or as CSV safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.reports.months import label

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Report:
    parameters: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return plain({**self.parameters, "rows": self.rows})

    def as_csv(self) -> str:
        return csv_text(self.rows, self.columns)


def plain(value: Any, *, key: str = "") -> Any:
    """A value as JSON has it: months as YYYY-MM, other dates ISO."""
    if isinstance(value, date):
        return label(value) if key in ("month", "from", "to") else value.isoformat()
    if isinstance(value, Mapping):
        return {k: plain(v, key=k) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, key=key) for v in value]
    return value


def csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV with a header; a suppressed cell reads "suppressed", an empty one is unknown."""
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        cells = plain(dict(row))
        for name in row.get("suppressed") or ():
            cells[name] = "suppressed"
        writer.writerow({name: _cell(cells[name]) for name in columns})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # a spreadsheet must show a service's name, never run it as a formula
    return value
