"""The application service: every command is get -> check who may -> call the aggregate -> save.

Permission and cross-aggregate checks live here; business rules live on the aggregates. A write that
loses an optimistic-concurrency race is retried against the fresh aggregate unless the caller pinned
the version with If-Match.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from coord.errors import ConflictError, ForbiddenError, PreconditionFailedError
from coord.service.access_log import AccessLog
from coord.service.principal import Principal
from events.crypto import MasterKey
from events.dates import today
from events.errors import NotFoundError
from events.handoff import Handoff
from events.person import Person
from events.pii import PII
from events.service import Service
from events.store import EventLog
from projections.audit_chain import AuditChain
from projections.db import Database
from projections.follow import PROJECTED_CHANNEL
from projections.handoff_gaps_projector import handoff_gaps_projector
from projections.list_projector import lists_projector
from projections.list_queries import episode_person
from projections.populations_projector import populations_projector
from projections.runner import CatchUp

A = TypeVar("A", bound=Aggregate)

WRITE_ATTEMPTS = 8


class CoordApplication(EventLog):
    def __init__(
        self, database_url: str, master: MasterKey, previous_masters: Sequence[MasterKey], db: Database
    ) -> None:
        super().__init__(database_url, master, previous_masters)
        self.db = db
        self.access = AccessLog(db)
        lists = lists_projector()
        #: The lists are caught up within each write, so a client reads its own writes in listings.
        self.lists = CatchUp(self, db, [lists])
        #: Every read model: followed in the background (`coord serve` on SQLite, `coord project`).
        self.projections = CatchUp(
            self, db, [lists, populations_projector(), handoff_gaps_projector()], notify=PROJECTED_CHANNEL
        )
        #: Tamper evidence over the stored events, extended like a projection but never rebuilt.
        self.audit_chain = AuditChain(self, db)
        #: Bulk loaders turn this off and catch the read models up once at the end.
        self.project_on_write = True
        #: Called after every write, e.g. to wake the projector of this process.
        self.after_write: list[Callable[[], Any]] = []

    # -- loading and saving ---------------------------------------------------------------------

    def _get(self, cls: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        try:
            aggregate = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFoundError(f"no {cls.__name__.lower()} with id {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"no {cls.__name__.lower()} with id {aggregate_id}")
        return aggregate

    def _update(
        self, cls: type[A], aggregate_id: UUID, command: Callable[[A], None], expected_version: int | None
    ) -> A:
        for attempt in range(WRITE_ATTEMPTS):
            # On SQLite the whole read-decide-write runs under the process's write lock, so it never
            # loses a race; on PostgreSQL the lock is a no-op and a lost race is retried.
            with self.db.write_lock:
                aggregate = self._get(cls, aggregate_id)
                if expected_version is not None and aggregate.version != expected_version:
                    raise PreconditionFailedError(
                        f"{cls.__name__.lower()} is at version {aggregate.version}, not {expected_version}"
                    )
                command(aggregate)
                try:
                    self._save(aggregate)
                except IntegrityError:
                    if expected_version is not None:
                        raise PreconditionFailedError(
                            f"{cls.__name__.lower()} changed while this write was made; read it again"
                        ) from None
                else:
                    return aggregate
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
        raise ConflictError("the record is being changed by others right now; try again")

    def _save(self, *aggregates: Aggregate) -> None:
        with self.db.write_lock:
            self.save(*aggregates)
        if self.project_on_write:
            self.lists.run()
            for hook in self.after_write:
                hook()

    def project(self) -> int:
        """Catch every read model and the audit chain up with the log; returns the events read."""
        return self.projections.run() + self.audit_chain.run()

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
        _require_writer(who)
        service = Service.register(
            name=name,
            stage=stage,
            handoff_window_days=handoff_window_days,
            effective_on=effective_on or today(),
            actor=who.id,
            agency=_agency_for(who, agency),
        )
        self._save(service)
        return service

    def get_service(self, service_id: UUID, version: int | None = None) -> Service:
        return self._get(Service, service_id, version)

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
        _require_writer(who)
        person_id = uuid4()
        acting = _agency_for(who, agency)
        with self.db.write_lock:
            self.keystore.create(person_id)
        person = Person.identify(
            id=person_id,
            attributes=attributes,
            pii={name: PII(value, person_id) for name, value in pii.items()},
            effective_on=effective_on,
            actor=who.id,
            agency=acting,
        )
        self._save(person)
        self._index(person_id, acting, pii)
        return person

    def get_person(self, person_id: UUID, version: int | None = None) -> Person:
        return self._get(Person, person_id, version)

    def record_contact(
        self,
        who: Principal,
        person_id: UUID,
        *,
        effective_on: date,
        service_id: UUID | None = None,
        expected_version: int | None = None,
    ) -> Person:
        _require_writer(who)
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
        _require_writer(who)
        return self._update(
            Person,
            person_id,
            lambda p: p.transition(to=to, reason=reason, destination=destination, **_stamp(who, effective_on)),
            expected_version,
        )

    def change_person(
        self,
        who: Principal,
        person_id: UUID,
        *,
        attributes: Mapping[str, Any],
        pii: Mapping[str, str],
        effective_on: date,
        expected_version: int | None = None,
    ) -> Person:
        _require_writer(who)

        def change(person: Person) -> None:
            # An erased person's record refuses personal data outright (the aggregate says why).
            if pii and not person.erased and not self.may_see_pii(who, person):
                raise ForbiddenError("only agencies that may see this person's personal data may change it")
            sealed = {name: PII(value, person.id) for name, value in pii.items()}
            person.change_attributes(attributes=attributes, pii=sealed, **_stamp(who, effective_on))

        person = self._update(Person, person_id, change, expected_version)
        if pii.keys() & {"first_name", "last_name", "dob"}:
            self._index(person.id, person.agency, self.open_pii(person) or {})
        return person

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
        consent_id = uuid4().hex

        def record(person: Person) -> None:
            self._require_owner(who, person, "record consent")
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
        def revoke(person: Person) -> None:
            self._require_owner(who, person, "revoke consent")
            person.revoke_consent(consent_id=consent_id, **_stamp(who, effective_on))

        return self._update(Person, person_id, revoke, expected_version)

    def erase_person(self, who: Principal, person_id: UUID) -> Person:
        """Crypto-shred: the key goes first, so a failure in between can only leave PII unreadable."""
        if who.role != "admin":
            raise ForbiddenError("only an admin may erase a person's personal data")
        self.get_person(person_id)
        with self.db.write_lock:
            self.keystore.erase(person_id)
        return self._update(Person, person_id, lambda p: p.erase(**_stamp(who, today())), None)

    def _require_owner(self, who: Principal, person: Person, action: str) -> None:
        _require_writer(who)
        if who.role != "admin" and who.agency != person.agency:
            raise ForbiddenError(f"only the identifying agency or an admin may {action} for this person")

    def _index(self, person_id: UUID, agency: str, pii: Mapping[str, str | None]) -> None:
        first, last, dob = (pii.get(name) for name in ("first_name", "last_name", "dob"))
        if first and last and dob:
            with self.db.write_lock:
                self.keystore.index_person(person_id, agency, first, last, dob)

    # -- personal data --------------------------------------------------------------------------

    def may_see_pii(self, who: Principal, person: Person) -> bool:
        if person.erased or who.role in ("backbone", "auditor"):
            return False
        return who.role == "admin" or (who.agency is not None and person.can_see_pii(who.agency, today()))

    def open_pii(self, person: Person) -> dict[str, str] | None:
        """The person's PII in plaintext; None once their key is erased (even for versions from before)."""
        values: dict[str, str] = {}
        for name, sealed in person.pii.items():
            value = self.keystore.open(sealed)
            if value is None:
                return None
            values[name] = value
        return values

    def reveal_person(self, who: Principal, person: Person, purpose: str) -> dict[str, str] | None:
        """The person's PII for this reader, logged; None when the reader may not see it."""
        if not self.may_see_pii(who, person):
            return None
        values = self.open_pii(person)
        if values:
            self.access.record(who, person.id, sorted(values), purpose)
        return values

    def reveal_note(self, who: Principal, handoff: Handoff, purpose: str) -> str | None:
        if handoff.note is None or not self.may_see_pii(who, self.get_person(handoff.person_id)):
            return None
        self.access.record(who, handoff.person_id, ["handoff_note"], purpose)
        return self.keystore.open(handoff.note)

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
        _require_writer(who)
        person = self.get_person(person_id)
        to_service = self.get_service(to_service_id)
        if from_service_id is not None:
            from_service = self.get_service(from_service_id)
            if who.role != "admin" and from_service.agency != who.agency:
                raise ForbiddenError("a case manager may only hand off from a service of their own agency")
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
        if owner is None:
            raise NotFoundError(f"no handoff episode with id {episode_id}")
        if owner != person_id:
            raise ForbiddenError("a handoff episode continues for the same person only")

    def get_handoff(self, handoff_id: UUID, version: int | None = None) -> Handoff:
        return self._get(Handoff, handoff_id, version)

    def transition_handoff(
        self,
        who: Principal,
        handoff_id: UUID,
        *,
        to: str,
        effective_on: date,
        reason: str | None = None,
        outcome: str | None = None,
        expected_version: int | None = None,
    ) -> Handoff:
        _require_writer(who)

        def move(handoff: Handoff) -> None:
            self._require_handoff_party(who, handoff, to)
            handoff.transition(to=to, reason=reason, outcome=outcome, **_stamp(who, effective_on))

        return self._update(Handoff, handoff_id, move, expected_version)

    def _require_handoff_party(self, who: Principal, handoff: Handoff, to: str) -> None:
        if who.role == "admin":
            return
        receiving = self.get_service(handoff.to_service_id).agency
        sending = self.get_service(handoff.from_service_id).agency if handoff.from_service_id else handoff.agency
        # The receiving agency answers the request; either side may withdraw it or strike it out.
        allowed = {receiving, sending} if to in ("cancelled", "entered_in_error") else {receiving}
        if who.agency not in allowed:
            raise ForbiddenError(f"agency {who.agency!r} may not move this handoff to {to!r}")


def _require_writer(who: Principal) -> None:
    if not who.writes:
        raise ForbiddenError(f"the {who.role} role cannot write")


def _agency_for(who: Principal, agency: str | None) -> str:
    """Case managers act for their own agency; admins may name the agency they act for."""
    if who.role == "admin" and agency:
        return agency
    if agency and agency != who.agency:
        raise ForbiddenError("a case manager acts for their own agency only")
    return who.acting_agency


def _stamp(who: Principal, effective_on: date) -> dict[str, Any]:
    return {"effective_on": effective_on, "actor": who.id, "agency": who.acting_agency}
