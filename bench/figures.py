"""What a run's measurements are compared with: each figure's baseline and target (issue 15, docs/design.md
"Performance targets"). Targets on 8 concurrent writers apply to PostgreSQL (SQLite has one writer)."""

from __future__ import annotations

from typing import Any

from table import Run

RAW_1, RAW_100, RAW_READ = "raw 1 row/tx", "raw 100 rows/tx", "raw read"
FLAT = "flat as the log grows"


def record(run: Run, m: dict[str, Any]) -> None:
    pg = run.store == "postgresql"
    single, batch, read = (RAW_1, m["single"]), (RAW_100, m["batch"]), (RAW_READ, m["raw_read"])
    pg_only = {} if pg else {"note": "PostgreSQL only"}

    def add(group: str, name: str, value: float, unit: str, vs: tuple[str, float] | None = None, **target: Any):
        baseline = {"baseline": vs[0], "baseline_value": vs[1]} if vs else {}
        run.add(group, name, value, unit, **baseline, **target)

    add("baselines", "insert, 1 row (~300 B) per transaction", m["single"], "rows/s")
    add("baselines", "insert, 100 rows per transaction", m["batch"], "rows/s")
    add("baselines", "read the event table, pages of 1,000", m["raw_read"], "rows/s")
    if "locked" in m:
        rate, p50, p99 = m["locked"]
        add("baselines", "insert, 1 row/tx under an EXCLUSIVE table lock, 8 clients", rate, "rows/s", single)
        add("baselines", "the same, p99", p99, "ms")

    for clients in (1, 8):
        rate, p50, p99 = m[f"write_{clients}"]
        several = clients > 1
        goal = ({"ratio_at_least": 1.0} if pg else pg_only) if several else {"ratio_at_least": 0.5}
        add("http_write", f"HTTP write, {clients} client{'s' * several}", rate, "writes/s", single, **goal)
        add("http_write", f"HTTP write p50, {clients} client{'s' * several}", p50, "ms")
        latency_goal = ({"below": 50} if pg else pg_only) if several else {}
        add("http_write", f"HTTP write p99, {clients} client{'s' * several}", p99, "ms", **latency_goal)
        if several and "locked" in m:
            locked = ("raw locked, 8 clients", m["locked"][0])
            add("http_write", "HTTP write, 8 clients, vs the table lock's ceiling", rate, "writes/s", locked)

    loaded = m["loaded"]
    add("bulk_load", "demo load through the application", loaded.rate, "events/s", batch, ratio_at_least=0.5)
    add("bulk_load", "demo load, whole log", loaded.seconds, "s")

    rebuilt, seconds = m["rebuilt"], m["rebuild_seconds"]
    add("rebuild", "rebuild (aside, then switched in)", rebuilt / seconds, "events/s", read, ratio_at_least=0.5)
    add("rebuild", "rebuild, whole log", seconds, "s")
    add("rebuild", "rebuild, 1 M events (extrapolated)", 1e6 * seconds / rebuilt, "s", below=20)
    add("rebuild", "read + decode (library)", m["decoded"], "events/s", read)
    add("rebuild", "coord project --rebuild (process)", m["process_seconds"], "s")

    p50, p99 = m["sse"]
    add("sse", "write -> event p50", p50, "ms")
    add("sse", "write -> event p99", p99, "ms", below=100 if pg else 250)

    for name, (p50, p99) in m["reports"].items():
        add("reports", f"{name} p50", p50, "ms")
        add("reports", f"{name} p99", p99, "ms", below=50)

    replay, verify = m["audit"]
    add("audit", "/audit/replay to mid-log", replay, "s", below=2)
    add("audit", "/audit/verify", verify, "s")
    add("audit", "/audit/verify rate", m["verified"] / verify, "events/s", read, ratio_at_least=0.5)

    add("memory", "API peak RSS (largest process)", m["rss"], "MB", note=FLAT)
    add("memory", "coord project --rebuild peak RSS", m["projector_rss"], "MB", note=FLAT)
