"""The outcomes report: per cradle-to-career indicator and period (school or calendar year), how many persons
were assessed, how many met the milestone and the rate, optionally cut by race/ethnicity, sex or age band with
small cells suppressed (docs/reports.md, "Outcomes")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from events.vocabulary import OUTCOME_INDICATORS
from projections.reports.cuts import PERSON_CUT_VALUES, PERSON_CUTS, age_at, age_band
from projections.reports.periods import PERIODS, period_end, period_label, period_of, periods_between
from projections.reports.suppression import Dimension, Kind, suppress
from projections.tables import person_outcomes, person_profiles

CUTS = PERSON_CUTS
COUNTS = ("assessed", "met")
#: The rate comes from both counts: hidden whenever either is.
DERIVED = {"rate": COUNTS}
GROUP = ("indicator", "period")
#: The kinds of unit (a person assessed in a group): the counts each adds one to.
NOT_MET: Kind = frozenset({"assessed"})
MET: Kind = frozenset({"assessed", "met"})
#: The profile's columns each cut reads.
_PROFILE = {
    None: (),
    "race_ethnicity": (person_profiles.c.race_ethnicity,),
    "sex": (person_profiles.c.sex,),
    "age_band": (person_profiles.c.birth_year, person_profiles.c.birth_month),
}
#: A person's deciding outcome in a group: whether it was met, its day, and the profile columns the cut reads.
Decided = tuple[bool, date, tuple[Any, ...]]


def outcomes(
    connection: Connection,
    *,
    period: str,
    first: date,
    last: date,
    indicators: Sequence[str] = OUTCOME_INDICATORS,
    by: str | None = None,
    suppress_below: int = 11,
) -> list[dict[str, Any]]:
    """One row per indicator and period of kind `period` from `first` to `last` (each the first day of its
    period), and cut value if `by`, zeros included, in the order of the indicators, periods and cut values."""
    if period not in PERIODS:
        raise ValueError(f"outcomes are reported per {' or '.join(PERIODS)}, not {period!r}")
    if by is not None and by not in CUTS:
        raise ValueError(f"outcomes can be cut by {', '.join(CUTS)}, not {by!r}")
    o, profiles = person_outcomes.c, person_profiles.c
    # A person entered in error was never on the list: none of their outcomes counts.
    listed = o.person_id.not_in(select(profiles.person_id).where(profiles.in_error))
    query = select(o.person_id, o.indicator, o.effective_on, o.version, o.met, *_PROFILE[by]).where(
        o.indicator.in_(indicators), o.effective_on >= first, o.effective_on <= period_end(last), listed
    )
    if by:
        query = query.outerjoin(person_profiles, profiles.person_id == o.person_id)
    decided = assess(connection.execute(query), period)
    units: dict[tuple[str, date, str | None], Counter[Kind]] = {}
    for (indicator, start, _person_id), (met, day, profile) in decided.items():
        value = _cut_value(by, profile, day) if by else None
        units.setdefault((indicator, start, value), Counter())[MET if met else NOT_MET] += 1
    values: list[str | None] = [*PERSON_CUT_VALUES[by]] if by else [None]
    values += sorted({value for (_, _, value) in units if value not in values})  # outside the vocabulary: still rows
    keys = [(i, start, value) for i in indicators for start in periods_between(first, last) for value in values]
    cells = [units.get(key, Counter()) for key in keys]
    rows = [_row(key, cell, period, by) for key, cell in zip(keys, cells, strict=True)]
    if by is None:
        return [{**row, "suppressed": []} for row in rows]
    return suppress(
        rows,
        cells,
        group_fields=GROUP,
        cut_field=by,
        dimensions=[Dimension(tuple(values))],  # type: ignore[arg-type]
        count_fields=COUNTS,
        below=suppress_below,
        derived=DERIVED,
    )


def assess(outcomes: Iterable[Sequence[Any]], period: str) -> dict[tuple[str, date, str], Decided]:
    """Each person assessed on an indicator in a period, keyed (indicator, period, person): the outcome that
    decides is the person's latest of the period, by effective date and then log order (the entry's version).
    Each outcome is (person, indicator, effective_on, version, met, *profile columns)."""
    latest: dict[tuple[str, date, str], tuple[date, int, bool, tuple[Any, ...]]] = {}
    for person_id, indicator, day, version, met, *profile in outcomes:
        key = (indicator, period_of(period, day), person_id)
        seen = latest.get(key)
        if seen is None or (day, version) > seen[:2]:
            latest[key] = (day, version, bool(met), tuple(profile))
    return {key: (met, day, profile) for key, (day, _version, met, profile) in latest.items()}


def _cut_value(by: str, profile: tuple[Any, ...], day: date) -> str:
    """The person's cell: the age band at the deciding outcome's day; race/ethnicity and sex from the profile
    today (a person with no profile is unknown)."""
    if by == "age_band":
        return age_band(age_at(*profile, day))
    return profile[0] if profile[0] is not None else "unknown"


def _row(key: tuple[str, date, str | None], units: Counter[Kind], period: str, by: str | None) -> dict[str, Any]:
    indicator, start, value = key
    assessed = sum(units.values())
    met = units[MET]
    return {
        "indicator": indicator,
        "period": period_label(period, start),
        **({by: value} if by else {}),
        "assessed": assessed,
        "met": met,
        "rate": round(met / assessed, 3) if assessed else None,
    }
