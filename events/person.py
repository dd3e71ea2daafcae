"""A person on the by-name list: Built for Zero status machine, clear attributes, sealed PII and consents.
Commands check every rule, then call one @event method that only mutates state (replay never re-checks)."""

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from events.dates import check_date, check_not_future, today
from events.errors import DateRuleError, ErasedError, NotFoundError, RuleError, TransitionError
from events.pii import PERSON_PII_FIELDS, PII
from events.populations import populations_of
from events.vocabulary import (
    GENDERS,
    HOUSEHOLD_TYPES,
    INACTIVE_REASONS,
    PERSON_ATTRIBUTES,
    PERSON_STATUSES,
    RACE_ETHNICITY,
    SEXES,
    STAND_ALONE_VALUES,
    VETERAN,
    check_choice,
    check_text,
)

REQUIRED_ATTRIBUTES = ("household_type", "veteran")
DEFAULT_ATTRIBUTES: dict[str, Any] = {
    "birth_year": None,
    "race_ethnicity": ["unknown"],
    "sex": "unknown",
    "gender": None,
    "chronic": False,
    "source": None,
}
SINGLE_CHOICES = {"veteran": VETERAN, "sex": SEXES, "household_type": HOUSEHOLD_TYPES}
LIST_CHOICES = {"race_ethnicity": RACE_ETHNICITY, "gender": GENDERS}


