"""The correction commands: record that an entry of a person's record was entered in error (events/corrections.py)."""

from __future__ import annotations

from uuid import UUID

from coord.service import permissions
from coord.service.application import CoordApplication, _stamp
from coord.service.principal import Principal
from events.dates import today
from events.person import Person
from events.pii import PII


def void_entry(
    app: CoordApplication,
    who: Principal,
    person_id: UUID,
    *,
    voids: int,
    reason: str,
    note: str | None = None,
    expected_version: int | None = None,
) -> Person:
    permissions.require(who, permissions.WRITE)

    def void(person: Person) -> None:
        permissions.require_correction(who, person)
        sealed = PII(note, person.id) if note else None
        person.void_entry(voids=voids, reason=reason, note=sealed, **_stamp(who, today()))

    return app._update(Person, person_id, void, expected_version)
