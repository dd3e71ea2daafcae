"""The outcome command: record a cradle-to-career milestone of a person (events/outcomes.py). A recorded outcome
is corrected like every other entry, by voiding it (coord/service/corrections.py)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from coord.service import permissions
from coord.service.application import CoordApplication, _stamp
from coord.service.principal import Principal
from events.dates import today
from events.person import Person


def record_outcome(
    app: CoordApplication,
    who: Principal,
    person_id: UUID,
    *,
    indicator: str,
    met: bool,
    source: str,
    effective_on: date,
    expected_version: int | None = None,
) -> Person:
    permissions.require(who, permissions.WRITE)

    def record(person: Person) -> None:
        permissions.require_outcome(who, person, today())
        person.record_outcome(indicator=indicator, met=met, source=source, **_stamp(who, effective_on))

    return app._update(Person, person_id, record, expected_version)
