"""/persons: the by-name list. Personal data is shown only where the service allows, and every read is logged."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint

from coord.api.http import POST_HEADERS, WRITE_HEADERS, caller, coord, expected_version, idempotent, purpose
from coord.api.outcome_schemas import OutcomeCreateSchema
from coord.api.representations import person_view, render_person, shown_person, tagged
from coord.api.schemas import (
    ConsentCreateSchema,
    ContactSchema,
    CorrectionSchema,
    DuplicateGroupSchema,
    PersonChangedSchema,
    PersonCreateSchema,
    PersonPageSchema,
    PersonPatchSchema,
    PersonQuerySchema,
    PersonSchema,
    PersonTransitionSchema,
)
from coord.service.corrections import void_entry
from coord.service.outcomes import record_outcome
from coord.service.privacy import answering
from events.dates import today
from events.pii import PERSON_PII_FIELDS

blp = Blueprint("persons", __name__, url_prefix="/persons", description="The by-name list")


def _render(person_id: str, version: int) -> dict[str, Any]:
    return render_person(caller(), person_id, version, purpose())


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Separate personal data (sealed in the log) from clear attributes."""
    pii = {name: data.pop(name) for name in PERSON_PII_FIELDS if name in data}
    if isinstance(pii.get("dob"), date):
        pii["dob"] = pii["dob"].isoformat()  # the person derives birth_year and birth month from it
    return data, pii


