"""The handoff-gaps report on histories built with the domain's own commands, each worked out by hand.

Unless a test says otherwise: episodes start in March 2025, go from Street Outreach (outreach) to Coordinated
Entry (coordinated_entry, a 14-day window), and the report is as of 2025-06-30.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from events.handoff import Handoff
from events.person import Person
from events.service import Service
from projections.db import Database
from projections.handoff_gaps_projector import handoff_gaps_projector
from projections.list_projector import lists_projector
from projections.populations_projector import populations_projector
from projections.reports.handoff_gaps import AGE_BANDS, age_at, age_band, handoff_gaps
from projections.tables import metadata
from tests.projection_support import Log, dump, project, read_models

WHO = {"actor": "t", "agency": "harbor"}
MARCH = date(2025, 3, 1)
AS_OF = date(2025, 6, 30)


def d(month: int, day: int) -> date:
    return date(2025, month, day)


class Partnership:
    """Services, persons and handoffs made by the aggregates' commands, recorded in log order."""

    def __init__(self) -> None:
        self.log = Log()
        self.outreach = self.service("Street Outreach", "outreach")
        self.entry = self.service("Coordinated Entry", "coordinated_entry")

    def service(self, name: str, stage: str, window: int = 14) -> Service:
        service = Service.register(name=name, stage=stage, handoff_window_days=window, effective_on=d(1, 2), **WHO)
        self.log.record(service)
        return service

    def person(self, **attributes: Any) -> UUID:
        person = Person.identify(
            id=uuid4(),
            attributes={
                "household_type": "single_adult",
                "veteran": "no",
                "race_ethnicity": ["asian"],
                "sex": "female",
                "birth_year": 1990,
                **attributes,
            },
            pii={},
            effective_on=d(1, 5),
            **WHO,
        )
        self.log.record(person)
        return person.id

    def request(
        self,
        on: date,
        *,
        to: Service | None = None,
        person: UUID | None = None,
        after: Handoff | None = None,
        due: date | None = None,
        from_outreach: bool = True,
    ) -> Handoff:
        """A new episode, or with `after` a retry in that handoff's episode (and for the same person)."""
        handoff = Handoff.request(
            person_id=after.person_id if after else person or self.person(),
            from_service_id=self.outreach.id if from_outreach else None,
            to_service_id=(to or self.entry).id,
            episode_id=after.episode_id if after else None,
            requested_on=on,
            due_on=due or on + timedelta(days=7),
            effective_on=on,
            **WHO,
        )
        self.log.record(handoff)
        return handoff

    def move(self, handoff: Handoff, to: str, on: date, **details: Any) -> Handoff:
        handoff.transition(to=to, effective_on=on, **WHO, **details)
        self.log.record(handoff)
        return handoff

    def accepted(self, on: date, after_days: int, **options: Any) -> Handoff:
        return self.move(self.request(on, **options), "accepted", on + timedelta(days=after_days))


def projectors() -> list[Any]:
    return [handoff_gaps_projector(), lists_projector(), populations_projector()]


@pytest.fixture
def db(store_url: str) -> Iterator[Database]:
    database = Database(store_url)
    metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def partnership() -> Partnership:
    return Partnership()


def report(db: Database, partnership: Partnership, **options: Any) -> list[dict[str, Any]]:
    """Project the whole history into empty read models, then run the report for March as of 2025-06-30."""
    project(db, projectors(), partnership.log.events)
    with db.read() as connection:
        return handoff_gaps(connection, **{"first": MARCH, "last": MARCH, "as_of": AS_OF, **options})


