"""Request and response shapes (marshmallow). Rules about meaning live on the aggregates, not here; the limits
both sides check are read from the constants the aggregates check them with."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from events.agencies import AGENCY_CODE, AGENCY_RULE
from events.attributes import FIRST_BIRTH_YEAR, SOURCE_PATTERN, SOURCE_RULE, last_birth_year
from events.corrections import CORRECTION_REASONS
from events.handoff_vocabulary import OUTCOMES, REASONS, TEXT_LENGTH, TRANSITION_TARGETS
from events.populations import POPULATIONS
from events.service import DEFAULT_HANDOFF_WINDOW_DAYS, HANDOFF_WINDOW_DAYS, NAME_LENGTH
from events.vocabulary import (
    GENDERS,
    HANDOFF_PRIORITIES,
    HANDOFF_STATUSES,
    HOUSEHOLD_TYPES,
    INACTIVE_REASONS,
    PERMANENT_DESTINATIONS,
    PERSON_STATUSES,
    RACE_ETHNICITY,
    SEXES,
    STAGES,
    VETERAN,
)

AGENCY = validate.Regexp(AGENCY_CODE, error=AGENCY_RULE)

#: Text no store can keep: an unpaired surrogate has no UTF-8 encoding (events, sealed personal data) and
#: PostgreSQL's text columns refuse NUL (a read model would never catch up past it).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
STORABLE_RULE = "text may not hold NUL characters or unpaired surrogates"


def _unstorable(value: object) -> bool:
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, Mapping):
        return any(_unstorable(name) or _unstorable(item) for name, item in value.items())
    if isinstance(value, list):
        return any(_unstorable(item) for item in value)
    return False


class RequestSchema(Schema):
    """Every request's shape: whatever the field, its text must be storable (a 422 naming the field, before
    anything is written), so no field can forget it."""

    @pre_load
    def _storable_text(self, data: Any, **_kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            refused = {str(name): [STORABLE_RULE] for name, value in data.items() if _unstorable({name: value})}
            if refused:
                raise ValidationError(refused)
        return data


def _text(maximum: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=maximum), **kwargs)


def _within(codes: range) -> validate.Range:
    return validate.Range(min=codes[0], max=codes[-1])


def _born_by_now(year: int) -> None:
    """The latest birth year moves with the calendar, so it is checked at each request, not fixed in the schema."""
    if year > last_birth_year():
        raise ValidationError(f"Must be less than or equal to {last_birth_year()}.")


class PersonalDataSchema(RequestSchema):
    first_name = _text(100)
    last_name = _text(100)
    dob = fields.Date(metadata={"description": "date of birth (personal data; birth_year is derived from it)"})
    ssn_last4 = fields.String(validate=validate.Regexp(r"^[0-9]{4}$", error="four digits"))
    phone = _text(40)
    email = fields.Email(validate=validate.Length(max=254))
    notes = _text(5000)


class AttributesSchema(RequestSchema):
    birth_year = fields.Integer(
        validate=[validate.Range(min=FIRST_BIRTH_YEAR), _born_by_now],
        metadata={"description": f"from {FIRST_BIRTH_YEAR} to the current year"},
    )
    race_ethnicity = fields.List(
        fields.String(validate=validate.OneOf(RACE_ETHNICITY)), validate=validate.Length(min=1)
    )
    sex = fields.String(validate=validate.OneOf(SEXES))
    gender = fields.List(fields.String(validate=validate.OneOf(GENDERS)), allow_none=True)
    veteran = fields.String(validate=validate.OneOf(VETERAN))
    chronic = fields.Boolean()
    household_type = fields.String(validate=validate.OneOf(HOUSEHOLD_TYPES))
    source = fields.String(
        validate=validate.Regexp(SOURCE_PATTERN, error=SOURCE_RULE),
        metadata={"description": "provenance code, e.g. hmis:export-2024-10; never a person's id (docs/erasure.md)"},
    )


class PersonCreateSchema(PersonalDataSchema, AttributesSchema):
    veteran = fields.String(required=True, validate=validate.OneOf(VETERAN))
    household_type = fields.String(required=True, validate=validate.OneOf(HOUSEHOLD_TYPES))
    effective_on = fields.Date(metadata={"description": "date identified; default today"})
    agency = fields.String(validate=AGENCY, metadata={"description": "identifying agency (admins only)"})


class PersonPatchSchema(PersonalDataSchema, AttributesSchema):
    effective_on = fields.Date()


class ConsentSchema(Schema):
    id = fields.String()
    agencies = fields.List(fields.String(), allow_none=True)
    expires_on = fields.Date(allow_none=True)
    recorded_on = fields.Date()
    revoked_on = fields.Date(allow_none=True)


class OutcomeSchema(Schema):
    version = fields.Integer(metadata={"description": "the entry's version: void it with POST .../corrections"})
    indicator = fields.String()
    met = fields.Boolean()
    effective_on = fields.Date()
    source = fields.String()


class PersonSchema(Schema):
    id = fields.String()
    version = fields.Integer()
    agency = fields.String()
    status = fields.String()
    identified_on = fields.Date()
    last_contact_on = fields.Date()
    last_transition_on = fields.Date()
    inactive_reason = fields.String(allow_none=True)
    destination = fields.Integer(allow_none=True)
    populations = fields.List(fields.String())
    birth_year = fields.Integer(allow_none=True)
    race_ethnicity = fields.List(fields.String())
    sex = fields.String()
    gender = fields.List(fields.String(), allow_none=True)
    veteran = fields.String()
    chronic = fields.Boolean()
    household_type = fields.String()
    source = fields.String(allow_none=True)
    erased = fields.Boolean()
    pii_visible = fields.Boolean(metadata={"description": "false: personal data fields show as [redacted]"})
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    dob = fields.String(allow_none=True)
    ssn_last4 = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    consents = fields.List(fields.Nested(ConsentSchema))
    outcomes = fields.List(fields.Nested(OutcomeSchema), metadata={"description": "outcomes in force, oldest first"})


class PersonChangedSchema(PersonSchema):
    changed = fields.List(
        fields.String(),
        metadata={"description": "the attributes whose timeline the change altered (empty when it altered none)"},
    )


class PersonPageSchema(Schema):
    items = fields.List(fields.Nested(PersonSchema))
    next_after = fields.String(allow_none=True, metadata={"description": "pass as ?after= for the next page"})


class PersonQuerySchema(RequestSchema):
    status = fields.String(validate=validate.OneOf(PERSON_STATUSES))
    population = fields.String(validate=validate.OneOf(POPULATIONS))
    agency = fields.String(validate=AGENCY)
    after = fields.UUID()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ContactSchema(RequestSchema):
    effective_on = fields.Date()
    service_id = fields.UUID()


class PersonTransitionSchema(RequestSchema):
    to = fields.String(required=True, validate=validate.OneOf(PERSON_STATUSES))
    effective_on = fields.Date()
    reason = fields.String(
        validate=validate.OneOf(INACTIVE_REASONS + CORRECTION_REASONS),
        metadata={"description": "inactive: why; entered_in_error: a correction reason"},
    )
    destination = fields.Integer(
        validate=_within(PERMANENT_DESTINATIONS),
        metadata={
            "description": "HMIS 3.12 permanent destination code "
            f"({PERMANENT_DESTINATIONS[0]}-{PERMANENT_DESTINATIONS[-1]})"
        },
    )


class CorrectionSchema(RequestSchema):
    voids = fields.Integer(required=True, metadata={"description": "the version of the entry entered in error"})
    reason = fields.String(required=True, validate=validate.OneOf(CORRECTION_REASONS))
    note = fields.String(validate=validate.Length(min=1, max=TEXT_LENGTH), metadata={"description": "personal data"})


class ConsentCreateSchema(RequestSchema):
    agencies = fields.List(fields.String(validate=AGENCY), validate=validate.Length(min=1, max=100))
    all = fields.Boolean(metadata={"description": "true: every agency of the partnership"})
    expires_on = fields.Date()
    effective_on = fields.Date()

    @validates_schema
    def _one_scope(self, data, **_kwargs):
        if bool(data.get("agencies")) == bool(data.get("all")):
            raise ValidationError("give either agencies or all: true", "agencies")


class DuplicateGroupSchema(Schema):
    person_ids = fields.List(fields.String())


class ServiceCreateSchema(RequestSchema):
    name = _text(NAME_LENGTH, required=True)
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    handoff_window_days = fields.Integer(
        load_default=DEFAULT_HANDOFF_WINDOW_DAYS, validate=_within(HANDOFF_WINDOW_DAYS)
    )
    agency = fields.String(validate=AGENCY, metadata={"description": "the service's agency (admins only)"})


class ServiceSchema(Schema):
    id = fields.String()
    version = fields.Integer()
    name = fields.String()
    agency = fields.String()
    stage = fields.String()
    handoff_window_days = fields.Integer()


class ServiceQuerySchema(RequestSchema):
    stage = fields.String(validate=validate.OneOf(STAGES))
    agency = fields.String(validate=AGENCY)


class HandoffCreateSchema(RequestSchema):
    person_id = fields.UUID(required=True)
    to_service_id = fields.UUID(required=True)
    from_service_id = fields.UUID(allow_none=True)
    episode_id = fields.UUID(metadata={"description": "retry of a rejected handoff: its episode"})
    requested_on = fields.Date(metadata={"description": "default today"})
    due_on = fields.Date(metadata={"description": "default requested_on + the to-service's handoff window"})
    priority = fields.String(load_default="routine", validate=validate.OneOf(HANDOFF_PRIORITIES))
    note = _text(2000, metadata={"description": "personal data: encrypted, shown only where PII may be seen"})


class HandoffTransitionSchema(RequestSchema):
    to = fields.String(required=True, validate=validate.OneOf(TRANSITION_TARGETS))
    effective_on = fields.Date(metadata={"description": "default today; not with entered_in_error"})
    reason = fields.String(
        validate=validate.OneOf(REASONS),
        metadata={"description": "a code (docs/api.md lists which status takes which); no free text"},
    )
    outcome = fields.String(validate=validate.OneOf(OUTCOMES), metadata={"description": "completed: a code"})
    reason_note = _text(
        TEXT_LENGTH, metadata={"description": "personal data: encrypted, shown only where PII may be seen"}
    )
    outcome_note = _text(
        TEXT_LENGTH, metadata={"description": "personal data: encrypted, shown only where PII may be seen"}
    )

    @validates_schema
    def _no_date_for_what_never_was(self, data, **_kwargs):
        # A handoff entered in error never existed (the FHIR meaning): no date could say since when.
        if data.get("to") == "entered_in_error" and "effective_on" in data:
            raise ValidationError("a handoff entered in error never existed: give no effective_on", "effective_on")


class HandoffSchema(Schema):
    id = fields.String()
    version = fields.Integer()
    person_id = fields.String()
    episode_id = fields.String()
    from_service_id = fields.String(allow_none=True)
    to_service_id = fields.String()
    agency = fields.String()
    status = fields.String()
    priority = fields.String()
    requested_on = fields.Date()
    due_on = fields.Date()
    last_transition_on = fields.Date()
    accepted_on = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True)
    reason_note = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    outcome_note = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class HandoffPageSchema(Schema):
    items = fields.List(fields.Nested(HandoffSchema))
    next_after = fields.String(allow_none=True)


class HandoffQuerySchema(RequestSchema):
    status = fields.String(validate=validate.OneOf(HANDOFF_STATUSES))
    to_service = fields.UUID()
    overdue = fields.Boolean()
    after = fields.UUID()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
