"""The cradle-to-career path report on histories built with the domain's own commands: worked out by hand (the
worked example of docs/reports.md "The cradle-to-career path"), and on random histories against a fold written
from the definitions.

Episodes start in March 2025; the report covers March and is as of 2025-06-30 unless a test says otherwise.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path as Path_
from typing import Any
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from events.handoff import Handoff
from events.person import Person
from events.service import Service
from events.vocabulary import CRADLE_TO_CAREER_STAGES
from projections.db import Database
from projections.reports.months import month_of
from projections.reports.pathway import paths_run, pathway, served_per_stage
from tests.integration.test_handoff_gaps import WHO, Partnership, d, db, projectors
from tests.projection_support import project, read_models

__all__ = ["db"]  # the read models' fixture, shared with the handoff-gap tests
MARCH = date(2025, 3, 1)
AS_OF = date(2025, 6, 30)


class Path(Partnership):
    """A school district's early learning, kindergarten and elementary services (besides the outreach and
    coordinated entry services of every Partnership), and handoffs between any two of them."""

    def __init__(self) -> None:
        super().__init__()
        self.early = self.service("Early Learning", "early_childhood", window=21)
        self.kinder = self.service("Kindergarten", "kindergarten")
        self.elementary = self.service("Elementary", "elementary")

    def hand(self, person: UUID, from_: Service | None, to: Service, on: date) -> Handoff:
        handoff = Handoff.request(
            person_id=person,
            from_service_id=from_.id if from_ else None,
            to_service_id=to.id,
            episode_id=None,
            requested_on=on,
            due_on=on,
            effective_on=on,
            **WHO,
        )
        self.log.record(handoff)
        return handoff

    def example(self) -> None:
        """The worked example."""
        ana, ben, cal, dee, eve, fay = (self.person() for _ in range(6))
        self.move(self.hand(ana, self.early, self.kinder, d(3, 3)), "accepted", d(3, 10))  # 7 days: picked up
        self.move(self.hand(ben, self.early, self.kinder, d(3, 5)), "accepted", d(3, 25))  # 20 > 14: a gap
        self.move(self.hand(cal, self.early, self.kinder, d(3, 10)), "rejected", d(3, 12), reason="no_capacity")
        dee_k = self.move(self.hand(dee, self.kinder, self.elementary, d(3, 20)), "accepted", d(3, 22))
        self.move(dee_k, "completed", d(5, 1), outcome="enrolled")  # picked up; served no longer
        self.move(self.hand(eve, self.early, self.elementary, d(3, 4)), "accepted", d(3, 4))  # skips a stage
        fay_e = self.move(self.hand(fay, None, self.early, d(1, 10)), "accepted", d(1, 12))  # enters the path
        self.move(self.move(fay_e, "in_progress", d(1, 15)), "on_hold", d(2, 1), reason="client_unavailable")
        # Ana's second kindergarten episode (an after-school place) does not count her twice.
        self.move(self.hand(ana, None, self.kinder, d(3, 12)), "accepted", d(3, 12))
        self.move(self.hand(self.duplicate(), self.early, self.kinder, d(3, 6)), "accepted", d(3, 7))
        self.move(
            self.move(self.hand(ben, None, self.early, d(3, 2)), "accepted", d(3, 2)), "entered_in_error", d(3, 3)
        )

    def duplicate(self) -> UUID:
        """A person entered in error: in no count."""
        person = Person.identify(
            id=uuid4(), attributes={"household_type": "family", "veteran": "no"}, pii={}, effective_on=d(1, 5), **WHO
        )
        person.transition(to="entered_in_error", reason="duplicate_record", effective_on=d(4, 1), **WHO)
        self.log.record(person)
        return person.id


def report(db: Database, path: Path, **options: Any) -> list[dict[str, Any]]:
    project(db, projectors(), path.log.events)
    with db.read() as connection:
        return pathway(connection, **{"first": MARCH, "last": MARCH, "as_of": AS_OF, **options})


def shown(rows: list[dict[str, Any]], *names: str) -> dict[str, tuple[Any, ...]]:
    return {row["stage"]: tuple(row[name] for name in names) for row in rows}


def test_the_worked_example(db: Database) -> None:
    path = Path()
    path.example()

    rows = report(db, path)

    assert [row["stage"] for row in rows] == list(CRADLE_TO_CAREER_STAGES)
    assert rows[0] == {
        "stage": "early_childhood",
        "served": 1,  # Fay, on hold; Ben's handoff was entered in error
        "next_stage": "kindergarten",
        "handed_on": 3,  # Ana, Ben, Cal (not the duplicate, nor Eve, who skipped to elementary)
        "picked_up": 1,
        "gaps": 2,
        "censored": 0,
        "pickup_rate": 0.333,
    }
    assert rows[1] == {
        "stage": "kindergarten",
        "served": 2,  # Ana (twice) and Ben
        "next_stage": "elementary",
        "handed_on": 1,
        "picked_up": 1,  # Dee, whose handoff has since been completed
        "gaps": 0,
        "censored": 0,
        "pickup_rate": 1.0,
    }
    assert shown(rows[2:], "served", "next_stage", "handed_on", "pickup_rate") == {
        "elementary": (1, "middle_school", 0, None),  # Eve; Dee's was completed on 05-01
        "middle_school": (0, "high_school", 0, None),
        "high_school": (0, "postsecondary_advising", 0, None),
        "postsecondary_advising": (0, "postsecondary", 0, None),
        "postsecondary": (0, "workforce_training", 0, None),
        "workforce_training": (0, "employment", 0, None),
        "employment": (0, None, None, None),
    }
    assert rows[-1]["picked_up"] is rows[-1]["gaps"] is rows[-1]["censored"] is None


def test_served_and_the_funnel_as_of_an_earlier_day(db: Database) -> None:
    path = Path()
    path.example()

    rows = report(db, path, as_of=d(3, 15))

    # Ana accepted on 03-10 (Ben not yet); Ben's window ends 03-19 and Cal's 03-24: both still open.
    # Dee's handoff was not yet requested; Eve was accepted at elementary on 03-04.
    assert shown(rows[:3], "served", "handed_on", "picked_up", "gaps", "censored", "pickup_rate") == {
        "early_childhood": (1, 3, 1, 0, 2, 1.0),
        "kindergarten": (1, 0, 0, 0, 0, None),
        "elementary": (1, 0, 0, 0, 0, None),
    }


def test_a_window_of_its_own_and_months_without_the_episodes(db: Database) -> None:
    path = Path()
    path.example()

    assert shown(report(db, path, window_days=30)[:1], "picked_up", "gaps") == {"early_childhood": (2, 1)}
    april = report(db, Path(), first=date(2025, 4, 1), last=date(2025, 4, 1))
    assert {row["handed_on"] for row in april} == {0, None}


def test_a_person_is_served_from_the_acceptance_to_the_day_before_the_handoff_closes(db: Database) -> None:
    path = Path()
    handoff = path.move(path.hand(path.person(), None, path.kinder, d(3, 3)), "accepted", d(3, 5))
    path.move(handoff, "cancelled", d(3, 9), reason="client_declined")
    project(db, projectors(), path.log.events)

    with db.read() as connection:
        served = {on: served_per_stage(connection, on)["kindergarten"] for on in (d(3, 4), d(3, 5), d(3, 8), d(3, 9))}

    assert served == {d(3, 4): 0, d(3, 5): 1, d(3, 8): 1, d(3, 9): 0}


def test_the_paths_a_catalogue_runs(db: Database) -> None:
    only_homelessness = Partnership()
    project(db, projectors(), only_homelessness.log.events)
    with db.read() as connection:
        assert paths_run(connection) == {"homelessness"}
    both = Path()
    project(db, projectors(), both.log.events[2:])  # the cradle-to-career services, after the first two
    with db.read() as connection:
        assert paths_run(connection) == {"homelessness", "cradle_to_career"}


# -- property: the report against a fold written from the definitions (docs/reports.md) ---------------------

STAGES = ("early_childhood", "kindergarten", "elementary")
#: What becomes of a handoff after its request: nothing, accepted, accepted then closed, rejected, or any of
#: those and then entered in error.
FATES = ("requested", "accepted", "completed", "cancelled", "rejected")


def draw_path(data: st.DataObject) -> tuple[Path, list[dict[str, Any]]]:
    """A history of up to 4 persons (some entered in error) and 8 single-handoff episodes among three
    stages; and each handoff as the fold reads it."""
    path = Path()
    services = {"early_childhood": path.early, "kindergarten": path.kinder, "elementary": path.elementary}
    persons = [(path.duplicate(), True) if data.draw(st.booleans()) else (path.person(), False) for _ in range(3)]
    handoffs = []
    for _ in range(data.draw(st.integers(1, 8))):
        person, in_error = data.draw(st.sampled_from(persons))
        to_stage = data.draw(st.sampled_from(STAGES))
        from_stage = data.draw(st.sampled_from((None, *(stage for stage in STAGES if stage != to_stage))))
        requested = MARCH + timedelta(days=data.draw(st.integers(0, 45)))
        handoff = path.hand(person, services[from_stage] if from_stage else None, services[to_stage], requested)
        fate, accepted, closed = data.draw(st.sampled_from(FATES)), None, None
        on = requested + timedelta(days=data.draw(st.integers(0, 25)))
        if fate in ("accepted", "completed", "cancelled"):
            path.move(handoff, "accepted", accepted := on)
        if fate in ("completed", "cancelled", "rejected"):
            closed = on + timedelta(days=data.draw(st.integers(0, 25)) if accepted else 0)
            details = {"completed": {"outcome": "enrolled"}, "rejected": {"reason": "no_capacity"}}
            path.move(handoff, fate, closed, **details.get(fate, {"reason": "client_declined"}))
        voided = data.draw(st.booleans()) and data.draw(st.booleans())
        if voided:
            path.move(handoff, "entered_in_error", closed or accepted or requested)
        handoffs.append(
            {
                "person": person,
                "counted": not in_error and not voided,
                "from": from_stage,
                "to": to_stage,
                "requested": requested,
                "accepted": accepted,
                "closed": closed,
            }
        )
    return path, handoffs


def fold(handoffs: list[dict[str, Any]], as_of: date, window: int) -> dict[str, tuple[Any, ...]]:
    """Served, handed on, picked up, gaps and censored per stage, straight from the definitions."""
    expected = {}
    counted = [h for h in handoffs if h["counted"]]
    for stage, next_stage in zip(STAGES, (*STAGES[1:], "middle_school"), strict=True):
        serving = [h for h in counted if h["to"] == stage and h["accepted"] and h["accepted"] <= as_of]
        served = {h["person"] for h in serving if not (h["closed"] and h["closed"] <= as_of)}
        episodes = [h for h in counted if (h["from"], h["to"]) == (stage, next_stage) and h["requested"] <= as_of]
        ends = {id(h): h["requested"] + timedelta(days=window) for h in episodes}
        picked = [h for h in episodes if h["accepted"] and h["accepted"] <= min(as_of, ends[id(h)])]
        open_ = [h for h in episodes if h not in picked and ends[id(h)] > as_of]
        gaps = len(episodes) - len(picked) - len(open_)
        expected[stage] = (len(served), len(episodes), len(picked), gaps, len(open_))
    return expected


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_the_report_matches_a_fold_of_the_definitions(data: st.DataObject) -> None:
    path, handoffs = draw_path(data)
    # Often a day something happened on: where the boundaries of the definitions are.
    days = sorted({h[name] for h in handoffs for name in ("requested", "accepted", "closed") if h[name]})
    as_of = data.draw(st.sampled_from(days) | st.integers(0, 90).map(lambda n: MARCH + timedelta(days=n)))
    window = data.draw(st.sampled_from((None, 7)))

    with tempfile.TemporaryDirectory() as folder:
        models = read_models(Path_(folder))
        try:
            project(models, projectors(), path.log.events)
            with models.read() as connection:
                last = min(month_of(as_of), date(2025, 4, 1))
                rows = pathway(connection, first=MARCH, last=last, as_of=as_of, window_days=window)
        finally:
            models.dispose()

    names = ("served", "handed_on", "picked_up", "gaps", "censored")
    assert shown(rows[:3], *names) == fold(handoffs, as_of, window or 14)