def counts(row: dict[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple(row[name] for name in names)


def test_an_episode_accepted_within_its_window_is_picked_up(db: Database, partnership: Partnership) -> None:
    partnership.accepted(d(3, 3), after_days=7)  # t0 + 7 <= t0 + 14

    assert report(db, partnership) == [
        {
            "month": MARCH,
            "to_service_id": str(partnership.entry.id),
            "to_service": "Coordinated Entry",
            "from_stage": "outreach",
            "to_stage": "coordinated_entry",
            "episodes": 1,
            "picked_up": 1,
            "gaps": 0,
            "gap_rate": 0.0,
            "censored": 0,
            "p50_days_to_acceptance": 7,
            "p90_days_to_acceptance": 7,
            "never_accepted_rejected": 0,
            "never_accepted_cancelled": 0,
            "never_accepted_expired": 0,
            "stale": 0,
            "suppressed": [],
        }
    ]


def test_an_episode_accepted_late_or_never_is_a_gap(db: Database, partnership: Partnership) -> None:
    partnership.accepted(d(3, 3), after_days=17)  # gap, though 17 days still count towards acceptance
    partnership.request(d(3, 4), due=d(3, 10))  # gap, and stale: still requested long past 03-10
    partnership.accepted(d(3, 5), after_days=14)  # accepted on t0 + 14 exactly: picked up

    (row,) = report(db, partnership)

    # gap_rate = 2 / (1 + 2); days [14, 17]: p50 at rank ceil(1.0) = 1, p90 at rank ceil(1.8) = 2.
    assert counts(row, "episodes", "picked_up", "gaps", "gap_rate", "censored", "stale") == (3, 1, 2, 0.667, 0, 1)
    assert counts(row, "p50_days_to_acceptance", "p90_days_to_acceptance") == (14, 17)


def test_an_episode_whose_window_is_not_over_at_as_of_is_censored(db: Database, partnership: Partnership) -> None:
    partnership.request(d(3, 20))  # window ends 04-03, after as_of 03-25: censored
    partnership.accepted(d(3, 20), after_days=4)  # accepted 03-24: picked up before its window is over
    partnership.request(d(3, 11))  # window ends 03-25 = as_of: over, so a gap
    partnership.request(d(3, 1))  # window ended 03-15: a gap

    (row,) = report(db, partnership, as_of=d(3, 25))

    assert counts(row, "episodes", "picked_up", "gaps", "gap_rate", "censored") == (4, 1, 2, 0.667, 1)


def test_a_retry_after_a_rejection_is_the_same_episode_timed_from_the_first_request(
    db: Database, partnership: Partnership
) -> None:
    first = partnership.move(partnership.request(d(3, 3)), "rejected", d(3, 5), reason="no_capacity")
    partnership.move(partnership.request(d(3, 6), after=first), "accepted", d(3, 15))  # 12 days from 03-03
    second = partnership.move(partnership.request(d(3, 3)), "rejected", d(3, 10), reason="no_capacity")
    # 10 days from the retry, but 17 from the first request: a gap.
    partnership.move(partnership.request(d(3, 10), after=second), "accepted", d(3, 20))

    (row,) = report(db, partnership)

    assert counts(row, "episodes", "picked_up", "gaps", "never_accepted_rejected") == (2, 1, 1, 0)
    assert counts(row, "p50_days_to_acceptance", "p90_days_to_acceptance") == (12, 17)


def test_an_episode_stays_with_the_to_service_and_month_of_its_first_request(
    db: Database, partnership: Partnership
) -> None:
    shelter = partnership.service("Harbor Shelter", "emergency_shelter", window=30)
    first = partnership.move(partnership.request(d(3, 28)), "rejected", d(4, 2), reason="no_capacity")
    partnership.move(partnership.request(d(4, 2), to=shelter, after=first), "accepted", d(4, 3))

    rows = report(db, partnership, last=date(2025, 4, 1))

    # Coordinated Entry's window of 14 days from 03-28 holds the acceptance of 04-03.
    assert [counts(row, "month", "to_service", "episodes", "picked_up") for row in rows] == [
        (MARCH, "Coordinated Entry", 1, 1)
    ]


def test_handoffs_requested_on_the_same_day_are_in_log_order(db: Database, partnership: Partnership) -> None:
    shelter = partnership.service("Harbor Shelter", "emergency_shelter")
    first = partnership.move(partnership.request(d(3, 3)), "rejected", d(3, 3), reason="no_capacity")
    partnership.request(d(3, 3), to=shelter, after=first, due=d(3, 10))

    (row,) = report(db, partnership)

    # The first request names the to-service; the retry, still requested past its due date, is the latest.
    assert counts(row, "to_service", "gaps", "never_accepted_rejected", "stale") == ("Coordinated Entry", 1, 0, 1)


def test_rows_are_per_month_to_service_and_from_stage_in_order(db: Database, partnership: Partnership) -> None:
    shelter = partnership.service("Alpha Shelter", "emergency_shelter")
    partnership.request(d(2, 27))  # February: before the months asked for
    partnership.request(d(4, 2), from_outreach=False)
    partnership.request(d(4, 3))
    partnership.request(d(3, 9), to=shelter)
    partnership.request(d(3, 10))
    partnership.request(d(5, 1))  # May: after them

    rows = report(db, partnership, last=date(2025, 4, 1))

    assert [counts(row, "month", "to_service", "from_stage", "to_stage", "episodes") for row in rows] == [
        (MARCH, "Alpha Shelter", "outreach", "emergency_shelter", 1),
        (MARCH, "Coordinated Entry", "outreach", "coordinated_entry", 1),
        (date(2025, 4, 1), "Coordinated Entry", None, "coordinated_entry", 1),
        (date(2025, 4, 1), "Coordinated Entry", "outreach", "coordinated_entry", 1),
    ]


def test_handoffs_entered_in_error_do_not_count(db: Database, partnership: Partnership) -> None:
    partnership.move(partnership.request(d(3, 2)), "entered_in_error", d(3, 3))  # the whole episode goes
    kept = partnership.request(d(3, 3), due=d(3, 10))
    retry = partnership.move(partnership.request(d(3, 4), after=kept), "accepted", d(3, 5))
    # Struck out, the retry no longer counts: no acceptance, so a gap, and the first request is still open.
    partnership.move(retry, "entered_in_error", d(3, 6), reason="wrong_person")
    # The first request struck out: the episode starts with the retry on 03-10, accepted 2 days later.
    mistaken = partnership.move(partnership.request(d(3, 1)), "entered_in_error", d(3, 2))
    partnership.move(partnership.request(d(3, 10), after=mistaken), "accepted", d(3, 12))

    (row,) = report(db, partnership)

    assert counts(row, "episodes", "picked_up", "gaps", "stale", "p50_days_to_acceptance") == (2, 1, 1, 1, 2)


def test_days_to_acceptance_percentiles_are_nearest_rank(db: Database, partnership: Partnership) -> None:
    for days in (3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 20):
        partnership.accepted(d(3, 2), after_days=days)

    (row,) = report(db, partnership)

    # Sorted: 1 1 2 3 3 4 5 5 6 9 20. p50 at rank ceil(5.5) = 6 -> 4; p90 at rank ceil(9.9) = 10 -> 9.
    assert counts(row, "p50_days_to_acceptance", "p90_days_to_acceptance") == (4, 9)
    # 20 days is past the window: 1 gap in 11, 0.0909... rounded to 3 places.
    assert counts(row, "episodes", "picked_up", "gaps", "gap_rate") == (11, 10, 1, 0.091)


def test_episodes_never_accepted_count_by_how_their_latest_handoff_ended(
    db: Database, partnership: Partnership
) -> None:
    p = partnership
    p.move(p.request(d(3, 3)), "rejected", d(3, 5), reason="no_capacity")
    p.move(p.request(d(3, 3)), "cancelled", d(3, 6), reason="client_moved")
    p.move(p.request(d(3, 3)), "cancelled", d(4, 2), reason="expired")
    p.move(p.move(p.request(d(3, 3)), "accepted", d(3, 4)), "cancelled", d(3, 8), reason="client_declined")  # picked up
    rejected = p.move(p.request(d(3, 3)), "rejected", d(3, 5), reason="no_capacity")
    p.request(d(3, 6), after=rejected, due=d(3, 13))  # the retry is still requested: stale, not never-accepted
    cancelled = p.move(p.request(d(3, 3)), "cancelled", d(3, 5), reason="entered_elsewhere")
    p.move(p.request(d(3, 6), after=cancelled), "rejected", d(3, 9), reason="not_eligible")  # counts as rejected

    (row,) = report(db, p)

    assert counts(
        row,
        "episodes",
        "picked_up",
        "gaps",
        "never_accepted_rejected",
        "never_accepted_cancelled",
        "never_accepted_expired",
        "stale",
    ) == (6, 1, 5, 2, 1, 1, 1)
    assert not {"no capacity", "person moved to Ohio", "duplicate"} & {str(value) for value in row.values()}


def test_a_request_is_stale_once_as_of_is_past_its_due_date(db: Database, partnership: Partnership) -> None:
    partnership.request(d(3, 3), due=d(3, 10))
    partnership.accepted(d(3, 3), after_days=10, due=d(3, 10))  # accepted late, but accepted: not stale

    assert [row["stale"] for row in report(db, partnership, as_of=d(3, 10))] == [0]
    with db.read() as connection:
        (row,) = handoff_gaps(connection, first=MARCH, last=MARCH, as_of=d(3, 14))
    assert row["stale"] == 1


def test_window_days_overrides_each_to_services_own_window(db: Database, partnership: Partnership) -> None:
    quick = partnership.service("Quick Response", "rapid_rehousing", window=5)
    partnership.accepted(d(3, 3), after_days=10)  # Coordinated Entry, 14 days: picked up
    partnership.accepted(d(3, 3), after_days=7, to=quick)  # Quick Response, 5 days: a gap

    by_service = {row["to_service"]: row for row in report(db, partnership)}
    assert {name: row["picked_up"] for name, row in by_service.items()} == {"Coordinated Entry": 1, "Quick Response": 0}

    for window, picked_up in ((7, {"Coordinated Entry": 0, "Quick Response": 1}), (10, dict.fromkeys(by_service, 1))):
        with db.read() as connection:
            rows = handoff_gaps(connection, first=MARCH, last=MARCH, as_of=AS_OF, window_days=window)
        assert {row["to_service"]: row["picked_up"] for row in rows} == picked_up


def test_as_of_in_the_past_ignores_what_happened_after_it(db: Database, partnership: Partnership) -> None:
    p = partnership
    p.move(p.move(p.request(d(3, 3), due=d(3, 31)), "accepted", d(3, 10)), "completed", d(4, 1), outcome="enrolled")
    rejected = p.move(p.request(d(3, 3), due=d(3, 20)), "rejected", d(3, 5), reason="no_capacity")
    p.move(p.request(d(3, 20), after=rejected), "accepted", d(3, 21))
    p.request(d(3, 12))  # requested after as_of: not yet known then

    rows = report(db, p, as_of=d(3, 9))

    # At 03-09 both episodes (t0 03-03, windows to 03-17) are censored; the first is not yet accepted, the
    # second's only handoff so far was rejected on 03-05. The 03-12 request is not yet known.
    assert [counts(row, "episodes", "censored", "picked_up", "never_accepted_rejected") for row in rows] == [
        (2, 2, 0, 1)
    ]
    assert rows[0]["p50_days_to_acceptance"] is None
    with db.read() as connection:
        (later,) = handoff_gaps(connection, first=MARCH, last=MARCH, as_of=AS_OF)
    # By 06-30: the first picked up in 7 days, the retry accepted 18 days after 03-03 (a gap); 03-12 censored no more.
    assert counts(later, "episodes", "picked_up", "gaps", "never_accepted_rejected") == (3, 1, 2, 0)


def test_a_cut_by_sex_lists_every_sex_and_hides_small_cells_with_a_move_that_changes_them(
    db: Database, partnership: Partnership
) -> None:
    p = partnership
    for _ in range(12):
        p.accepted(d(3, 2), after_days=5, person=p.person(sex="female"))
    for _ in range(3):
        p.accepted(d(3, 2), after_days=3, person=p.person(sex="male"))
    p.request(d(3, 2), person=p.person(sex="male"))  # a gap, and stale
    p.accepted(d(3, 2), after_days=3, person=p.person(sex="unknown"))
    p.move(p.request(d(3, 2), person=uuid4()), "rejected", d(3, 4), reason="no_capacity")  # no profile: unknown

    rows = report(db, p, by="sex")

    # Cells (female, male, refused, unknown): episodes 12 4 0 2, picked_up 12 3 0 1, gaps 0 1 0 1,
    # never_accepted_rejected 0 0 0 1, stale 0 1 0 0. The small ones are hidden; male's stale gap trading places
    # with unknown's rejected gap changes their stale and never_accepted_rejected (the zeros too) and nothing
    # else, so no hidden cell is one value whatever is solved. Female's row is shown in full: 12 and zeros.
    assert [row["sex"] for row in rows] == ["female", "male", "refused", "unknown"]
    female, male, refused, unknown = rows
    assert counts(female, "episodes", "picked_up", "gaps", "gap_rate", "censored", "p50_days_to_acceptance") == (
        12,
        12,
        0,
        0.0,
        0,
        5,
    )
    assert counts(female, "never_accepted_rejected", "stale", "suppressed") == (0, 0, [])
    hidden = ["episodes", "picked_up", "gaps", "never_accepted_rejected", "stale"]
    hidden_rate_and_days = ["gap_rate", "p50_days_to_acceptance", "p90_days_to_acceptance"]
    assert male["suppressed"] == unknown["suppressed"] == [*hidden, *hidden_rate_and_days]
    assert all(row[name] is None for row in (male, unknown) for name in row["suppressed"])
    assert counts(male, "censored", "never_accepted_cancelled") == (0, 0)
    assert counts(refused, "episodes", "stale", "p50_days_to_acceptance", "suppressed") == (0, 0, None, [])

    with db.read() as connection:
        (whole,) = handoff_gaps(connection, first=MARCH, last=MARCH, as_of=AS_OF)
    assert counts(whole, "episodes", "picked_up", "gaps", "stale", "suppressed") == (18, 16, 2, 1, [])


def test_age_bands_by_birth_year_are_ages_in_the_year_of_the_first_request() -> None:
    born = {
        2025: "0-4",
        2021: "0-4",
        2020: "5-17",
        2008: "5-17",
        2007: "18-24",
        2001: "18-24",
        2000: "25-34",
        1991: "25-34",
        1990: "35-44",
        1981: "35-44",
        1980: "45-54",
        1971: "45-54",
        1970: "55-64",
        1961: "55-64",
        1960: "65+",
        1920: "65+",
        None: "unknown",
    }

    assert {year: age_band(age_at(year, None, d(6, 1))) for year in born} == born


def test_a_cut_by_age_band_uses_the_age_at_t0(db: Database, partnership: Partnership) -> None:
    p = partnership
    turning_18 = p.person(birth_year=2008)
    p.request(d(12, 30), person=turning_18)
    p.request(date(2026, 1, 2), person=turning_18)
    p.request(d(12, 30), person=p.person(birth_year=None))

    rows = report(
        db, p, first=date(2025, 12, 1), last=date(2026, 1, 1), as_of=date(2026, 2, 1), by="age_band", suppress_below=1
    )

    # Every band is listed in every group, zeros included: the bands with episodes.
    counted = [(row["month"].month, row["age_band"]) for row in rows if row["episodes"] != 0]
    assert counted == [(12, "5-17"), (12, "unknown"), (1, "18-24")]
    assert [row["age_band"] for row in rows] == [*AGE_BANDS, *AGE_BANDS]


def test_a_cut_by_population_counts_a_person_in_each_of_theirs(db: Database, partnership: Partnership) -> None:
    partnership.request(d(3, 3), person=partnership.person(veteran="yes"))
    partnership.request(d(3, 3), person=partnership.person(household_type="family"))

    rows = report(db, partnership, by="population", suppress_below=1)  # nothing is below 1: nothing hidden

    assert [(row["population"], row["episodes"], row["suppressed"]) for row in rows] == [
        ("all", 2, []),
        ("single_adults", 1, []),
        ("veterans", 1, []),
        ("chronic", 0, []),
        ("youth", 0, []),
        ("families", 1, []),
    ]


def test_an_unknown_cut_is_refused(db: Database) -> None:
    with db.read() as connection, pytest.raises(ValueError, match="cut by race_ethnicity, sex, age_band"):
        handoff_gaps(connection, first=MARCH, last=MARCH, as_of=AS_OF, by="zip_code")


def test_projecting_one_event_at_a_time_gives_the_same_rows_as_one_page(
    tmp_path: Path, partnership: Partnership
) -> None:
    p = partnership
    first = p.move(p.request(d(3, 3)), "rejected", d(3, 5), reason="no_capacity")
    p.move(p.move(p.request(d(3, 6), after=first), "accepted", d(3, 8)), "completed", d(3, 20), outcome="housed")
    p.move(p.request(d(3, 4)), "cancelled", d(4, 3), reason="expired")
    p.move(p.move(p.request(d(3, 5)), "accepted", d(3, 6)), "entered_in_error", d(3, 7))
    one_page, paged = read_models(tmp_path, "one-page"), read_models(tmp_path, "paged")

    project(one_page, [handoff_gaps_projector()], p.log.events)
    project(paged, [handoff_gaps_projector()], p.log.events, page_size=1)

    assert dump(one_page, [handoff_gaps_projector()]) == dump(paged, [handoff_gaps_projector()])
    # requested_on, accepted_on, closed_on, closed_as and in_error of each handoff, in request order.
    rows = sorted(row[6:7] + row[8:] for row in dump(paged, [handoff_gaps_projector()])["gap_handoffs"])
    assert rows == [
        (d(3, 3), None, d(3, 5), "rejected", False),
        (d(3, 4), None, d(4, 3), "expired", False),
        (d(3, 5), d(3, 6), None, None, True),
        (d(3, 6), d(3, 8), d(3, 20), "completed", False),
    ]
