"""The forms of a person's page: each posts one command of the application service, then redirects to the
page with a message (POST-redirect-GET); a refused form shows the page again with the error beside its field
and everything typed kept. Each form is checked by the API's schema for the same command."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import flash, redirect
from marshmallow import Schema

from coord.api.http import coord
from coord.api.persons import _split
from coord.api.schemas import (
    ConsentCreateSchema,
    ContactSchema,
    CorrectionSchema,
    HandoffCreateSchema,
    PersonPatchSchema,
    PersonTransitionSchema,
)
from coord.service.corrections import void_entry
from coord.workspace.persons import LISTS, person_page
from coord.workspace.views import bp, check, given, purpose, refusal, signed_in, typed, version, who
from events.dates import today
from events.errors import DomainError


def _act(
    person_id: UUID,
    form: str,
    schema: Schema,
    command: Callable[[dict[str, Any]], str],
    *,
    lists: tuple[str, ...] = (),
    shape: Callable[[dict[str, Any]], dict[str, Any]] = given,
):
    """Check the form, run the command (which returns the message, or where to go next), redirect; on a
    refusal show the page again with the form's errors and values."""
    values = typed(lists)
    data, errors = check(schema, shape(values))
    status = 422
    if not errors:
        try:
            done = command(data)
        except DomainError as error:
            status, errors = refusal(error, values)
        else:
            if done.startswith("/"):
                return redirect(done, code=303)
            flash(done)
            return redirect(f"/workspace/persons/{person_id}#{form}", code=303)
    seen = coord().service.read_person(who(), person_id, purpose())
    return person_page(seen, status, form=form, errors=errors, values=values)


def _on(data: dict[str, Any]) -> Any:
    return data.get("effective_on") or today()


@bp.post("/persons/<uuid:person_id>/contacts")
@signed_in
def record_contact(person_id: UUID):
    def command(data: dict[str, Any]) -> str:
        coord().service.record_contact(
            who(), person_id, effective_on=_on(data), service_id=data.get("service_id"), expected_version=version()
        )
        return "Contact recorded."

    return _act(person_id, "contact", ContactSchema(), command)


@bp.post("/persons/<uuid:person_id>/moves")
@signed_in
def move_person(person_id: UUID):
    def command(data: dict[str, Any]) -> str:
        person = coord().service.transition_person(
            who(),
            person_id,
            to=data["to"],
            effective_on=_on(data),
            reason=data.get("reason"),
            destination=data.get("destination"),
            expected_version=version(),
        )
        return f"Status recorded: {person.status.replace('_', ' ')}."

    return _act(person_id, "move", PersonTransitionSchema(), command)


@bp.post("/persons/<uuid:person_id>/attributes")
@signed_in
def change(person_id: UUID):
    def command(data: dict[str, Any]) -> str:
        effective_on = _on(data)
        data.pop("effective_on", None)
        attributes, pii = _split(data)
        _person, changed = coord().service.change_person(
            who(), person_id, attributes=attributes, pii=pii, effective_on=effective_on, expected_version=version()
        )
        what = ", ".join(name.replace("_", " ") for name in changed) or "nothing (the values were already in force)"
        return f"Change recorded from {effective_on.isoformat()}; it changed: {what}."

    return _act(person_id, "attributes", PersonPatchSchema(), command, lists=LISTS)


@bp.post("/persons/<uuid:person_id>/corrections")
@signed_in
def correct(person_id: UUID):
    def command(data: dict[str, Any]) -> str:
        void_entry(coord().service, who(), person_id, **data, expected_version=version())
        return f"Correction recorded: entry #{data['voids']} is marked entered in error."

    return _act(person_id, "correction", CorrectionSchema(), command)


def _consent_shape(values: dict[str, Any]) -> dict[str, Any]:
    """The form's scope (every agency, or the codes typed) as the API's request has it."""
    shaped = given({name: values.get(name, "") for name in ("expires_on", "effective_on")})
    if values.get("scope") == "all":
        shaped["all"] = True
    else:
        shaped["agencies"] = [code for code in re.split(r"[\s,]+", values.get("agencies", "")) if code]
    return shaped


@bp.post("/persons/<uuid:person_id>/consents")
@signed_in
def record_consent(person_id: UUID):
    def command(data: dict[str, Any]) -> str:
        coord().service.record_consent(
            who(),
            person_id,
            agencies=None if data.get("all") else data["agencies"],
            expires_on=data.get("expires_on"),
            effective_on=_on(data),
            expected_version=version(),
        )
        return "Consent recorded."

    return _act(person_id, "consent", ConsentCreateSchema(), command, shape=_consent_shape)


@bp.post("/persons/<uuid:person_id>/consents/<string:consent_id>/revoke")
@signed_in
def revoke_consent(person_id: UUID, consent_id: str):
    def command(_data: dict[str, Any]) -> str:
        coord().service.revoke_consent(
            who(), person_id, consent_id[:100], effective_on=today(), expected_version=version()
        )
        return "Consent revoked."

    return _act(person_id, "consents", Schema(), command, shape=lambda _values: {})


@bp.post("/persons/<uuid:person_id>/handoffs")
@signed_in
def request_handoff(person_id: UUID):
    def command(data: dict[str, Any]) -> str:
        data["requested_on"] = data.get("requested_on") or today()
        handoff = coord().service.request_handoff(who(), **data)
        flash("Handoff requested: the receiving service's agency sees it in its queue.")
        return f"/workspace/handoffs/{handoff.id}"

    def shape(values: dict[str, Any]) -> dict[str, Any]:
        return {**given(values), "person_id": str(person_id)}

    return _act(person_id, "handoff", HandoffCreateSchema(), command, shape=shape)
