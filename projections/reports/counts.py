"""Live counts: active persons per population now, uncut or cut by race/ethnicity, sex or age band."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection

from events.populations import POPULATIONS
from projections.reports.cut_units import Spell, by_value, spells, suppress_cut
from projections.reports.flows import active_at


def live_counts(connection: Connection, *, on: date) -> dict[str, int]:
    """Active persons per population at the end of `on` (today, for the live view)."""
    return active_at(connection, on, POPULATIONS)


def live_counts_by(connection: Connection, *, on: date, by: str, suppress_below: int = 11) -> list[dict[str, Any]]:
    """Active persons per population and value of the cut `by` at the end of `on`, small cells suppressed;
    the age band is the age on `on`. One row per population and cut value, in that order.

    A person active now is in one spell, active in some of the populations: that spell is the unit, so the
    populations are suppressed together and none can be worked out from another."""
    found = spells(connection, until=on, populations=POPULATIONS, by=by, band_on=on)
    kinds = by_value(by, found)
    for spell in found:
        kinds[spell.value].append(active_in(spell, on))
    shown = suppress_cut(kinds, POPULATIONS, suppress_below)
    return [
        {
            "population": population,
            by: wide["value"],
            "active": wide[population],
            "suppressed": ["active"] if population in wide["suppressed"] else [],
        }
        for population in POPULATIONS
        for wide in shown
    ]


def active_in(spell: Spell, on: date) -> frozenset[str]:
    """The populations a spell is active in at the end of `on`: the live counts it adds one to."""
    return frozenset(p for p in spell.days if spell.active_after(p, on))
