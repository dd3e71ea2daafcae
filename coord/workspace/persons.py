"""The list, a person's page and find before you add. Personal data comes only from the application
service's reads, as this reader may see it (coord/service/privacy.py); this module only lays it out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from flask import flash, redirect, request

from coord.api.http import coord
from coord.api.persons import _split
from coord.api.representations import person_view
from coord.api.schemas import PersonCreateSchema
from coord.errors import ForbiddenError
from coord.service import permissions
from coord.service.privacy import SeenPerson
from coord.workspace.forms import PAGE_SIZE, FindSchema, WorklistQuerySchema
from coord.workspace.history import history, title
from coord.workspace.views import bp, check, given, page, purpose, refusal, signed_in, typed, who
from coord.workspace.words import population
from events.dates import today
from events.errors import DomainError

#: Form fields that take several values.
LISTS = ("race_ethnicity", "gender")


def label(seen: SeenPerson) -> str:
    """Who the person is, as far as this reader may know: a name, or only where they are known."""
    if seen.pii is not None:
        name = " ".join(part for part in (seen.pii.get("first_name"), seen.pii.get("last_name")) if part)
        if name:
            return name
    person = seen.person
    return f"A person known to agency {person.agency}, identified {person.identified_on.strftime('%Y-%m')}"


def row(seen: SeenPerson) -> dict[str, Any]:
    person, now = seen.person, today()
    attributes = person.attributes
    return {
        "id": str(person.id),
        "label": label(seen),
        "named": seen.pii is not None,
        "agency": person.agency,
        "status": person.status,
        "identified_on": person.identified_on,
        "days_listed": (now - person.identified_on).days,
        "last_contact_on": person.last_contact_on,
        "days_since_contact": (now - person.last_contact_on).days,
        "veteran": attributes.get("veteran") == "yes",
        "chronic": bool(attributes.get("chronic")),
        "populations": [population(code) for code in sorted(person.populations) if code != "all"],
    }


@bp.get("")
@signed_in
def worklist():
    values = given({name: request.args.get(name, "") for name in ("scope", "status", "population", "days", "after")})
    status = values.pop("status", "active")
    if status != "any":
        values["status"] = status
    query, errors = check(WorklistQuerySchema(), values)
    shown = {**values, "status": status}
    if errors:
        return page("workspace/list.html", 422, errors=errors, values=shown, rows=[], next_query=None)
    admin = who().role == permissions.ADMIN
    scope = query.pop("scope", "shared" if admin else "agency")
    filters = {name: query[name] for name in ("status", "population", "after") if name in query}
    if scope == "agency" and who().agency:
        filters["agency"] = who().agency
    if "days" in query:
        filters["seen_before"] = today() - timedelta(days=query["days"] - 1)
    seen, next_after = coord().service.worklist(who(), purpose(), limit=PAGE_SIZE, **filters)
    next_query = {**{k: v for k, v in shown.items() if k != "after"}, "after": str(next_after)} if next_after else None
    return page(
        "workspace/list.html", values={**shown, "scope": scope}, rows=[row(s) for s in seen], next_query=next_query
    )


@bp.get("/persons/<uuid:person_id>")
@signed_in
def person(person_id: UUID):
    return person_page(coord().service.read_person(who(), person_id, purpose()))


def person_page(seen: SeenPerson, status: int = 200, *, form: str | None = None, errors=None, values=None):
    """The person's page; after a refused form, with its errors beside the fields and what was typed."""
    service = coord().service
    person = seen.person
    services = service.list_services(who())
    names = {row["id"].replace("-", ""): row["name"] for row in services}
    mine = [s for s in services if who().role == permissions.ADMIN or s["agency"] == who().agency]
    voidable = [
        {"version": version, "what": title(entry.kind), "on": entry.effective_on}
        for version, entry in sorted(person.entries.items(), reverse=True)
        if entry.kind not in ("Identified", "EnteredInError")
    ]
    handoffs = [
        {
            "id": str(seen_handoff.handoff.id),
            "to": names.get(seen_handoff.handoff.to_service_id.hex, "(unknown service)"),
            "status": seen_handoff.handoff.status,
            "requested_on": seen_handoff.handoff.requested_on,
            "due_on": seen_handoff.handoff.due_on,
        }
        for seen_handoff in service.person_handoffs(who(), person.id, purpose())
    ]
    identifying = _may(permissions.require_identifying_agency, who(), person, "act")
    offered = {"contact", "move", "attributes", "handoff", "consents"} | (
        {"consent", "correction"} if identifying else set()
    )
    return page(
        "workspace/person.html",
        status,
        person=person_view(seen),
        label=label(seen),
        row=row(seen),
        history=history(service.person_history(who(), person.id), names),
        services=services,
        handoffs=handoffs,
        own_services=mine,
        voidable=voidable,
        identifying=identifying,
        offered=offered,
        form=form,
        errors=errors or {},
        values=values or {},
        today=today(),
    )


def _may(check_right, *args: Any) -> bool:
    """Whether the service's rule lets this reader do it: decides which forms the page offers (the service
    still decides on every command)."""
    try:
        check_right(*args)
    except ForbiddenError:
        return False
    return True


@bp.get("/persons/new")
@signed_in
def new_person():
    return page("workspace/new.html", step="find", values={}, errors={}, matches=None)


@bp.post("/persons/new/find")
@signed_in
def find_person():
    values = typed()
    query, errors = check(FindSchema(), given(values))
    if errors:
        return page("workspace/new.html", 422, step="find", values=values, errors=errors, matches=None)
    found = coord().service.possible_matches(
        who(), purpose(), first_name=query["first_name"], last_name=query["last_name"], dob=query["dob"].isoformat()
    )
    matches = [row(seen) for seen in found]
    return page("workspace/new.html", step="identify", values=values, errors={}, matches=matches)


@bp.post("/persons/new")
@signed_in
def identify():
    values = typed(LISTS)
    data, errors = check(PersonCreateSchema(), given(values))
    status = 422
    if not errors:
        effective_on = data.pop("effective_on", None) or today()
        agency = data.pop("agency", None)
        attributes, pii = _split(data)
        try:
            person = coord().service.identify_person(
                who(), attributes=attributes, pii=pii, effective_on=effective_on, agency=agency
            )
        except DomainError as error:
            status, errors = refusal(error, values)
        else:
            flash("Identified: the person is on the list.")
            return redirect(f"/workspace/persons/{person.id}", code=303)
    return page("workspace/new.html", status, step="identify", values=values, errors=errors, matches=None)
