"""The groups measured against the served API, in an order that keeps each one's conditions clean: the reports
and the audit over the generated log first, then write -> event latency, then the write load (which adds
persons and contacts only), and the API's peak memory at the end."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import Any
from urllib.parse import quote

from http_load import Client, identify, quantiles_ms, timed_gets, write_load, write_to_event
from served import served
from stores import Store

from coord.service import replay_snapshots
from coord.wiring import Coord

#: Every report of the API with its default parameters (docs/api.md, coord/api/reports.py), and handoff gaps
#: with a cut (small cells suppressed) too.
REPORTS = {
    "counts": ("backbone", "/reports/counts"),
    "monthly": ("backbone", "/reports/monthly"),
    "functional zero": ("backbone", "/reports/functional-zero"),
    "person list": ("case_manager", "/persons?limit=50"),
    "handoff gaps": ("backbone", "/reports/handoff-gaps"),
    "handoff gaps by race/ethnicity": ("backbone", "/reports/handoff-gaps?by=race_ethnicity"),
}
#: Persons the write load spreads its contacts over.
WRITE_PERSONS = 50
#: What a day adds to a log of a million events recorded over a year or more: the replay group's snapshots are a
#: day apart around its moment, as the daily audit-checkpoint job leaves them.
DAY_EVENTS = 2_000


def take_daily_snapshots(coord: Coord, moment: datetime) -> list[int]:
    """The replay snapshots the daily job would have left had the log been recorded over days: the day before the
    moment, the day after, and today (the log's end). The bench loads the log in minutes, so it takes them itself,
    at the positions a day's writes (DAY_EVENTS) either side of the moment."""
    at = _position_recorded_before(coord, moment)
    head = coord.service.recorder.max_notification_id() or 0
    positions = sorted({p for p in (at - DAY_EVENTS, at + DAY_EVENTS, head) if 0 < p <= head})
    for position in positions:
        replay_snapshots.take(coord, up_to=position)
    print(f"replay: snapshots taken at positions {positions} (a day = {DAY_EVENTS:,} events)", file=sys.stderr)
    return positions


def _position_recorded_before(coord: Coord, moment: datetime) -> int:
    """The last position recorded before the moment (the bench's one loader records in time order)."""
    app, low, high = coord.service, 0, coord.service.recorder.max_notification_id() or 0
    while low < high:
        middle = (low + high + 1) // 2
        (notification,) = app.recorder.select_notifications(start=middle, limit=1)
        low, high = (middle, high) if app.mapper.to_domain_event(notification).timestamp < moment else (low, middle - 1)
    return low


def measure_served(where: Store, tokens: dict[str, str], midway: datetime, sizes: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    coord = where.open()
    try:
        found["replay_snapshots"] = take_daily_snapshots(coord, midway)
    finally:
        coord.close()
    with served(where.process_env(), projector=where.name == "postgresql") as api:
        # A connection per group: the server closes one left idle for a few seconds (gunicorn's keepalive).
        found["reports"] = {}
        for name, (role, path) in REPORTS.items():
            with Client(api, tokens[role]) as client:
                found["reports"][name] = quantiles_ms(timed_gets(client, path, sizes.samples))
        moment = quote(midway.isoformat().replace("+00:00", "Z"))
        with Client(api, tokens["auditor"]) as auditor:
            found["audit"] = (
                min(timed_gets(auditor, f"/audit/replay?recorded_before={moment}", sizes.audit_samples)),
                min(timed_gets(auditor, "/audit/verify", sizes.audit_samples)),
            )
            verdict, _ = auditor.expect(200, "GET", "/audit/verify")
        if not verdict["ok"]:
            raise RuntimeError(f"/audit/verify is not ok: {verdict}")
        found["verified"] = verdict["checked"]
        found["sse"] = quantiles_ms(write_to_event(api, tokens, sizes.sse_writes))
        with Client(api, tokens["case_manager"]) as client:
            persons = identify(client, WRITE_PERSONS)
        for clients, writes in ((1, sizes.writes), (8, 2 * sizes.writes)):
            rate, latencies = write_load(api, tokens["case_manager"], persons, writes, clients)
            found[f"write_{clients}"] = (rate, *quantiles_ms(latencies))
        time.sleep(0.5)  # let the projector's work on the last writes show in the peak
        found["rss"] = api.peak_rss_mb()
    return found
