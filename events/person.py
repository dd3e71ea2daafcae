"""A person on the by-name list: Built for Zero status machine, clear attributes, sealed PII and consents.
Commands check every rule, then call one @event method that only mutates state (replay never re-checks).
Which event may follow which status is the table in events/person_vocabulary.py."""

from collections.abc import Mapping
from datetime import date
from typing import Any, Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from events.attributes import (
    DEFAULT_ATTRIBUTES,
    PERSON_ATTRIBUTES,
    TIMELINE_ATTRIBUTES,
    Statement,
    add_statements,
    check_pii,
    check_required,
    clean_attributes,
    from_dob,
    in_force,
)
from events.consents import check_new_consent, check_revocation, covers, new_consent
from events.corrections import CORRECTION_REASONS, STATUS_FIELDS, Entry, check_void, row_after, undo
from events.dates import check_effective_date, today
from events.errors import DateRuleError, ErasedError, RuleError, TransitionError
from events.outcomes import Outcome, check_outcome
from events.person_vocabulary import PERSON_EVENTS, check_move
from events.pii import PII
from events.populations import populations_of
from events.stamp import Stamp
from events.vocabulary import (
    DECEASED,
    INACTIVE_REASONS,
    PERSON_STATUSES,
    check_choice,
    check_destination,
    move_from,
    moves_to,
)


