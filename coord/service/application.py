"""The application service's commands: each is get -> check who may (permissions.py) -> call the aggregate ->
save. Cross-aggregate checks live here, business rules on the aggregates (docs/design.md "Write flow").

The scheduled jobs' commands are in lapses.py. Changing a record goes through writes.py (a lost
optimistic-concurrency race is retried). Reads, personal data and the read models are the layers below: reads.py,
privacy.py and read_models.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

from coord.errors import ForbiddenError
from coord.service import permissions
from coord.service.lapses import Lapses
from coord.service.principal import Principal
from events.agencies import check_agency
from events.dates import today
from events.errors import NotFoundError
from events.handoff import Handoff
from events.person import Person
from events.pii import PII
from events.recorders import RowWriter
from events.service import Service
from projections.list_queries import episode_person


class CoordApplication(Lapses):
    # -- services -------------------------------------------------------------------------------

    def register_service(
        self,
        who: Principal,
        *,
        name: str,
        stage: str,
        handoff_window_days: int = 14,
        agency: str | None = None,
        effective_on: date | None = None,
    ) -> Service:
        acting = permissions.acting_agency(who, agency)
        service = Service.register(
            name=name,
            stage=stage,
            handoff_window_days=handoff_window_days,
            effective_on=effective_on or today(),
            actor=who.id,
            agency=acting,
        )
        self._save(service)
        return service

    # -- persons --------------------------------------------------------------------------------

    def identify_person(
        self,
        who: Principal,
        *,
        attributes: Mapping[str, Any],
        pii: Mapping[str, str],
        effective_on: date,
        agency: str | None = None,
    ) -> Person:
        acting = permissions.acting_agency(who, agency)
        person_id = uuid4()
        # The person's data key, the events it seals and the blind index commit together.
        with self.keystore.new_key(person_id) as key_row:
            person = Person.identify(
                id=person_id,
                attributes=attributes,
                pii={name: PII(value, person_id) for name, value in pii.items()},
                effective_on=effective_on,
                actor=who.id,
                agency=acting,
            )
            self._save(person, rows=[key_row, *self._index_rows(person_id, acting, pii)])
        return person

    def record_contact(
        self,
        who: Principal,
        person_id: UUID,
        *,
        effective_on: date,
        service_id: UUID | None = None,
        expected_version: int | None = None,
    ) -> Person:
        permissions.require(who, permissions.WRITE)
        if service_id is not None:
            self.get_service(service_id)
        return self._update(
            Person,
            person_id,
            lambda p: p.record_contact(service_id=service_id, **_stamp(who, effective_on)),
            expected_version,
        )

    def transition_person(
        self,
        who: Principal,
        person_id: UUID,
        *,
        to: str,
        effective_on: date,
        reason: str | None = None,
        destination: int | None = None,
        expected_version: int | None = None,
    ) -> Person:
        permissions.require(who, permissions.WRITE)

        def move(person: Person) -> None:
            permissions.require_person_move(who, person, to, reason)
            person.transition(to=to, reason=reason, destination=destination, **_stamp(who, effective_on))

        return self._update(Person, person_id, move, expected_version)

    def change_person(
        self,
        who: Principal,
        person_id: UUID,
        *,
        attributes: Mapping[str, Any],
        pii: Mapping[str, str],
        effective_on: date,
        expected_version: int | None = None,
    ) -> tuple[Person, list[str]]:
        """Record the statement; also returns the names whose timeline it changed (events/person.py)."""
        permissions.require(who, permissions.WRITE)
        changed: list[str] = []

        def change(person: Person) -> None:
            # An erased person's record refuses personal data outright (the aggregate says why).
            if pii and not person.erased:
                permissions.require_pii_change(who, person, today())
            sealed = {name: PII(value, person.id) for name, value in pii.items()}
            # A retried write decides again from the person as then read.
            changed[:] = person.change_attributes(attributes=attributes, pii=sealed, **_stamp(who, effective_on))

        def index(person: Person) -> list[RowWriter]:
            if not pii.keys() & {"first_name", "last_name", "dob"}:
                return []
            return self._index_rows(person.id, person.agency, self.privacy.open(person) or {})

        return self._update(Person, person_id, change, expected_version, rows=index), changed

    def record_consent(
        self,
        who: Principal,
        person_id: UUID,
        *,
        agencies: list[str] | None,
        expires_on: date | None,
        effective_on: date,
        expected_version: int | None = None,
    ) -> tuple[Person, str]:
        permissions.require(who, permissions.WRITE)
        consent_id = uuid4().hex
        for agency in agencies or ():
            check_agency(agency)

        def record(person: Person) -> None:
            permissions.require_identifying_agency(who, person, "record consent")
            person.record_consent(
                consent_id=consent_id, agencies=agencies, expires_on=expires_on, **_stamp(who, effective_on)
            )

        return self._update(Person, person_id, record, expected_version), consent_id

    def revoke_consent(
        self,
        who: Principal,
        person_id: UUID,
        consent_id: str,
        *,
        effective_on: date,
        expected_version: int | None = None,
    ) -> Person:
        permissions.require(who, permissions.WRITE)

        def revoke(person: Person) -> None:
            permissions.require_identifying_agency(who, person, "revoke consent")
            person.revoke_consent(consent_id=consent_id, **_stamp(who, effective_on))

        return self._update(Person, person_id, revoke, expected_version)

    def erase_person(self, who: Principal, person_id: UUID) -> Person:
        """Crypto-shred: the key goes first, so a failure in between can only leave PII unreadable."""
        permissions.require(who, permissions.ERASE)
        self.get_person(person_id)
        with self.db.write_lock:
            self.keystore.erase(person_id)
        return self._update(Person, person_id, lambda p: p.erase(**_stamp(who, today())), None)

    def _index_rows(self, person_id: UUID, agency: str, pii: Mapping[str, str | None]) -> list[RowWriter]:
        """The person's blind-index entry, when their name and dob are all known."""
        first, last, dob = (pii.get(name) for name in ("first_name", "last_name", "dob"))
        return [self.keystore.index_row(person_id, agency, first, last, dob)] if first and last and dob else []

    # -- handoffs -------------------------------------------------------------------------------

    def request_handoff(
        self,
        who: Principal,
        *,
        person_id: UUID,
        to_service_id: UUID,
        from_service_id: UUID | None = None,
        episode_id: UUID | None = None,
        requested_on: date,
        due_on: date | None = None,
        priority: str = "routine",
        note: str | None = None,
    ) -> Handoff:
        permissions.require(who, permissions.WRITE)
        person = self.get_person(person_id)
        to_service = self.get_service(to_service_id)
        from_service = self.get_service(from_service_id) if from_service_id is not None else None
        permissions.require_handoff_request(who, from_service.agency if from_service else None)
        if episode_id is not None:
            self._check_episode(episode_id, person_id)
        handoff = Handoff.request(
            person_id=person.id,
            from_service_id=from_service_id,
            to_service_id=to_service.id,
            episode_id=episode_id,
            requested_on=requested_on,
            due_on=due_on or requested_on + timedelta(days=to_service.handoff_window_days),
            priority=priority,
            note=PII(note, person.id) if note else None,
            **_stamp(who, requested_on),
        )
        self._save(handoff)
        return handoff

    def _check_episode(self, episode_id: UUID, person_id: UUID) -> None:
        owner = episode_person(self.db, episode_id)
        if owner is None:  # an episode's person never changes: only a missing one needs the lists caught up
            self.lists_current()
            owner = episode_person(self.db, episode_id)
        if owner is None:
            raise NotFoundError(f"no handoff episode with id {episode_id}")
        if owner != person_id:
            raise ForbiddenError("a handoff episode continues for the same person only")

    def transition_handoff(
        self,
        who: Principal,
        handoff_id: UUID,
        *,
        to: str,
        effective_on: date,
        reason: str | None = None,
        outcome: str | None = None,
        reason_note: str | None = None,
        outcome_note: str | None = None,
        expected_version: int | None = None,
    ) -> Handoff:
        """`reason_note` and `outcome_note` are personal data: sealed with the person's key, like the request note."""
        permissions.require(who, permissions.WRITE)

        def move(handoff: Handoff) -> None:
            permissions.require_handoff_move(who, handoff, to, lambda service_id: self.get_service(service_id).agency)
            handoff.transition(
                to=to,
                reason=reason,
                outcome=outcome,
                reason_note=PII(reason_note, handoff.person_id) if reason_note else None,
                outcome_note=PII(outcome_note, handoff.person_id) if outcome_note else None,
                **_stamp(who, effective_on),
            )

        return self._update(Handoff, handoff_id, move, expected_version)


def _stamp(who: Principal, effective_on: date) -> dict[str, Any]:
    return {"effective_on": effective_on, "actor": who.id, "agency": who.acting_agency}
