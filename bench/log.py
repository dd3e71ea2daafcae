"""Generating the log through the application (the demo loader: every event passes the domain rules and the
application service's commands), and rebuilding the read models from it: in this process, and as an
operator does with `coord project --rebuild` in a process of its own, whose peak memory is measured."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from coord.demo import generate
from coord.wiring import Coord
from projections.rebuild import Rebuild

#: The demo (18 months) writes about this many events per person (3,748 events for 278 persons).
EVENTS_PER_PERSON = 13.5


def persons_for(events: int) -> int:
    return max(1, round(events / EVENTS_PER_PERSON))


@dataclass(frozen=True)
class Loaded:
    persons: int
    events: int
    seconds: float
    #: A moment halfway through the load: about half the log was recorded before it.
    midway: datetime

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def load(coord: Coord, persons: int) -> Loaded:
    """The demo partnership of `persons`; generate() catches the read models and the audit chain up at the end."""
    head = coord.service.recorder.max_notification_id() or 0
    started, wall = time.perf_counter(), time.time()
    generate(coord.service, persons=persons)
    seconds = time.perf_counter() - started
    events = (coord.service.recorder.max_notification_id() or 0) - head
    return Loaded(persons, events, seconds, datetime.fromtimestamp(wall + seconds / 2, UTC))


def rebuild(coord: Coord) -> tuple[int, float]:
    """(events, seconds): rebuild every read model as `coord project --rebuild` does (aside, then switched in)."""
    rebuilding, read = Rebuild(coord.service.projections), []
    started = time.perf_counter()
    rebuilding.start()
    assert rebuilding.run(on_page=read.append), "the rebuild did not switch in"
    return sum(read), time.perf_counter() - started


def rebuild_process(env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of `coord project --rebuild` run as a process of its own."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "coord", "project", "--rebuild"], env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        # wait4 gives this child's own usage (getrusage(RUSAGE_CHILDREN) would be the peak of every child).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            log.seek(0)
            raise RuntimeError(f"coord project --rebuild failed: {log.read().decode(errors='replace')[-500:]}")
    return seconds, usage.ru_maxrss / 1024