class Person(Aggregate):
    """One person on the by-name list."""

    @classmethod
    def identify(
        cls, *, id: UUID, attributes: Mapping[str, Any], pii: Mapping[str, PII], **stamp: Unpack[Stamp]
    ) -> "Person":
        check_required(attributes)
        check_pii(pii, id)
        clean = from_dob(clean_attributes({**DEFAULT_ATTRIBUTES, **attributes}), pii, None)
        check_effective_date(stamp["effective_on"])
        return cls._create(cls.Identified, id=id, attributes=clean, pii=dict(pii), **stamp)

    @event("Identified")
    def __init__(
        self, *, attributes: dict[str, Any], pii: dict[str, PII], effective_on: date, actor: str, agency: str
    ) -> None:
        self.agency = agency
        self.status = PERSON_EVENTS["Identified"].leads_to
        self.identified_on = self.last_contact_on = self.last_transition_on = effective_on
        self.inactive_reason: str | None = None
        self.destination: int | None = None
        #: Every statement of each attribute's value, in log order (docs/design.md "Vocabularies").
        self.attribute_statements: dict[str, list[Statement]] = {}
        self.state(attributes, effective_on, identification=True)
        self.pii = dict(pii)
        #: Entries still in force by version, and what voiding one needs (events/corrections.py).
        self.entries = {1: Entry("Identified", effective_on, (attributes, dict(pii)))}
        self.voided: set[int] = set()
        self.consents: dict[str, dict[str, Any]] = {}
        self.erased = False

    def __deepcopy__(self, memo: dict[int, Any]) -> "Person":
        """The copy the library's cache hands out for every read and command (so a command never changes the
        cached person), made in microseconds instead of a deep walk: the containers a command changes in place
        are new, two levels deep (the consents' dicts, each attribute's statements); what they hold (entries,
        statements, sealed PII, dates, ids, the events) is never changed in place, so copies share it."""
        copied = object.__new__(type(self))
        copied.__dict__ = {name: _two_levels(value) for name, value in self.__dict__.items()}
        return copied

    @property
    def attributes(self) -> dict[str, Any]:
        """The attributes in force today: a change dated tomorrow is not current until tomorrow."""
        return self.attributes_on(today())

    @property
    def populations(self) -> set[str]:
        return populations_of(self.attributes)

    def attributes_on(self, day: date) -> dict[str, Any]:
        """The attributes in force on `day`; before identification, identification's own."""
        day = max(day, self.identified_on)
        return {name: in_force(self.attribute_statements.get(name, ()), day) for name in TIMELINE_ATTRIBUTES}

    def can_see_pii(self, agency_code: str, on: date) -> bool:
        """The identifying agency sees the person's PII, and so does any agency a consent covers on `on`."""
        return agency_code == self.agency or covers(self.consents.values(), agency_code, on)

    # Contacts

    def record_contact(self, *, service_id: UUID | None = None, effective_on: date, actor: str, agency: str) -> None:
        if service_id is not None and not isinstance(service_id, UUID):
            raise RuleError("service_id must be a UUID")
        self._check_after_identification(effective_on)
        self._contact_recorded(service_id=service_id, effective_on=effective_on, actor=actor, agency=agency)

    @event("ContactRecorded")
    def _contact_recorded(self, *, service_id: UUID | None, effective_on: date, actor: str, agency: str) -> None:
        # A back-dated contact must not make the person look less recently seen.
        self.last_contact_on = max(self.last_contact_on, effective_on)
        self.entries[self.version + 1] = Entry("ContactRecorded", effective_on)

    # Outcome milestones

    def record_outcome(self, *, indicator: str, met: bool, source: str, **stamp: Unpack[Stamp]) -> None:
        check_outcome(indicator, met, source, stamp["effective_on"])
        self._outcome_recorded(indicator=indicator, met=met, source=source, **stamp)

    @event("OutcomeRecorded")
    def _outcome_recorded(
        self, *, indicator: str, met: bool, source: str, effective_on: date, actor: str, agency: str
    ) -> None:
        self.entries[self.version + 1] = Entry("OutcomeRecorded", effective_on, Outcome(indicator, met, source))

    @property
    def outcomes(self) -> dict[int, Entry]:
        """The outcomes in force (not voided), by version, in log order; each entry's data is its Outcome."""
        return {version: e for version, e in sorted(self.entries.items()) if e.kind == "OutcomeRecorded"}

    # Status transitions

    def transition(
        self, *, to: str, reason: str | None = None, destination: int | None = None, **stamp: Unpack[Stamp]
    ) -> None:
        """The API's single entry point: move to status `to` by the one event that leads there from here."""
        check_choice("to", to, PERSON_STATUSES)
        if to == self.status:
            raise TransitionError(f"person is already '{to}'")
        # With no event leading there from here, the first one leading there refuses: its command checks the
        # state before its arguments, so a refused transition answers with the TransitionError.
        name = move_from(PERSON_EVENTS, self.status, to) or moves_to(PERSON_EVENTS, to)[0]
        who: dict[str, Any] = dict(stamp)
        if name == "Housed":
            self.house(**{**who, "destination": destination})
        elif name == "MarkedInactive":
            self.mark_inactive(**{**who, "reason": reason})
        elif name == "EnteredInError":
            self.enter_in_error(**{**who, "reason": reason})
        elif name == "ReturnedFromHousing":
            self.return_from_housing(**who)
        else:
            self.return_from_inactive(**who)

    def house(self, *, destination: int, effective_on: date, actor: str, agency: str) -> None:
        self._check_transition("Housed", effective_on)
        check_destination(destination)
        self._housed(destination=destination, effective_on=effective_on, actor=actor, agency=agency)

    @event("Housed")
    def _housed(self, *, destination: int, effective_on: date, actor: str, agency: str) -> None:
        self._move("Housed", effective_on)
        self.destination = destination

    def mark_inactive(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._check_transition("MarkedInactive", effective_on)
        if reason is None:
            raise RuleError("a reason is required to mark a person inactive")
        check_choice("reason", reason, INACTIVE_REASONS)
        self._marked_inactive(reason=reason, effective_on=effective_on, actor=actor, agency=agency)

    @event("MarkedInactive")
    def _marked_inactive(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._move("MarkedInactive", effective_on)
        self.inactive_reason = reason

    def return_from_housing(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._check_transition("ReturnedFromHousing", effective_on)
        self._returned_from_housing(effective_on=effective_on, actor=actor, agency=agency)

    @event("ReturnedFromHousing")
    def _returned_from_housing(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._move("ReturnedFromHousing", effective_on)
        self.destination = None

    def return_from_inactive(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._check_transition("ReturnedFromInactive", effective_on)
        if self.inactive_reason == DECEASED:
            raise TransitionError(
                "cannot move person from 'inactive' to 'active': the person was marked inactive as deceased"
            )
        self._returned_from_inactive(effective_on=effective_on, actor=actor, agency=agency)

    @event("ReturnedFromInactive")
    def _returned_from_inactive(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._move("ReturnedFromInactive", effective_on)
        self.inactive_reason = None

    def enter_in_error(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._check_transition("EnteredInError", effective_on)
        check_choice("reason", reason, CORRECTION_REASONS)
        self._entered_in_error(reason=reason, effective_on=effective_on, actor=actor, agency=agency)

    @event("EnteredInError")
    def _entered_in_error(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._move("EnteredInError", effective_on)

    # Attributes and personal data

    def change_attributes(
        self, *, attributes: Mapping[str, Any], pii: Mapping[str, PII], **stamp: Unpack[Stamp]
    ) -> list[str]:
        """Record the statement as made, even when it repeats the value in force (a later back-dated change
        could otherwise make it vanish). Returns the names whose timeline changed: the clear attributes whose
        value from the statement's day changed, and the personal data fields whose value changed."""
        clean = clean_attributes(attributes)
        check_pii(pii, self.id)
        if not clean and not pii:
            raise RuleError("a change must state at least one attribute or personal data field")
        if pii and self.erased:
            raise ErasedError("the person's personal data was erased; no new personal data may be recorded")
        check_effective_date(stamp["effective_on"])
        # A statement changes its attribute's values from its day up to the next statement's, all alike.
        day = max(stamp["effective_on"], self.identified_on)
        before = self.attributes_on(day)
        clean = from_dob(clean, pii, before["birth_month"])
        changed_pii = [name for name, value in pii.items() if self.pii.get(name) != value]
        self._attributes_changed(attributes=clean, pii=dict(pii), **stamp)
        after = self.attributes_on(day)
        return [name for name in PERSON_ATTRIBUTES if before[name] != after[name]] + changed_pii

    @event("AttributesChanged")
    def _attributes_changed(
        self, *, attributes: dict[str, Any], pii: dict[str, PII], effective_on: date, actor: str, agency: str
    ) -> None:
        self.state(attributes, effective_on)
        self.pii.update(pii)
        self.entries[self.version + 1] = Entry("AttributesChanged", effective_on, (attributes, pii))

    def erase(self, *, effective_on: date, actor: str, agency: str) -> None:
        """Crypto-shred the person's PII (the keystore drops the key); erasing again records nothing."""
        check_effective_date(effective_on)
        if not self.erased:
            self._erased(effective_on=effective_on, actor=actor, agency=agency)

    @event("Erased")
    def _erased(self, *, effective_on: date, actor: str, agency: str) -> None:
        self.erased = True
        self.pii = {}

    # Corrections

    def void_entry(self, *, voids: int, reason: str, note: PII | None, **stamp: Unpack[Stamp]) -> None:
        """Record that the entry at version `voids` was entered in error (events/corrections.py)."""
        check_void(self, voids, reason, note)
        check_effective_date(stamp["effective_on"])
        self._entry_voided(voids=voids, reason=reason, note=note, row=row_after(self, voids), **stamp)

    @event("EntryVoided")
    def _entry_voided(
        self, *, voids: int, reason: str, note: PII | None, row: dict, effective_on: date, actor: str, agency: str
    ) -> None:
        undo(self, voids)

    # Consents

    def record_consent(
        self, *, consent_id: str, agencies: list[str] | None, expires_on: date | None, **stamp: Unpack[Stamp]
    ) -> None:
        """Record a consent for `agencies` (None: all agencies) to see the person's PII."""
        check_new_consent(
            self.consents,
            consent_id=consent_id,
            agencies=agencies,
            expires_on=expires_on,
            effective_on=stamp["effective_on"],
        )
        self._consent_recorded(consent_id=consent_id, agencies=agencies, expires_on=expires_on, **stamp)

    @event("ConsentRecorded")
    def _consent_recorded(
        self,
        *,
        consent_id: str,
        agencies: list[str] | None,
        expires_on: date | None,
        effective_on: date,
        actor: str,
        agency: str,
    ) -> None:
        self.consents[consent_id] = new_consent(agencies, expires_on, effective_on)

    def revoke_consent(self, *, consent_id: str, effective_on: date, actor: str, agency: str) -> None:
        check_revocation(self.consents, consent_id, effective_on)
        self._consent_revoked(consent_id=consent_id, effective_on=effective_on, actor=actor, agency=agency)

    @event("ConsentRevoked")
    def _consent_revoked(self, *, consent_id: str, effective_on: date, actor: str, agency: str) -> None:
        self.consents[consent_id]["revoked_on"] = effective_on

    # Rules shared by the commands above

    def _check_transition(self, name: str, effective_on: date) -> None:
        check_move(name, self.status, effective_on, self.last_transition_on)

    def _check_after_identification(self, effective_on: date) -> None:
        check_effective_date(effective_on)
        if effective_on < self.identified_on:
            raise DateRuleError(
                f"this may not be dated before the person was identified on {self.identified_on.isoformat()}"
            )

    def _move(self, name: str, effective_on: date) -> None:
        self.entries[self.version + 1] = Entry(name, effective_on, tuple(getattr(self, f) for f in STATUS_FIELDS))
        self.status = PERSON_EVENTS[name].leads_to
        self.last_transition_on = effective_on

    def state(self, attributes: Mapping[str, Any], effective_on: date, identification: bool = False) -> None:
        add_statements(self.attribute_statements, attributes, effective_on, self.identified_on, identification)


def _two_levels(value: Any) -> Any:
    if type(value) is dict:
        return {key: item.copy() if type(item) in _CONTAINERS else item for key, item in value.items()}
    return value.copy() if type(value) in _CONTAINERS else value


_CONTAINERS = (dict, list, set)
