"""The groups measured against the served API, in an order that keeps each one's conditions clean: the reports
and the audit over the generated log first, then write -> event latency, then the write load (which adds
persons and contacts only), and the API's peak memory at the end."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from urllib.parse import quote

from http_load import Client, identify, quantiles_ms, timed_gets, write_load, write_to_event
from served import served
from stores import Store

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


def measure_served(where: Store, tokens: dict[str, str], midway: datetime, sizes: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
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