class Person(Aggregate):
    """One person on the by-name list."""

    @classmethod
    def identify(
        cls,
        *,
        id: UUID,
        attributes: Mapping[str, Any],
        pii: Mapping[str, PII],
        effective_on: date,
        actor: str,
        agency: str,
    ) -> "Person":
        missing = [name for name in REQUIRED_ATTRIBUTES if name not in attributes]
        if missing:
            raise RuleError(f"{' and '.join(missing)} must be given to identify a person")
        clean = _clean_attributes({**DEFAULT_ATTRIBUTES, **attributes})
        _check_pii(pii, id)
        check_not_future(effective_on)
        return cls._create(
            cls.Identified,
            id=id,
            attributes=clean,
            pii=dict(pii),
            effective_on=effective_on,
            actor=actor,
            agency=agency,
        )

    @event("Identified")
    def __init__(
        self, *, attributes: dict[str, Any], pii: dict[str, PII], effective_on: date, actor: str, agency: str
    ) -> None:
        self.agency = agency
        self.status = "active"
        self.identified_on = self.last_contact_on = self.last_transition_on = effective_on
        self.inactive_reason: str | None = None
        self.destination: int | None = None
        #: Effective date of each attribute's latest change (none yet: they date from identification).
        self.attributes_changed_on: dict[str, date] = {}
        self._set_attributes(attributes)
        self.pii = dict(pii)
        self.consents: dict[str, dict[str, Any]] = {}
        self.erased = False

    @property
    def attributes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PERSON_ATTRIBUTES}

    @property
    def populations(self) -> set[str]:
        return populations_of(self.attributes)

    def consent_covers(self, agency_code: str, on: date) -> bool:
        """Whether a consent in force on `on` lets `agency_code` see this person's PII."""
        return any(
            consent["recorded_on"] <= on
            and (consent["revoked_on"] is None or on < consent["revoked_on"])
            and (consent["expires_on"] is None or on <= consent["expires_on"])
            and (consent["agencies"] is None or agency_code in consent["agencies"])
            for consent in self.consents.values()
        )

    def can_see_pii(self, agency_code: str, on: date) -> bool:
        return agency_code == self.agency or self.consent_covers(agency_code, on)

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

    # Status transitions

    def transition(
        self,
        *,
        to: str,
        effective_on: date,
        actor: str,
        agency: str,
        reason: str | None = None,
        destination: int | None = None,
    ) -> None:
        """The API's single entry point: move to status `to` by the one command that leads there."""
        check_choice("to", to, PERSON_STATUSES)
        if to == self.status:
            raise TransitionError(f"person is already '{to}'")
        # house() and mark_inactive() check the state before their arguments, so that a refused
        # transition answers with the TransitionError whatever else is missing.
        who: dict[str, Any] = {"effective_on": effective_on, "actor": actor, "agency": agency}
        if to == "housed":
            self.house(**{**who, "destination": destination})
        elif to == "inactive":
            self.mark_inactive(**{**who, "reason": reason})
        elif self.status == "housed":
            self.return_from_housing(**who)
        else:
            self.return_from_inactive(**who)

    def house(self, *, destination: int, effective_on: date, actor: str, agency: str) -> None:
        self._check_transition("active", "housed", effective_on)
        if destination is None:
            raise RuleError("a destination is required to house a person")
        if not isinstance(destination, int) or isinstance(destination, bool) or not 400 <= destination <= 499:
            raise RuleError("destination must be an HMIS permanent destination code from 400 to 499")
        self._housed(destination=destination, effective_on=effective_on, actor=actor, agency=agency)

    @event("Housed")
    def _housed(self, *, destination: int, effective_on: date, actor: str, agency: str) -> None:
        self._move("housed", effective_on)
        self.destination = destination

    def mark_inactive(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._check_transition("active", "inactive", effective_on)
        if reason is None:
            raise RuleError("a reason is required to mark a person inactive")
        check_choice("reason", reason, INACTIVE_REASONS)
        self._marked_inactive(reason=reason, effective_on=effective_on, actor=actor, agency=agency)

    @event("MarkedInactive")
    def _marked_inactive(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._move("inactive", effective_on)
        self.inactive_reason = reason

    def return_from_housing(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._check_transition("housed", "active", effective_on)
        self._returned_from_housing(effective_on=effective_on, actor=actor, agency=agency)

    @event("ReturnedFromHousing")
    def _returned_from_housing(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._move("active", effective_on)
        self.destination = None

    def return_from_inactive(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._check_transition("inactive", "active", effective_on)
        if self.inactive_reason == "deceased":
            raise TransitionError(
                "cannot move person from 'inactive' to 'active': the person was marked inactive as deceased"
            )
        self._returned_from_inactive(effective_on=effective_on, actor=actor, agency=agency)

    @event("ReturnedFromInactive")
    def _returned_from_inactive(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._move("active", effective_on)
        self.inactive_reason = None

    # Attributes and personal data

    def change_attributes(
        self,
        *,
        attributes: Mapping[str, Any],
        pii: Mapping[str, PII],
        effective_on: date,
        actor: str,
        agency: str,
    ) -> None:
        """Record the values that differ from the current ones; nothing at all if none do."""
        clean = _clean_attributes(attributes)
        _check_pii(pii, self.id)
        if pii and self.erased:
            raise ErasedError("the person's personal data was erased; no new personal data may be recorded")
        self._check_after_identification(effective_on)
        changed = {name: value for name, value in clean.items() if getattr(self, name) != value}
        self._check_attribute_dates(changed, effective_on)
        changed_pii = {name: value for name, value in pii.items() if self.pii.get(name) != value}
        if changed or changed_pii:
            self._attributes_changed(
                attributes=changed, pii=changed_pii, effective_on=effective_on, actor=actor, agency=agency
            )

    @event("AttributesChanged")
    def _attributes_changed(
        self, *, attributes: dict[str, Any], pii: dict[str, PII], effective_on: date, actor: str, agency: str
    ) -> None:
        self._set_attributes(attributes)
        self.attributes_changed_on.update(dict.fromkeys(attributes, effective_on))
        self.pii.update(pii)

    def erase(self, *, effective_on: date, actor: str, agency: str) -> None:
        """Crypto-shred the person's PII (the keystore drops the key); erasing again records nothing."""
        check_not_future(effective_on)
        if not self.erased:
            self._erased(effective_on=effective_on, actor=actor, agency=agency)

    @event("Erased")
    def _erased(self, *, effective_on: date, actor: str, agency: str) -> None:
        self.erased = True
        self.pii = {}

    # Consents

    def record_consent(
        self,
        *,
        consent_id: str,
        agencies: list[str] | None,
        expires_on: date | None,
        effective_on: date,
        actor: str,
        agency: str,
    ) -> None:
        """Record a consent for `agencies` (None: all agencies) to see the person's PII."""
        check_text("consent_id", consent_id, 100)
        if consent_id in self.consents:
            raise RuleError("a consent with this consent_id is already recorded")
        if agencies is not None:
            if not isinstance(agencies, list) or not agencies:
                raise RuleError("agencies must be a non-empty list of agency codes, or null for all agencies")
            for code in agencies:
                check_text("each agency code", code, 100)
        check_not_future(effective_on)
        if expires_on is not None:
            check_date(expires_on, "expires_on")
            if expires_on <= effective_on:
                raise DateRuleError("expires_on must be after the date the consent takes effect")
        self._consent_recorded(
            consent_id=consent_id,
            agencies=agencies,
            expires_on=expires_on,
            effective_on=effective_on,
            actor=actor,
            agency=agency,
        )

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
        self.consents[consent_id] = {
            "agencies": None if agencies is None else list(agencies),
            "expires_on": expires_on,
            "recorded_on": effective_on,
            "revoked_on": None,
        }

    def revoke_consent(self, *, consent_id: str, effective_on: date, actor: str, agency: str) -> None:
        consent = self.consents.get(consent_id)
        if consent is None:
            raise NotFoundError("no consent with this consent_id is recorded for the person")
        if consent["revoked_on"] is not None:
            raise TransitionError("consent is 'revoked'; it cannot be revoked again")
        check_not_future(effective_on)
        if effective_on < consent["recorded_on"]:
            raise DateRuleError(
                f"a consent may not be revoked before it was recorded on {consent['recorded_on'].isoformat()}"
            )
        self._consent_revoked(consent_id=consent_id, effective_on=effective_on, actor=actor, agency=agency)

    @event("ConsentRevoked")
    def _consent_revoked(self, *, consent_id: str, effective_on: date, actor: str, agency: str) -> None:
        self.consents[consent_id]["revoked_on"] = effective_on

    # Rules shared by the commands above

    def _check_transition(self, from_status: str, to_status: str, effective_on: date) -> None:
        if self.status != from_status:
            raise TransitionError(
                f"cannot move person from '{self.status}' to '{to_status}': "
                f"only a person who is '{from_status}' can become '{to_status}'"
            )
        check_not_future(effective_on)
        if effective_on < self.last_transition_on:
            raise DateRuleError(
                "a status change may not be dated before the person's latest status transition "
                f"on {self.last_transition_on.isoformat()}"
            )

    def _check_attribute_dates(self, changed: Mapping[str, Any], effective_on: date) -> None:
        """An attribute's changes are dated in the order they are recorded, so the value in force today is
        the latest one recorded: what the person shows, and what reports count by effective date, agree."""
        for name in changed:
            since = self.attributes_changed_on.get(name)
            if since is not None and effective_on < since:
                raise DateRuleError(
                    f"{name} was last changed with effect from {since.isoformat()}; "
                    "a change to it may not be dated before that"
                )

    def _check_after_identification(self, effective_on: date) -> None:
        check_not_future(effective_on)
        if effective_on < self.identified_on:
            raise DateRuleError(
                f"this may not be dated before the person was identified on {self.identified_on.isoformat()}"
            )

    def _move(self, status: str, effective_on: date) -> None:
        self.status = status
        self.last_transition_on = effective_on

    def _set_attributes(self, attributes: Mapping[str, Any]) -> None:
        for name, value in attributes.items():
            # Copy lists so the aggregate never shares mutable state with its events.
            setattr(self, name, list(value) if isinstance(value, list) else value)


def _clean_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate clear attributes; return a copy, so an event never shares a list with its caller."""
    unknown = sorted(set(attributes) - set(PERSON_ATTRIBUTES))
    if unknown:
        raise RuleError(f"unknown attributes {', '.join(unknown)}; allowed: {', '.join(PERSON_ATTRIBUTES)}")
    for name, value in attributes.items():
        if name in SINGLE_CHOICES:
            check_choice(name, value, SINGLE_CHOICES[name])
        elif name in LIST_CHOICES and (value is not None or name == "race_ethnicity"):
            _check_category_list(name, value, LIST_CHOICES[name])
        elif name == "chronic" and not isinstance(value, bool):
            raise RuleError("chronic must be true or false")
        elif name == "birth_year" and value is not None:
            if not isinstance(value, int) or isinstance(value, bool) or not 1900 <= value <= today().year:
                raise RuleError(f"birth_year must be a year from 1900 to {today().year}")
        elif name == "source" and value is not None:
            check_text("source", value, 200)
    return {name: list(value) if isinstance(value, list) else value for name, value in attributes.items()}


def _check_category_list(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, list) or not value:
        raise RuleError(f"{name} must be a non-empty list")
    for item in value:
        check_choice(name, item, allowed)
    if len(set(value)) != len(value):
        raise RuleError(f"{name} must not repeat a value")
    if len(value) > 1 and set(value) & set(STAND_ALONE_VALUES):
        raise RuleError(f"{name} values {' and '.join(STAND_ALONE_VALUES)} must stand alone")


def _check_pii(pii: Mapping[str, PII], subject: UUID) -> None:
    unknown = sorted(set(pii) - set(PERSON_PII_FIELDS))
    if unknown:
        allowed = ", ".join(PERSON_PII_FIELDS)
        raise RuleError(f"unknown personal data fields {', '.join(unknown)}; allowed: {allowed}")
    for name, value in pii.items():
        if not isinstance(value, PII):
            raise RuleError(f"personal data field {name} must be a PII value")
        if value.subject != subject:
            raise RuleError(f"personal data field {name} is bound to another person")
