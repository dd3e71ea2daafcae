"""Handoff gaps per month of first request, to-service and stage pair: how many episodes were picked up
within the window, how long acceptance took, and how the ones never accepted ended (DESIGN.md section 6)."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, func, not_, or_, select

from events.populations import POPULATIONS
from events.vocabulary import RACE_ETHNICITY, SEXES
from projections.reports.months import month_end, month_of
from projections.reports.suppression import Dimension, Kind, suppress
from projections.tables import gap_handoffs, person_profiles, services

CUTS = ("race_ethnicity", "sex", "age_band", "population")
AGE_BANDS = ("0-4", "5-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown")
#: The youngest age of each band after "0-4".
_BAND_STARTS = (5, 18, 25, 35, 45, 55, 65)
NEVER_ACCEPTED = {name: f"never_accepted_{name}" for name in ("rejected", "cancelled", "expired")}
COUNTS = ("episodes", "picked_up", "gaps", "censored", *NEVER_ACCEPTED.values(), "stale")
#: Fields computed from counts, hidden whenever one of the counts they come from is: the percentiles come from
#: the days of the row's own episodes, so any hidden count of the row hides them.
DERIVED = {
    "gap_rate": ("gaps", "picked_up"),
    "p50_days_to_acceptance": COUNTS,
    "p90_days_to_acceptance": COUNTS,
}
GROUP = ("month", "to_service_id", "from_stage")
#: Every value of each cut, each in one row of every group, zeros included: an absent row would say 0.
CUT_VALUES = {
    "race_ethnicity": (*RACE_ETHNICITY, "multiple"),
    "sex": SEXES,
    "age_band": AGE_BANDS,
    "population": POPULATIONS,
}
#: How each cut's values share out a group's episodes: race/ethnicity, sex and age band partition them; the
#: household populations partition everyone with a household type; veterans and chronic are some of `all`,
#: which holds every episode (it is the uncut row, never hidden).
HOUSEHOLD_POPULATIONS = ("single_adults", "youth", "families")
SUBSET_POPULATIONS = ("veterans", "chronic")


def handoff_gaps(
    connection: Connection,
    *,
    first: date,
    last: date,
    as_of: date,
    window_days: int | None = None,
    by: str | None = None,
    suppress_below: int = 11,
) -> list[dict[str, Any]]:
    """One row per month of t0 from `first` to `last`, to-service and from-stage (and cut value, if `by`),
    as known at `as_of`; `window_days` overrides each to-service's own handoff window."""
    if by is not None and by not in CUTS:
        raise ValueError(f"handoff gaps can be cut by {', '.join(CUTS)}, not {by!r}")
    cells: dict[tuple[Any, ...], dict[str, Any]] = {}
    heads: dict[tuple[Any, ...], Row[Any]] = {}
    values = list(CUT_VALUES[by]) if by else []
    for handoffs in _episodes(connection, month_of(first), month_end(last), as_of):
        counts, days = _measure(handoffs, as_of, window_days)
        head = handoffs[0]
        group = (month_of(head.requested_on), head.to_service_id, head.from_stage)
        heads.setdefault(group, head)
        for value in _cut_values(by, head) if by else (None,):
            if by and value not in values:  # a value outside the vocabulary still gets its rows
                values.append(value)
            cell = cells.setdefault((*group, value), _cell(head))
            cell["counts"].update(counts)
            cell["units"][frozenset(name for name, n in counts.items() if n)] += 1
            if days is not None:
                cell["days"].append(days)
    for group, head in heads.items():  # every value of the cut in every group, zeros included
        for value in values:
            cells.setdefault((*group, value), _cell(head))
    ordered = sorted(cells.items(), key=lambda item: _order(item, by))
    rows = [_row(key, cell, by) for key, cell in ordered]
    if by is None:
        return [{**row, "suppressed": []} for row in rows]
    return suppress(
        rows,
        [cell["units"] for _, cell in ordered],
        group_fields=GROUP,
        cut_field=by,
        dimensions=_dimensions(by, values),
        count_fields=COUNTS,
        below=suppress_below,
        derived=DERIVED,
    )


def _cell(head: Row[Any]) -> dict[str, Any]:
    units: Counter[Kind] = Counter()
    return {"head": head, "counts": Counter(), "units": units, "days": []}


def _dimensions(by: str, values: Sequence[str]) -> list[Dimension]:
    """How the cut's values share out a group's episodes (see CUT_VALUES)."""
    if by != "population":
        return [Dimension(tuple(values))]
    return [Dimension(HOUSEHOLD_POPULATIONS), *(Dimension((name,), within="all") for name in SUBSET_POPULATIONS)]


