"""Personal data as one reader sees it: shown where the rights allow (permissions.may_see_pii), decided at
the moment of every read, opened from its sealed form, and written to the access log each time it is shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from uuid import UUID

from coord.service import permissions
from coord.service.access_log import AccessLog
from coord.service.principal import Principal
from events.dates import today
from events.handoff import Handoff
from events.keystore import KeyStore
from events.person import Person
from events.recorders import RowWriter


@dataclass(frozen=True)
class SeenPerson:
    person: Person
    #: The personal data in plaintext, or None where this reader may not see it or it was erased.
    pii: dict[str, str] | None
    #: Whether the person is erased now, also when `person` is a version from before the erasure.
    erased: bool


@dataclass(frozen=True)
class SeenHandoff:
    handoff: Handoff
    #: The note in plaintext, or None where there is none or this reader may not see it.
    note: str | None
    #: The transition's notes (reason_note, outcome_note) in plaintext, those this reader may see.
    notes: dict[str, str | None] = field(default_factory=dict)


#: Set around a command whose answer shows the person it writes to its caller (the HTTP layer's writes): the
#: reader and the purpose. The save then logs that read in the write's own transaction (`answer_rows`).
_ANSWERING: ContextVar[tuple[Principal, str] | None] = ContextVar("answering", default=None)
#: The read logged with the last write in this context: (person id, version, reader, purpose).
_LOGGED: ContextVar[tuple[UUID, int, str, str] | None] = ContextVar("logged_with_write", default=None)


@contextmanager
def answering(who: Principal, purpose: str) -> Iterator[None]:
    """Around a command whose answer shows the person it changes to `who`: the read is logged with the write."""
    token, logged = _ANSWERING.set((who, purpose)), _LOGGED.set(None)
    try:
        yield
    finally:
        _ANSWERING.reset(token)
        _LOGGED.reset(logged)


class Privacy:
    def __init__(self, keystore: KeyStore, access: AccessLog, get_person: Callable[[UUID], Person]) -> None:
        self.keystore, self.access, self._get_person = keystore, access, get_person

    def may_see(self, who: Principal, person: Person) -> bool:
        return permissions.may_see_pii(who, person, today())

    def open(self, person: Person) -> dict[str, str] | None:
        """The person's PII in plaintext; None once their key is erased (even for versions from before)."""
        values: dict[str, str] = {}
        for name, sealed in person.pii.items():
            value = self.keystore.open(sealed)
            if value is None:
                return None
            values[name] = value
        return values

    def see_person(self, who: Principal, person: Person, purpose: str, now: Person | None = None) -> SeenPerson:
        """`now`: the person as they are now, where `person` is an older version (an idempotent replay). The
        older version's fields are shown, but who may see them is decided by today's consents and erasure."""
        now = now or person
        values = self.open(person) if self.may_see(who, now) else None
        if values and _LOGGED.get() != (person.id, person.version, who.id, purpose):
            self.access.record(who, person.id, sorted(values), purpose)
        return SeenPerson(person, values, now.erased)

    def answer_rows(self, aggregate: object) -> list[RowWriter]:
        """The access-log entry to write with this save, when the answer to it will show the person's personal
        data to the caller (`answering`): so a write and the read of its answer are one transaction."""
        answer = _ANSWERING.get()
        if answer is None or not isinstance(aggregate, Person) or not aggregate.pii:
            return []
        who, purpose = answer
        if not self.may_see(who, aggregate) or self.keystore.data_key(aggregate.id) is None:
            return []
        return [self.access.entry_row(who, aggregate.id, sorted(aggregate.pii), purpose)]

    @staticmethod
    def logged_with_write(aggregate: object) -> None:
        """The save of `aggregate` committed with its `answer_rows`: showing it now logs nothing more."""
        answer = _ANSWERING.get()
        if answer is not None and isinstance(aggregate, Person):
            _LOGGED.set((aggregate.id, aggregate.version, answer[0].id, answer[1]))

    def see_persons(self, who: Principal, persons: Sequence[Person], purpose: str) -> list[SeenPerson]:
        """A listing's persons as `see_person` shows each, their reads logged in one transaction."""
        seen = [SeenPerson(p, self.open(p) if self.may_see(who, p) else None, p.erased) for p in persons]
        self.access.record_many(who, [(s.person.id, sorted(s.pii)) for s in seen if s.pii], purpose)
        return seen

    def see_handoff(self, who: Principal, handoff: Handoff, purpose: str) -> SeenHandoff:
        sealed = handoff.sealed_notes()
        if not sealed or not self.may_see(who, self._get_person(handoff.person_id)):
            return SeenHandoff(handoff, None)
        self.access.record(who, handoff.person_id, sorted(f"handoff_{name}" for name in sealed), purpose)
        opened = {name: self.keystore.open(value) for name, value in sealed.items()}
        return SeenHandoff(handoff, opened.pop("note", None), opened)
