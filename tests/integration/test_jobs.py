"""The scheduled jobs under a controllable clock, on SQLite and PostgreSQL: the inactivity sweep marks exactly
the persons past N days, once, with the effective date the record gives (also when it runs a week late); the
expiry cancels exactly the stale requested handoffs; the month close runs once per month."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

from coord.jobs import periods, runs
from coord.jobs.catalogue import JOBS
from coord.jobs.scheduler import Scheduler, run_if_due, run_job
from coord.service.principal import Principal
from projections.reports.months import add_months, month_of

CASE_MANAGER = Principal("cm", "case_manager", "harbor")
BACKBONE = Principal("bb", "backbone", None)
TODAY = datetime.now(UTC).date()
RUNNER = "test:1"


def at(day: date, hour: int = 6) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def _person(app, identified: int, contact: int | None = None):
    person = app.identify_person(
        CASE_MANAGER,
        attributes={"veteran": "no", "household_type": "single_adult"},
        pii={"first_name": "Sam"},
        effective_on=days_ago(identified),
    )
    if contact is not None:
        app.record_contact(CASE_MANAGER, person.id, effective_on=days_ago(contact))
    return person.id


def _events(app, aggregate_id) -> list:
    return list(app.repository.event_store.get(aggregate_id))


def _sweep(coord, now: datetime):
    return run_if_due(coord, JOBS["inactivity-sweep"], now, runner=RUNNER, stopping=threading.Event())


def test_the_sweep_marks_exactly_the_persons_past_n_days_once_with_their_own_dates(coord):
    app = coord.service
    lapsed = _person(app, 200, contact=100)  # due 10 days ago
    seen_lately = _person(app, 200, contact=50)  # due in 40 days
    never_contacted = _person(app, 95)  # due 5 days ago
    just_in_time = _person(app, 120, contact=89)  # due tomorrow
    housed = _person(app, 300)
    app.transition_person(CASE_MANAGER, housed, to="housed", destination=410, effective_on=days_ago(250))
    returned = _person(app, 300, contact=200)
    app.transition_person(CASE_MANAGER, returned, to="inactive", reason="left_area", effective_on=days_ago(150))
    app.transition_person(CASE_MANAGER, returned, to="active", effective_on=days_ago(120))  # due 30 days ago

    first = _sweep(coord, at(days_ago(7)))
    assert first.summary == {
        "as_of": days_ago(7).isoformat(),
        "inactive_days": 90,
        "checked": 2,
        "marked_inactive": 2,
        "refused": 0,
    }
    assert _sweep(coord, at(days_ago(7), hour=23)) is None  # the day is done
    # A week late: the one who lapsed meanwhile is marked as of the day they lapsed, not the day of the run.
    late = _sweep(coord, at(TODAY))
    assert (late.summary["checked"], late.summary["marked_inactive"]) == (1, 1)
    again = run_job(coord, JOBS["inactivity-sweep"], at(TODAY), trigger="cli", runner=RUNNER)
    assert (again.outcome, again.summary["checked"], again.summary["marked_inactive"]) == ("done", 0, 0)

    expected = {lapsed: days_ago(10), never_contacted: days_ago(5), returned: days_ago(30)}
    for person_id in (lapsed, seen_lately, never_contacted, just_in_time, housed, returned):
        person = app.repository.get(person_id)
        marks = [
            e for e in _events(app, person_id) if type(e).__name__ == "MarkedInactive" and e.reason == "no_contact"
        ]
        if person_id in expected:
            assert (person.status, person.inactive_reason) == ("inactive", "no_contact")
            assert [(m.effective_on, m.actor) for m in marks] == [(expected[person_id], "system:inactivity-sweep")]
        else:
            assert marks == []
    assert app.repository.get(housed).status == "housed"
    assert app.repository.get(seen_lately).status == app.repository.get(just_in_time).status == "active"


def test_a_contact_recorded_before_the_sweep_runs_keeps_the_person_active(coord):
    app = coord.service
    person = _person(app, 200, contact=100)
    app.record_contact(CASE_MANAGER, person, effective_on=days_ago(2))  # seen again, only told now
    assert _sweep(coord, at(TODAY)).summary["marked_inactive"] == 0
    assert app.repository.get(person).status == "active"


def _handoff(app, service_id, requested: int, accepted: int | None = None):
    person = _person(app, requested + 1)
    handoff = app.request_handoff(
        CASE_MANAGER, person_id=person, to_service_id=service_id, requested_on=days_ago(requested)
    )
    if accepted is not None:
        app.transition_handoff(CASE_MANAGER, handoff.id, to="accepted", effective_on=days_ago(accepted))
    return handoff.id


def test_expiry_cancels_exactly_the_stale_requested_handoffs(coord):
    app = coord.service
    service = app.register_service(
        CASE_MANAGER, name="Shelter intake", stage="emergency_shelter", handoff_window_days=14
    ).id
    stale = _handoff(app, service, 40)  # expires 10 days ago
    answered = _handoff(app, service, 40, accepted=35)
    fresh = _handoff(app, service, 20)  # expires in 10 days
    expires_yesterday = _handoff(app, service, 31)
    job = JOBS["handoff-expiry"]

    on_time = run_if_due(coord, job, at(days_ago(7)), runner=RUNNER, stopping=threading.Event())
    assert (on_time.summary["checked"], on_time.summary["expired"]) == (1, 1)
    assert run_if_due(coord, job, at(days_ago(7)).replace(minute=59), runner=RUNNER, stopping=threading.Event()) is None
    next_hour = run_if_due(coord, job, at(days_ago(7), hour=7), runner=RUNNER, stopping=threading.Event())
    assert (next_hour.summary["checked"], next_hour.summary["expired"]) == (0, 0)
    late = run_if_due(coord, job, at(TODAY), runner=RUNNER, stopping=threading.Event())
    assert (late.summary["checked"], late.summary["expired"]) == (1, 1)

    expected = {stale: days_ago(10), expires_yesterday: days_ago(1)}
    for handoff_id in (stale, answered, fresh, expires_yesterday):
        handoff = app.repository.get(handoff_id)
        cancels = [e for e in _events(app, handoff_id) if type(e).__name__ == "Cancelled"]
        if handoff_id in expected:
            assert (handoff.status, handoff.reason) == ("cancelled", "expired")
            assert [(c.effective_on, c.actor) for c in cancels] == [(expected[handoff_id], "system:handoff-expiry")]
        else:
            assert cancels == []
    assert (app.repository.get(answered).status, app.repository.get(fresh).status) == ("accepted", "requested")


def _submissions(coord, month: date) -> int:
    from coord.service.submissions import _submission

    found = _submission(coord, month)
    return 0 if found is None else found.latest["submission"]


def test_the_month_close_runs_once_per_month_on_its_day(coord):
    job = JOBS["month-close"]
    x = add_months(month_of(TODAY), -2)  # every clock below is in the past
    calls = [
        (x.replace(day=4), add_months(x, -2), True),
        (x.replace(day=5), add_months(x, -1), True),
        (x.replace(day=6), None, None),
        (add_months(x, 1).replace(day=4), None, None),
        (add_months(x, 1).replace(day=5), x, True),
        (add_months(x, 1).replace(day=28), None, None),
    ]
    for day, month, closed in calls:
        outcome = run_if_due(coord, job, at(day), runner=RUNNER, stopping=threading.Event())
        if month is None:
            assert outcome is None, day
        else:
            assert (outcome.period, outcome.summary["closed"]) == (month.strftime("%Y-%m"), closed)
    for month in (add_months(x, -2), add_months(x, -1), x):
        assert _submissions(coord, month) == 1
    closes = [r for r in runs.history(coord.db, "month-close") if r["outcome"] == "done"]
    assert len(closes) == 3


def test_the_month_close_leaves_a_month_the_backbone_closed_as_it_was(coord):
    from coord.service.submissions import close_month

    month = add_months(month_of(TODAY), -2)
    close_month(coord, BACKBONE, month)
    close_day = add_months(month, 1).replace(day=5)
    outcome = run_if_due(coord, JOBS["month-close"], at(close_day), runner=RUNNER, stopping=threading.Event())
    assert (outcome.period, outcome.outcome) == (month.strftime("%Y-%m"), "done")
    assert (outcome.summary["closed"], outcome.summary["submission"]) == (False, 1)
    assert _submissions(coord, month) == 1


def test_a_stopped_sweep_leaves_its_day_due_and_the_next_run_finishes_it(coord):
    app = coord.service
    people = [_person(app, 200, contact=100) for _ in range(3)]
    stopping = threading.Event()
    stopping.set()
    stopped = run_if_due(coord, JOBS["inactivity-sweep"], at(TODAY), runner=RUNNER, stopping=stopping)
    assert (stopped.outcome, stopped.summary["marked_inactive"]) == ("interrupted", 0)
    finished = _sweep(coord, at(TODAY))
    assert (finished.outcome, finished.summary["marked_inactive"]) == ("done", 3)
    assert {app.repository.get(p).status for p in people} == {"inactive"}


def test_periods():
    assert periods.month_to_close(datetime(2026, 12, 4, tzinfo=UTC), 5).key == "2026-10"
    assert periods.month_to_close(datetime(2026, 12, 5, tzinfo=UTC), 5).key == "2026-11"
    assert periods.month_to_close(datetime(2026, 1, 5, tzinfo=UTC), 5).key == "2025-12"
    assert periods.month_to_close(datetime(2026, 1, 5, tzinfo=UTC), 5).next_starts == datetime(2026, 2, 5, tzinfo=UTC)
    assert periods.hourly(datetime(2026, 12, 4, 23, 59, tzinfo=UTC)).key == "2026-12-04T23"


def test_one_scheduler_leads_and_the_other_stands_by_until_it_stops(coord):
    clock = lambda: at(TODAY)  # noqa: E731
    first, second = Scheduler(coord, clock, runner="one:1"), Scheduler(coord, clock, runner="two:2")
    try:
        first.tick()
        second.tick()
        assert (first.leading, second.leading) == (True, False)
        assert {r["job"]: r["runner"] for r in runs.history(coord.db)} == dict.fromkeys(JOBS, "one:1")
        first.lead.release()  # as if the leader's process died
        first.leading = False
        second.tick()
        assert second.leading
    finally:
        first.lead.release()
        second.lead.release()
    assert len(runs.history(coord.db)) == len(JOBS)  # the second found every period done