def _episodes(connection: Connection, start: date, end: date, as_of: date) -> list[list[Row[Any]]]:
    """The live handoffs known at `as_of` of each episode first requested from `start` to `end`, in request
    order, with their to-service, from-stage and the person's profile."""
    h = gap_handoffs.c
    known = (not_(h.in_error), h.requested_on <= as_of)
    t0 = func.min(h.requested_on)
    in_range = select(h.episode_id).where(*known).group_by(h.episode_id).having(t0 >= start, t0 <= end)
    to_service, from_service = services.alias("to_service"), services.alias("from_service")
    # A person entered in error was never on the list: none of their episodes counts.
    listed = or_(person_profiles.c.in_error.is_(None), not_(person_profiles.c.in_error))
    rows = connection.execute(
        select(
            h.episode_id,
            h.requested_on,
            h.due_on,
            h.accepted_on,
            h.closed_on,
            h.closed_as,
            h.to_service_id,
            to_service.c.name.label("to_service"),
            to_service.c.stage.label("to_stage"),
            to_service.c.handoff_window_days,
            from_service.c.stage.label("from_stage"),
            person_profiles.c.race_ethnicity,
            person_profiles.c.sex,
            person_profiles.c.birth_year,
            person_profiles.c.birth_month,
            person_profiles.c.populations,
        )
        .select_from(
            gap_handoffs.join(to_service, to_service.c.id == h.to_service_id)
            .outerjoin(from_service, from_service.c.id == h.from_service_id)
            .outerjoin(person_profiles, person_profiles.c.person_id == h.person_id)
        )
        .where(*known, h.episode_id.in_(in_range), listed)
        .order_by(h.episode_id, h.requested_on, h.position)
    )
    episodes: dict[str, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        episodes[row.episode_id].append(row)
    return list(episodes.values())


def _measure(handoffs: Sequence[Row[Any]], as_of: date, window_days: int | None) -> tuple[Counter[str], int | None]:
    """One episode's counts, and its days from t0 to acceptance if it was accepted by `as_of`."""
    head, latest = handoffs[0], handoffs[-1]
    t0 = head.requested_on
    window_end = t0 + timedelta(days=head.handoff_window_days if window_days is None else window_days)
    accepted_on = min((h.accepted_on for h in handoffs if h.accepted_on and h.accepted_on <= as_of), default=None)
    counts = Counter(episodes=1)
    if accepted_on is not None and accepted_on <= window_end:
        counts["picked_up"] += 1
    elif window_end > as_of:
        counts["censored"] += 1
    else:
        counts["gaps"] += 1
    latest_closed = latest.closed_on is not None and latest.closed_on <= as_of
    if accepted_on is None and latest_closed and latest.closed_as in NEVER_ACCEPTED:
        counts[NEVER_ACCEPTED[latest.closed_as]] += 1
    latest_accepted = latest.accepted_on is not None and latest.accepted_on <= as_of
    if not latest_accepted and not latest_closed and latest.due_on < as_of:
        counts["stale"] += 1
    return counts, None if accepted_on is None else (accepted_on - t0).days


def _cut_values(by: str, head: Row[Any]) -> list[str]:
    """The person's cell (or cells, for populations) in the cut; a person with no profile is unknown."""
    profiled = head.sex is not None  # never null in a profile: only the outer join leaves it empty
    if by == "population":
        return list(head.populations) if profiled else ["all"]
    if by == "age_band":
        return [age_band(age_at(head.birth_year, head.birth_month, head.requested_on))]
    return [getattr(head, by) if profiled else "unknown"]


def age_at(birth_year: int | None, birth_month: str | None, day: date) -> int | None:
    """Age on `day` in whole years: from the birth month (YYYY-MM) when the dob was known, the birthday
    counting from the first of that month; else from the birth year, as at the birthday in `day`'s year."""
    if birth_month is not None:
        born = int(birth_month[:4]) * 12 + int(birth_month[5:7]) - 1
        age = (day.year * 12 + day.month - 1 - born) // 12
    elif birth_year is not None:
        age = day.year - birth_year
    else:
        return None
    return age if age >= 0 else None


def age_band(age: int | None) -> str:
    """The band of an age in whole years (unknown when the age is)."""
    if age is None:
        return "unknown"
    return AGE_BANDS[bisect_right(_BAND_STARTS, age)]


def nearest_rank(values: Sequence[int], percent: int) -> int | None:
    """The `percent`th percentile by the nearest-rank method: the value at rank ceil(percent/100 * n)."""
    if not values:
        return None
    rank = -(-percent * len(values) // 100)  # ceiling in integers, free of float rounding
    return sorted(values)[rank - 1]


def _row(key: tuple[Any, ...], cell: dict[str, Any], by: str | None) -> dict[str, Any]:
    month, to_service_id, from_stage, value = key
    counts, head = cell["counts"], cell["head"]
    decided = counts["picked_up"] + counts["gaps"]
    return {
        "month": month,
        "to_service_id": str(UUID(to_service_id)),  # as /services gives it, not as the read model keys it
        "to_service": head.to_service,
        "from_stage": from_stage,
        "to_stage": head.to_stage,
        **({by: value} if by else {}),
        "episodes": counts["episodes"],
        "picked_up": counts["picked_up"],
        "gaps": counts["gaps"],
        "gap_rate": round(counts["gaps"] / decided, 3) if decided else None,
        "censored": counts["censored"],
        "p50_days_to_acceptance": nearest_rank(cell["days"], 50),
        "p90_days_to_acceptance": nearest_rank(cell["days"], 90),
        **{name: counts[name] for name in NEVER_ACCEPTED.values()},
        "stale": counts["stale"],
    }


def _order(item: tuple[tuple[Any, ...], dict[str, Any]], by: str | None) -> tuple[Any, ...]:
    """Month, to-service name, from-stage (none first), then the cut's own order of values."""
    (month, to_service_id, from_stage, value), cell = item
    known = {"age_band": AGE_BANDS, "population": POPULATIONS}.get(by or "", ())
    place = known.index(value) if value in known else len(known)
    return (month, cell["head"].to_service, to_service_id, from_stage is not None, from_stage or "", place, value or "")
