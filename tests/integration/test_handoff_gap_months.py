"""The handoff-gap report reads only the handoffs requested from the first month asked for on: an episode that
began before that month stays out of it, even when a retry falls inside, and one whose earlier request was
entered in error starts with its first live request."""

from __future__ import annotations

from datetime import date

from projections.db import Database
from projections.reports.handoff_gaps import handoff_gaps
from tests.integration.test_handoff_gaps import (  # noqa: F401 - db is a fixture
    AS_OF,
    MARCH,
    Partnership,
    counts,
    d,
    db,
    report,
)

FEBRUARY = date(2025, 2, 1)


def test_an_episode_begun_before_the_months_asked_for_is_left_out(
    db: Database,  # noqa: F811 - the fixture
) -> None:
    partnership = Partnership()
    first = partnership.move(partnership.request(d(2, 27)), "rejected", d(3, 1), reason="no_capacity")
    partnership.move(partnership.request(d(3, 3), after=first), "accepted", d(3, 4))  # retried in March
    partnership.accepted(d(3, 5), after_days=2)

    (march,) = report(db, partnership)
    with db.read() as connection:
        rows = handoff_gaps(connection, first=FEBRUARY, last=MARCH, as_of=AS_OF)

    assert counts(march, "month", "episodes", "picked_up", "p50_days_to_acceptance") == (MARCH, 1, 1, 2)
    # From February, the retried episode is February's, accepted 5 days after its first request.
    assert [counts(row, "month", "episodes", "picked_up", "p50_days_to_acceptance") for row in rows] == [
        (FEBRUARY, 1, 1, 5),
        (MARCH, 1, 1, 2),
    ]


def test_an_earlier_request_entered_in_error_does_not_start_the_episode(
    db: Database,  # noqa: F811 - the fixture
) -> None:
    partnership = Partnership()
    mistaken = partnership.move(partnership.request(d(2, 20)), "entered_in_error", d(2, 21))
    partnership.move(partnership.request(d(3, 10), after=mistaken), "accepted", d(3, 12))

    (row,) = report(db, partnership)

    assert counts(row, "month", "episodes", "picked_up", "p50_days_to_acceptance") == (MARCH, 1, 1, 2)
