"""The cradle-to-career path: persons served at each stage on a day, and the stage-to-stage funnel of the
handoff-gap report's episodes (docs/reports.md "The cradle-to-career path")."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, distinct, func, not_, or_, select

from events.vocabulary import CRADLE_TO_CAREER_STAGES, HOMELESSNESS_STAGES
from projections.reports.handoff_gaps import handoff_gaps
from projections.tables import gap_handoffs, person_profiles, services

#: Each stage and the next one on the path (none after the last).
NEXT_STAGE = dict(zip(CRADLE_TO_CAREER_STAGES, (*CRADLE_TO_CAREER_STAGES[1:], None), strict=True))
FUNNEL = ("handed_on", "picked_up", "gaps", "censored")
#: The two kinds of partnership coord serves, by the stages of their services.
PATHS = {"homelessness": HOMELESSNESS_STAGES, "cradle_to_career": CRADLE_TO_CAREER_STAGES}


def pathway(
    connection: Connection, *, first: date, last: date, as_of: date, window_days: int | None = None
) -> list[dict[str, Any]]:
    """One row per cradle-to-career stage, in path order: the persons it serves at the end of `as_of`, and the
    episodes first requested from `first` to `last` that it handed on to the next stage, as the handoff-gap
    report counts them as of `as_of` (`window_days` overrides each receiving service's window)."""
    served = served_per_stage(connection, as_of)
    funnel = {stage: dict.fromkeys(FUNNEL, 0) for stage in CRADLE_TO_CAREER_STAGES}
    for row in handoff_gaps(connection, first=first, last=last, as_of=as_of, window_days=window_days):
        if row["from_stage"] in NEXT_STAGE and row["to_stage"] == NEXT_STAGE[row["from_stage"]]:
            counts = funnel[row["from_stage"]]
            counts["handed_on"] += row["episodes"]
            for name in FUNNEL[1:]:
                counts[name] += row[name]
    return [_row(stage, served[stage], funnel[stage]) for stage in CRADLE_TO_CAREER_STAGES]


def _row(stage: str, served: int, counts: dict[str, int]) -> dict[str, Any]:
    next_stage = NEXT_STAGE[stage]
    if next_stage is None:  # the end of the path: nothing to hand on to
        return {"stage": stage, "served": served, "next_stage": None, **dict.fromkeys(FUNNEL), "pickup_rate": None}
    decided = counts["picked_up"] + counts["gaps"]
    rate = round(counts["picked_up"] / decided, 3) if decided else None
    return {"stage": stage, "served": served, "next_stage": next_stage, **counts, "pickup_rate": rate}


def served_per_stage(connection: Connection, on: date) -> dict[str, int]:
    """Distinct persons per stage with a handoff to a service of that stage accepted on or before `on` and
    not closed by then (accepted, in progress or on hold); persons entered in error and handoffs entered in
    error are in no count. Every stage has its entry, zeros included."""
    h = gap_handoffs.c
    in_error = select(person_profiles.c.person_id).where(person_profiles.c.in_error)
    query = (
        select(services.c.stage, func.count(distinct(h.person_id)))
        .join(services, services.c.id == h.to_service_id)
        .where(
            services.c.stage.in_(CRADLE_TO_CAREER_STAGES),
            not_(h.in_error),
            h.accepted_on <= on,
            or_(h.closed_on.is_(None), h.closed_on > on),
            h.person_id.not_in(in_error),
        )
        .group_by(services.c.stage)
    )
    return {**dict.fromkeys(CRADLE_TO_CAREER_STAGES, 0), **dict(connection.execute(query).all())}


def paths_run(connection: Connection) -> set[str]:
    """The paths (PATHS) the catalogue holds a service of."""
    stages = set(connection.execute(select(services.c.stage).distinct()).scalars())
    return {path for path, path_stages in PATHS.items() if stages & set(path_stages)}
