"""The application service's reads: services, persons and handoffs, one record or a listing, each as the
reader may see it. Every read asks permissions first; listings come from the list read models."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from coord.service import permissions
from coord.service.access_log import AccessLog
from coord.service.principal import Principal
from coord.service.privacy import Privacy, SeenHandoff, SeenPerson
from coord.service.read_models import ReadModelHost
from events.crypto import MasterKey
from events.dates import today
from events.errors import NotFoundError
from events.handoff import Handoff
from events.person import Person
from events.recorders import RowWriter
from events.service import Service
from projections.db import Database
from projections.list_queries import (
    handoff_ids,
    person_handoff_ids,
    person_ids,
    queue_handoff_ids,
    service_rows,
    worklist_person_ids,
)

A = TypeVar("A", bound=Aggregate)
#: A page of a listing and the id to pass as `after` for the next one (None on the last page).
Page = tuple[list[Any], UUID | None]


class Reads(ReadModelHost):
    def __init__(
        self, database_url: str, master: MasterKey, previous_masters: Sequence[MasterKey], db: Database
    ) -> None:
        super().__init__(database_url, master, previous_masters, db)
        self.access = AccessLog(db)
        self.privacy = Privacy(self.keystore, self.access, self.get_person)

    def _save(self, aggregate: Aggregate, rows: Sequence[RowWriter] = ()) -> None:
        """As the host saves, plus the access-log entry of the answer that will show this write (privacy.py
        `answering`), in the same transaction."""
        answer = self.privacy.answer_rows(aggregate) if self._batches.open is None else []
        super()._save(aggregate, rows=[*rows, *answer])
        if answer:
            self.privacy.logged_with_write(aggregate)

    # -- aggregates as they are, for the service's own commands and the system's (the demo loader) ------

    def _get(self, cls: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        saved = self._batches.saved(aggregate_id) if version is None else None
        if saved is not None:
            if isinstance(saved, cls) and not saved.pending_events:
                return saved
            self._batches.forget(aggregate_id)  # a command failed on it halfway: read it as stored
            self._flush()
        try:
            aggregate = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFoundError(f"no {cls.__name__.lower()} with id {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"no {cls.__name__.lower()} with id {aggregate_id}")
        return aggregate

    def get_service(self, service_id: UUID, version: int | None = None) -> Service:
        return self._get(Service, service_id, version)

    def get_person(self, person_id: UUID, version: int | None = None) -> Person:
        return self._get(Person, person_id, version)

    def get_handoff(self, handoff_id: UUID, version: int | None = None) -> Handoff:
        return self._get(Handoff, handoff_id, version)

    def get_persons(self, person_ids: Sequence[UUID]) -> list[Person]:
        """The persons of a listing. One query learns each one's newest version: a person cached at it is
        handed out as the library's cache would (a copy), without the query per person that its fast-forward
        makes; any other is read as `get_person` reads it."""
        latest = self.recorder.latest_versions(person_ids) if person_ids else {}
        return [self._current_in_cache(i, latest.get(i)) or self.get_person(i) for i in person_ids]

    def _current_in_cache(self, person_id: UUID, version: int | None) -> Person | None:
        if version is None or self.repository.cache is None or self._batches.saved(person_id) is not None:
            return None
        try:
            cached = self.repository.cache.get(person_id)
        except KeyError:
            return None
        return deepcopy(cached) if isinstance(cached, Person) and cached.version == version else None

    # -- reads on behalf of a caller ----------------------------------------------------------------

    def list_services(self, who: Principal, *, stage: str | None = None, agency: str | None = None) -> list[dict]:
        permissions.require(who, permissions.READ)
        self.lists_current()
        return service_rows(self.db, stage=stage, agency=agency)

    def read_service(self, who: Principal, service_id: UUID, version: int | None = None) -> Service:
        permissions.require(who, permissions.READ)
        return self.get_service(service_id, version)

    def list_persons(self, who: Principal, purpose: str, *, limit: int, **filters: Any) -> Page:
        """Filters: status, population, agency, after (the last id of the previous page)."""
        permissions.require(who, permissions.READ)
        self.lists_current()
        ids = person_ids(self.db, limit=limit, **filters)
        items = self.privacy.see_persons(who, self.get_persons(ids), purpose)
        return items, _next_after(ids, limit)

    def read_person(self, who: Principal, person_id: UUID, purpose: str, version: int | None = None) -> SeenPerson:
        """`version`: an older version, e.g. to answer an idempotent replay. Its fields as they were, but
        whether this reader may see its personal data is decided now: a consent revoked or an erasure since
        hides it (issue 11)."""
        permissions.require(who, permissions.READ)
        now = self.get_person(person_id)
        person = now if version is None or version == now.version else self.get_person(person_id, version)
        return self.privacy.see_person(who, person, purpose, now)

    def possible_duplicates(self, who: Principal) -> list[list[UUID]]:
        """Persons whose normalised name and date of birth match, found by the blind index without decrypting."""
        permissions.require(who, permissions.FIND_DUPLICATES)
        return self.keystore.duplicate_groups()

    def worklist(self, who: Principal, purpose: str, *, limit: int, **filters: Any) -> Page:
        """The list for case conferencing: longest on the list first. Filters: status, population, agency,
        seen_before (last contact before that day), after."""
        permissions.require(who, permissions.READ)
        self.lists_current()
        ids = worklist_person_ids(self.db, limit=limit, **filters)
        items = self.privacy.see_persons(who, self.get_persons(ids), purpose)
        return items, _next_after(ids, limit)

    def possible_matches(
        self, who: Principal, purpose: str, *, first_name: str, last_name: str, dob: str
    ) -> list[SeenPerson]:
        """Find before you add: persons already on the list under this name and dob (the blind index, without
        decrypting), each as this reader may see them. Asked by those who identify persons."""
        permissions.require(who, permissions.WRITE)
        found = self.keystore.matching(first_name, last_name, dob)
        return self.privacy.see_persons(who, self.get_persons(found), purpose)

    def person_history(self, who: Principal, person_id: UUID) -> list[Any]:
        """The person's events in log order. Personal data in them stays sealed: the history names what
        changed, never the values."""
        permissions.require(who, permissions.READ)
        self.get_person(person_id)
        return list(self.events.get(person_id))

    def handoff_queue(self, who: Principal, purpose: str, *, incoming: bool) -> list[SeenHandoff]:
        """The handoffs to (incoming: open ones, overdue first) or from (outgoing) the reader's agency's
        services; an admin's are every agency's."""
        permissions.require(who, permissions.READ)
        if who.role != permissions.ADMIN and who.agency is None:
            return []  # a role bound to no agency has no services, so no queue
        agency = None if who.role == permissions.ADMIN else who.agency
        self.lists_current()
        ids = queue_handoff_ids(self.db, incoming=incoming, agency=agency, on=today())
        return [self.privacy.see_handoff(who, self.get_handoff(i), purpose) for i in ids]

    def person_handoffs(self, who: Principal, person_id: UUID, purpose: str) -> list[SeenHandoff]:
        """The person's handoffs, the latest requested first."""
        permissions.require(who, permissions.READ)
        self.lists_current()
        return [
            self.privacy.see_handoff(who, self.get_handoff(i), purpose) for i in person_handoff_ids(self.db, person_id)
        ]

    def list_handoffs(self, who: Principal, purpose: str, *, limit: int, **filters: Any) -> Page:
        """Filters: status, to_service, overdue (past due today, still unanswered), after."""
        permissions.require(who, permissions.READ)
        self.lists_current()
        ids = handoff_ids(self.db, on=today(), limit=limit, **filters)
        items = [self.privacy.see_handoff(who, self.get_handoff(i), purpose) for i in ids]
        return items, _next_after(ids, limit)

    def read_handoff(self, who: Principal, handoff_id: UUID, purpose: str, version: int | None = None) -> SeenHandoff:
        permissions.require(who, permissions.READ)
        return self.privacy.see_handoff(who, self.get_handoff(handoff_id, version), purpose)


def _next_after(ids: list[UUID], limit: int) -> UUID | None:
    return ids[-1] if len(ids) == limit else None