@blp.route("")
class Persons(MethodView):
    @blp.arguments(PersonQuerySchema, location="query")
    @blp.response(200, PersonPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List persons (filters: status, population, agency), a page at a time"""
        seen, next_after = coord().service.list_persons(caller(), purpose(), **query)
        return {"items": [person_view(p) for p in seen], "next_after": str(next_after) if next_after else None}

    @blp.arguments(PersonCreateSchema)
    @blp.response(201, PersonSchema)
    @blp.doc(parameters=POST_HEADERS)
    @idempotent("person", _render)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Identify a person (adds them to the by-name list as active)"""
        who = caller()
        with answering(who, purpose()):  # the read of the answer is logged with the write
            effective_on = data.pop("effective_on", None) or today()
            agency = data.pop("agency", None)
            attributes, pii = _split(data)
            person = coord().service.identify_person(
                who, attributes=attributes, pii=pii, effective_on=effective_on, agency=agency
            )
            return shown_person(who, person, purpose())


@blp.route("/duplicates")
class Duplicates(MethodView):
    @blp.response(200, DuplicateGroupSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Possible duplicates: persons whose normalised name and date of birth match (admins)"""
        groups = coord().service.possible_duplicates(caller())
        return [{"person_ids": [str(person_id) for person_id in group]} for group in groups]


@blp.route("/<uuid:person_id>")
class PersonResource(MethodView):
    @blp.response(200, PersonSchema)
    def get(self, person_id: UUID) -> dict[str, Any]:
        """One person; the ETag is the record's version"""
        return tagged(person_view(coord().service.read_person(caller(), person_id, purpose())))

    @blp.arguments(PersonPatchSchema)
    @blp.response(200, PersonChangedSchema)
    @blp.doc(parameters=WRITE_HEADERS)
    def patch(self, data: dict[str, Any], person_id: UUID) -> dict[str, Any]:
        """Change attributes or personal data (may move the person into or out of populations)"""
        who = caller()
        with answering(who, purpose()):  # the read of the answer is logged with the write
            effective_on = data.pop("effective_on", None) or today()
            attributes, pii = _split(data)
            person, changed = coord().service.change_person(
                who,
                person_id,
                attributes=attributes,
                pii=pii,
                effective_on=effective_on,
                expected_version=expected_version(),
            )
            return {**shown_person(who, person, purpose()), "changed": changed}


@blp.route("/<uuid:person_id>/contacts")
class Contacts(MethodView):
    @blp.arguments(ContactSchema)
    @blp.response(201, PersonSchema)
    @blp.doc(parameters=WRITE_HEADERS + POST_HEADERS)
    @idempotent("person", _render)
    def post(self, data: dict[str, Any], person_id: UUID) -> dict[str, Any]:
        """Record a contact with the person"""
        who = caller()
        with answering(who, purpose()):  # the read of the answer is logged with the write
            person = coord().service.record_contact(
                who,
                person_id,
                effective_on=data.get("effective_on") or today(),
                service_id=data.get("service_id"),
                expected_version=expected_version(),
            )
            return shown_person(who, person, purpose())


@blp.route("/<uuid:person_id>/outcomes")
class Outcomes(MethodView):
    @blp.arguments(OutcomeCreateSchema)
    @blp.response(201, PersonSchema)
    @blp.doc(parameters=WRITE_HEADERS + POST_HEADERS)
    @idempotent("person", _render)
    def post(self, data: dict[str, Any], person_id: UUID) -> dict[str, Any]:
        """Record a cradle-to-career outcome milestone (identifying agency, agencies a consent covers, admins)"""
        who = caller()
        with answering(who, purpose()):  # the read of the answer is logged with the write
            person = record_outcome(coord().service, who, person_id, **data, expected_version=expected_version())
            return shown_person(who, person, purpose())


@blp.route("/<uuid:person_id>/transitions")
class Transitions(MethodView):
    @blp.arguments(PersonTransitionSchema)
    @blp.response(201, PersonSchema)
    @blp.doc(parameters=WRITE_HEADERS + POST_HEADERS)
    @idempotent("person", _render)
    def post(self, data: dict[str, Any], person_id: UUID) -> dict[str, Any]:
        """Move the person to housed, inactive or back to active"""
        who = caller()
        with answering(who, purpose()):  # the read of the answer is logged with the write
            person = coord().service.transition_person(
                who,
                person_id,
                to=data["to"],
                effective_on=data.get("effective_on") or today(),
                reason=data.get("reason"),
                destination=data.get("destination"),
                expected_version=expected_version(),
            )
            return shown_person(who, person, purpose())


@blp.route("/<uuid:person_id>/corrections")
class Corrections(MethodView):
    @blp.arguments(CorrectionSchema)
    @blp.response(201, PersonSchema)
    @blp.doc(parameters=WRITE_HEADERS + POST_HEADERS)
    @idempotent("person", _render)
    def post(self, data: dict[str, Any], person_id: UUID) -> dict[str, Any]:
        """Record that an entry of the person's record was entered in error (identifying agency, admins)"""
        who = caller()
        with answering(who, purpose()):  # the read of the answer is logged with the write
            person = void_entry(coord().service, who, person_id, **data, expected_version=expected_version())
            return shown_person(who, person, purpose())


@blp.route("/<uuid:person_id>/consents")
class Consents(MethodView):
    @blp.arguments(ConsentCreateSchema)
    @blp.response(201, PersonSchema)
    @blp.doc(parameters=WRITE_HEADERS + POST_HEADERS)
    @idempotent("person", _render)
    def post(self, data: dict[str, Any], person_id: UUID) -> dict[str, Any]:
        """Record a consent that lets other agencies see the person's personal data"""
        who = caller()
        with answering(who, purpose()):  # the read of the answer is logged with the write
            person, _consent_id = coord().service.record_consent(
                who,
                person_id,
                agencies=None if data.get("all") else data["agencies"],
                expires_on=data.get("expires_on"),
                effective_on=data.get("effective_on") or today(),
                expected_version=expected_version(),
            )
            return shown_person(who, person, purpose())


@blp.route("/<uuid:person_id>/consents/<string:consent_id>")
class ConsentResource(MethodView):
    @blp.response(200, PersonSchema)
    @blp.doc(parameters=WRITE_HEADERS)
    def delete(self, person_id: UUID, consent_id: str) -> dict[str, Any]:
        """Revoke a consent"""
        who = caller()
        with answering(who, purpose()):  # the read of the answer is logged with the write
            person = coord().service.revoke_consent(
                who, person_id, consent_id, effective_on=today(), expected_version=expected_version()
            )
            return shown_person(who, person, purpose())


@blp.route("/<uuid:person_id>/pii")
class PersonalData(MethodView):
    @blp.response(204)
    def delete(self, person_id: UUID) -> None:
        """Erase the person's personal data (crypto-shredding; counts and history stay). Admins only."""
        coord().service.erase_person(caller(), person_id)
