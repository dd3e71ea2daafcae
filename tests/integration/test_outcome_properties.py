"""Properties of the outcomes report for random persons and outcomes (voids and persons entered in error
included): uncut, it equals a fold written here from the definition in docs/reports.md; every cut's cells,
unsuppressed, add up to the uncut numbers; suppression only hides (never changes) a value; and the disclosure
adversary (tests/integration/test_disclosure.py) pins no hidden cell of any cut."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.person import Person
from events.vocabulary import OUTCOME_INDICATORS
from projections.outcomes_projector import outcomes_projector
from projections.populations_projector import populations_projector
from projections.reports.outcomes import CUTS, outcomes
from tests.integration.test_disclosure import Shape, pinned_cells
from tests.projection_support import Log, project, read_models

WHO = {"actor": "t", "agency": "harbor"}
INDICATORS = ("early_grade_reading", "employment")
FIRST_DAY, DAYS = date(2024, 5, 1), 800
#: Each kind of period: the first and last period the report is asked for (every outcome day falls in them).
RANGES = {"school_year": (date(2023, 7, 1), date(2026, 7, 1)), "calendar_year": (date(2024, 1, 1), date(2026, 1, 1))}
OUTCOMES = Shape(
    counts=("assessed", "met"),
    kinds=[frozenset({"assessed"}), frozenset({"assessed", "met"})],
    group=("indicator", "period"),
    total="assessed",
    partitions=frozenset(CUTS),
)
PERSONS = st.fixed_dictionaries(
    {
        "sex": st.sampled_from(("female", "male", "unknown")),
        "race_ethnicity": st.sampled_from((["asian"], ["white"], ["black_af_american"], ["white", "asian"])),
        "birth_year": st.sampled_from((1960, 2000, 2007, 2016, None)),
    }
)


def draw_history(data: st.DataObject) -> list[Any]:
    count = data.draw(st.integers(1, 8), label="persons")
    persons = [
        Person.identify(
            id=UUID(int=n + 1),
            attributes={**data.draw(PERSONS, label="person"), "household_type": "youth", "veteran": "no"},
            pii={},
            effective_on=date(2025, 1, 1),
            **WHO,
        )
        for n in range(count)
    ]
    for _ in range(data.draw(st.integers(0, 40), label="steps")):
        person = persons[data.draw(st.integers(0, count - 1), label="whose")]
        step = data.draw(st.sampled_from(("outcome", "outcome", "outcome", "void", "strike")), label="step")
        if step == "void" and person.outcomes:
            voids = data.draw(st.sampled_from(sorted(person.outcomes)), label="voids")
            person.void_entry(voids=voids, reason="wrong_date", note=None, effective_on=date(2026, 7, 1), **WHO)
        elif step == "strike" and person.status == "active" and data.draw(st.booleans(), label="strike?"):
            person.enter_in_error(reason="duplicate_record", effective_on=date(2026, 7, 1), **WHO)
        else:
            person.record_outcome(
                indicator=data.draw(st.sampled_from(INDICATORS), label="indicator"),
                met=data.draw(st.booleans(), label="met"),
                source="program_record",
                effective_on=FIRST_DAY + timedelta(days=data.draw(st.integers(0, DAYS), label="day")),
                **WHO,
            )
    log = Log()
    log.record(*persons)
    return log.events


def fold(events: Sequence[Any], kind: str) -> dict[tuple[str, str], tuple[int, int]]:
    """The definition: a person is assessed on an indicator in a period when an outcome of theirs in force (not
    voided, the person not entered in error) is dated in it; they met it when the latest such outcome (by date,
    then log order) is met. (indicator, period label) -> (assessed, met)."""
    voided = {(e.originator_id, e.voids) for e in events if type(e).__name__ == "EntryVoided"}
    struck = {e.originator_id for e in events if type(e).__name__ == "EnteredInError"}
    latest: dict[tuple[str, str, UUID], tuple[date, int, bool]] = {}
    for e in events:
        if type(e).__name__ != "OutcomeRecorded" or e.originator_id in struck:
            continue
        if (e.originator_id, e.originator_version) in voided:
            continue
        day = e.effective_on
        if kind == "calendar_year":
            label = str(day.year)
        else:
            year = day.year if day.month >= 7 else day.year - 1
            label = f"{year}-{str(year + 1)[2:]}"
        key = (e.indicator, label, e.originator_id)
        latest[key] = max(latest.get(key, (date.min, 0, False)), (day, e.originator_version, e.met))
    counts: dict[tuple[str, str], Counter[str]] = {}
    for (indicator, label, _person), (_day, _version, met) in latest.items():
        cell = counts.setdefault((indicator, label), Counter())
        cell["assessed"] += 1
        cell["met"] += met
    return {key: (cell["assessed"], cell["met"]) for key, cell in counts.items()}


def group_sums(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str], tuple[int, int]]:
    sums: dict[tuple[str, str], tuple[int, int]] = {}
    for row in rows:
        assessed, met = sums.get((row["indicator"], row["period"]), (0, 0))
        sums[row["indicator"], row["period"]] = (assessed + row["assessed"], met + row["met"])
    return sums


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from(tuple(RANGES)), below=st.sampled_from((2, 3, 5, 11)))
def test_cuts_add_up_to_the_uncut_numbers_which_match_the_definition(data: st.DataObject, kind: str, below: int):
    events = draw_history(data)
    first, last = RANGES[kind]
    with tempfile.TemporaryDirectory() as directory:
        db = read_models(Path(directory))
        try:
            project(db, [populations_projector(), outcomes_projector()], events)
            with db.read() as connection:

                def report(by: str | None, suppress_below: int = 1) -> list[dict[str, Any]]:
                    return outcomes(
                        connection, period=kind, first=first, last=last, by=by, suppress_below=suppress_below
                    )

                uncut = report(None)
                whole = {by: report(by) for by in CUTS}
                suppressed = {by: report(by, below) for by in CUTS}
        finally:
            db.dispose()

    expected = fold(events, kind)
    assert len(uncut) == len(OUTCOME_INDICATORS) * (last.year - first.year + 1)
    for row in uncut:
        assessed, met = expected.get((row["indicator"], row["period"]), (0, 0))
        rate = round(met / assessed, 3) if assessed else None
        assert (row["assessed"], row["met"], row["rate"], row["suppressed"]) == (assessed, met, rate, []), row
    exact = {(row["indicator"], row["period"]): (row["assessed"], row["met"]) for row in uncut}
    for by in CUTS:
        assert group_sums(whole[by]) == exact, by
        assert all(row["suppressed"] == [] for row in whole[by])
        for full, shown in zip(whole[by], suppressed[by], strict=True):
            hidden = set(shown["suppressed"])
            assert {k: v for k, v in shown.items() if k not in hidden and k != "suppressed"} == {
                k: v for k, v in full.items() if k not in hidden and k != "suppressed"
            }
            assert all(shown[name] is None for name in hidden)
            assert all(full[name] == 0 or full[name] >= below for name in ("assessed", "met") if name not in hidden)
    assert pinned_cells(uncut, suppressed, OUTCOMES) == []
