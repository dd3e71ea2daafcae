"""Handoff gaps per month of first request, to-service and stage pair: how many episodes were picked up
within the window, how long acceptance took, and how the ones never accepted ended (DESIGN.md section 6)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, Text, cast, not_, select

from events.populations import POPULATIONS
from projections.reports.cuts import AGE_BANDS, PERSON_CUT_VALUES, age_at, age_band
from projections.reports.months import month_end, month_of
from projections.reports.suppression import Dimension, Kind, suppress
from projections.tables import gap_handoffs, person_profiles, services

CUTS = ("race_ethnicity", "sex", "age_band", "population")
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
CUT_VALUES = {**PERSON_CUT_VALUES, "population": POPULATIONS}
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
    catalogue = {row.id: row for row in connection.execute(select(services))}
    cells: dict[tuple[Any, ...], dict[str, Any]] = {}
    heads: dict[tuple[Any, ...], Row[Any]] = {}  # each group's to-service
    values = list(CUT_VALUES[by]) if by else []
    extra: set[str] = set()
    for handoffs in _episodes(connection, month_of(first), month_end(last), as_of, by):
        # A handoff to a service the catalogue does not hold is not counted, as if it were not there.
        known = [h for h in handoffs if h[_TO] in catalogue]
        if not known:
            continue
        head = known[0]
        to_service = catalogue[head[_TO]]
        from_service = catalogue.get(head[_FROM])
        group = (month_of(head[_REQUESTED]), head[_TO], from_service.stage if from_service else None)
        heads.setdefault(group, to_service)
        kind, days = _measure(known, as_of, to_service.handoff_window_days if window_days is None else window_days)
        for value in _cut_values(by, head) if by else (None,):
            if by and value not in values:  # a value outside the vocabulary still gets its rows
                extra.add(value)
            cell = cells.get((*group, value))
            if cell is None:
                cell = cells[(*group, value)] = _cell(to_service)
            cell["units"][kind] += 1
            if days is not None:
                cell["days"].append(days)
    values += sorted(extra)
    for group, to_service in heads.items():  # every value of the cut in every group, zeros included
        for value in values:
            cells.setdefault((*group, value), _cell(to_service))
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


def _cell(to_service: Row[Any]) -> dict[str, Any]:
    units: Counter[Kind] = Counter()
    return {"to_service": to_service, "units": units, "days": []}


def _dimensions(by: str, values: Sequence[str]) -> list[Dimension]:
    """How the cut's values share out a group's episodes (see CUT_VALUES)."""
    if by != "population":
        return [Dimension(tuple(values))]
    return [Dimension(HOUSEHOLD_POPULATIONS), *(Dimension((name,), within="all") for name in SUBSET_POPULATIONS)]


#: Where each column is in a row of `_episodes`: read by position, once per handoff.
_EPISODE, _REQUESTED, _DUE, _ACCEPTED, _CLOSED, _CLOSED_AS, _TO, _FROM = range(8)
#: The profile's columns each cut reads, after those.
_PROFILE = {
    None: (),
    "race_ethnicity": (person_profiles.c.race_ethnicity,),
    "sex": (person_profiles.c.sex,),
    "age_band": (person_profiles.c.birth_year, person_profiles.c.birth_month),
    # As text, decoded once per distinct list rather than once per handoff.
    "population": (cast(person_profiles.c.populations, Text),),
}


def _episodes(connection: Connection, start: date, end: date, as_of: date, by: str | None) -> Iterable[list[Row[Any]]]:
    """The live handoffs known at `as_of` of each episode first requested from `start` to `end`, each episode's
    in request order, with the person's profile columns the cut reads.

    The handoffs are read by request date from `start` on, so the work grows with the months asked for, not
    with the whole history: an episode with a handoff known before `start` began before it and is left out.
    """
    h, earlier = gap_handoffs.c, gap_handoffs.alias("earlier").c
    began_before = select(earlier.episode_id).where(
        earlier.episode_id == h.episode_id, not_(earlier.in_error), earlier.requested_on < start
    )
    # A person entered in error was never on the list: none of their episodes counts. (The few such persons
    # are looked up once; the profile is joined only when the cut reads it.)
    listed = h.person_id.not_in(select(person_profiles.c.person_id).where(person_profiles.c.in_error))
    columns = (h.episode_id, h.requested_on, h.due_on, h.accepted_on, h.closed_on, h.closed_as, h.to_service_id)
    query = (
        select(*columns, h.from_service_id, *_PROFILE[by])
        .where(not_(h.in_error), h.requested_on >= start, h.requested_on <= as_of, ~began_before.exists(), listed)
        .order_by(h.requested_on, h.position)
    )
    if by:
        query = query.outerjoin(person_profiles, person_profiles.c.person_id == h.person_id)
    episodes: dict[str, list[Row[Any]]] = {}
    for row in connection.execute(query):
        episodes.setdefault(row[_EPISODE], []).append(row)
    # t0, the first request known, must be in the range too.
    return (handoffs for handoffs in episodes.values() if handoffs[0][_REQUESTED] <= end)


def _measure(handoffs: Sequence[Row[Any]], as_of: date, window: int) -> tuple[Kind, int | None]:
    """The kind of one episode (the counts it adds one to), and its days from t0 to acceptance if it was
    accepted by `as_of`."""
    head, latest = handoffs[0], handoffs[-1]
    t0 = head[_REQUESTED]
    accepted_on = min((h[_ACCEPTED] for h in handoffs if h[_ACCEPTED] and h[_ACCEPTED] <= as_of), default=None)
    if accepted_on is not None and accepted_on <= t0 + timedelta(days=window):
        outcome = "picked_up"
    elif t0 + timedelta(days=window) > as_of:
        outcome = "censored"
    else:
        outcome = "gaps"
    latest_closed = latest[_CLOSED] is not None and latest[_CLOSED] <= as_of
    closed_as = latest[_CLOSED_AS] if accepted_on is None and latest_closed else None
    latest_accepted = latest[_ACCEPTED] is not None and latest[_ACCEPTED] <= as_of
    stale = not latest_accepted and not latest_closed and latest[_DUE] < as_of
    days = None if accepted_on is None else (accepted_on - t0).days
    return _kind(outcome, NEVER_ACCEPTED.get(closed_as or ""), stale), days


@cache
def _kind(outcome: str, never_accepted: str | None, stale: bool) -> Kind:
    return frozenset(name for name in ("episodes", outcome, never_accepted, "stale" if stale else None) if name)


def _cut_values(by: str, head: Row[Any]) -> Sequence[str]:
    """The person's cell (or cells, for populations) in the cut; a person with no profile is unknown (race,
    sex and populations are never null in a profile: only the outer join leaves them empty)."""
    profile = head[_FROM + 1 :]
    if by == "population":
        return _populations(profile[0]) if profile[0] is not None else ("all",)
    if by == "age_band":
        return (age_band(age_at(*profile, head[_REQUESTED])),)
    return (profile[0] if profile[0] is not None else "unknown",)


@lru_cache(maxsize=256)
def _populations(stored: str) -> tuple[str, ...]:
    return tuple(json.loads(stored))


def nearest_rank(values: Sequence[int], percent: int) -> int | None:
    """The `percent`th percentile by the nearest-rank method: the value at rank ceil(percent/100 * n)."""
    if not values:
        return None
    rank = -(-percent * len(values) // 100)  # ceiling in integers, free of float rounding
    return sorted(values)[rank - 1]


def _row(key: tuple[Any, ...], cell: dict[str, Any], by: str | None) -> dict[str, Any]:
    month, to_service_id, from_stage, value = key
    to_service, units = cell["to_service"], cell["units"]
    counts = {name: sum(n for kind, n in units.items() if name in kind) for name in COUNTS}
    decided = counts["picked_up"] + counts["gaps"]
    return {
        "month": month,
        "to_service_id": str(UUID(to_service_id)),  # as /services gives it, not as the read model keys it
        "to_service": to_service.name,
        "from_stage": from_stage,
        "to_stage": to_service.stage,
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
    return (month, cell["to_service"].name, to_service_id, from_stage is not None, from_stage or "", place, value or "")
