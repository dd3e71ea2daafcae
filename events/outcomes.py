"""Outcome milestones of a person on the cradle-to-career path: what one records, and the rules it must meet.
An outcome is clear (codes, a yes/no and a date), shown to every reader of the person and kept after erasure."""

from __future__ import annotations

from dataclasses import dataclass

from events.dates import check_effective_date
from events.errors import RuleError
from events.vocabulary import OUTCOME_INDICATORS, OUTCOME_SOURCES, check_choice


@dataclass(frozen=True)
class Outcome:
    """One assessment of a milestone: `met` says whether the person reached it (its day is the entry's)."""

    indicator: str
    met: bool
    source: str


def check_outcome(indicator: object, met: object, source: object, effective_on: object) -> None:
    """An indicator and a source from their vocabularies, met true or false, and a date not ahead of tomorrow
    (the one day of slack every effective date has); it may be before identification, as a school record is."""
    check_choice("indicator", indicator, OUTCOME_INDICATORS)
    if not isinstance(met, bool):
        raise RuleError("met must be true or false")
    check_choice("source", source, OUTCOME_SOURCES)
    check_effective_date(effective_on)  # type: ignore[arg-type]
