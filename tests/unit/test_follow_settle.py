"""A follower that settles after a wake-up catches a burst of writes up in one run, not one run per write."""

from __future__ import annotations

import threading
import time

from projections.follow import Follower


def _follower(settle: float) -> tuple[Follower, list[int], threading.Event, threading.Event]:
    runs: list[int] = []
    ran, stopping = threading.Event(), threading.Event()

    def run() -> int:
        runs.append(1)
        ran.set()
        return 0

    return Follower(run, poll_seconds=60, stopping=stopping, settle_seconds=settle), runs, ran, stopping


def test_a_burst_of_wake_ups_is_one_catch_up():
    follower, runs, ran, stopping = _follower(settle=1.0)
    thread = follower.start()
    try:
        assert ran.wait(5)
        ran.clear()
        for _ in range(5):  # five writes in a burst, each after the catch-up would have started
            follower.wake()
            time.sleep(0.05)
        assert ran.wait(5)
        ran.clear()
        assert not ran.wait(1.0), "no second catch-up for the same burst"
        assert len(runs) == 2
    finally:
        stopping.set()
        follower.wake()
        thread.join(5)


def test_without_settling_a_wake_up_catches_up_at_once():
    follower, runs, ran, stopping = _follower(settle=0)
    thread = follower.start()
    try:
        assert ran.wait(5)
        ran.clear()
        follower.wake()
        assert ran.wait(5) and len(runs) == 2
    finally:
        stopping.set()
        follower.wake()
        thread.join(5)
