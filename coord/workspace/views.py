"""What every workspace page shares: the blueprint, who is signed in, the page with the dashboard's security
headers, CSRF on every form, and typed values checked by the API's own schemas with errors in plain words."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, current_app, g, redirect, request
from flask_wtf.csrf import CSRFError
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from coord.api.errors import DOMAIN_STATUS, UNAVAILABLE
from coord.dashboard import _page, cookie_principal
from coord.errors import ForbiddenError, PreconditionFailedError
from coord.service import permissions
from coord.service.principal import Principal
from coord.workspace.words import population, words
from events.corrections import CORRECTION_REASONS
from events.errors import DateRuleError, DomainError, NotFoundError
from events.populations import POPULATIONS
from events.vocabulary import (
    ENTERED_IN_ERROR,
    GENDERS,
    HANDOFF_PRIORITIES,
    HOUSEHOLD_TYPES,
    INACTIVE_REASONS,
    PERSON_STATUSES,
    RACE_ETHNICITY,
    SEXES,
    VETERAN,
)

#: The code lists the forms offer (events/vocabulary.py owns them).
VOCABULARIES = {
    "veteran": VETERAN,
    "household_type": HOUSEHOLD_TYPES,
    "sex": SEXES,
    "race_ethnicity": RACE_ETHNICITY,
    "gender": GENDERS,
    "inactive_reasons": INACTIVE_REASONS,
    "correction_reasons": CORRECTION_REASONS,
    # A person entered in error is on no list: the API lists them only when asked for that status.
    "person_statuses": tuple(s for s in PERSON_STATUSES if s != ENTERED_IN_ERROR),
    "populations": POPULATIONS,
    "priorities": HANDOFF_PRIORITIES,
}
bp = Blueprint("workspace", __name__, url_prefix="/workspace")
SIGN_IN = "/workspace/sign-in"
#: Why the workspace reads personal data, as the access log keeps it.
PURPOSE = "case_management"
CSRF_REFUSED = (
    "This form could not be checked: it was not sent from coord's own page, or the page is too old. "
    "Reload the page and try again."
)
#: Hidden fields of every form, not part of what was typed.
HIDDEN = ("csrf_token", "version")
STALE = "Someone changed this record since you opened the page. Check what it says now and try again."


@bp.before_request
def protect_forms() -> None:
    """Every form the workspace posts carries its CSRF token; one without it is refused (400) before anything
    runs, so nothing is written."""
    if request.method == "POST":
        current_app.extensions["csrf"].protect()


@bp.errorhandler(CSRFError)
def _csrf_refused(error: CSRFError):
    return page("workspace/problem.html", 400, title="Form refused", message=CSRF_REFUSED)


@bp.errorhandler(NotFoundError)
def _not_found(error: NotFoundError):
    return page("workspace/problem.html", 404, title="Not found", message=str(error))


@bp.errorhandler(ForbiddenError)
def _forbidden(error: Exception):
    return page("workspace/problem.html", 403, title="Not allowed", message=str(error))


def _unavailable(error: Exception):
    response = page("workspace/problem.html", 503, title="Try again shortly", message="The store is unavailable.")
    response.headers["Retry-After"] = "5"
    return response


for _cls in UNAVAILABLE:
    bp.register_error_handler(_cls, _unavailable)


def page(template: str, status: int = 200, **context: Any):
    return _page(template, status, who=g.get("who"), **context)


def who() -> Principal:
    return g.who


def purpose() -> str:
    route = request.url_rule.rule if request.url_rule else request.path
    return f"{request.method} {route}: {PURPOSE}"


def signed_in(view: Callable) -> Callable:
    """Case managers and admins (the roles that write); a visitor without a live session signs in first."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal = cookie_principal()
        if principal is None:
            return redirect(SIGN_IN, code=303)
        g.who = principal
        if not permissions.holds(principal, permissions.WRITE):
            return page("workspace/refused.html", 403, role=principal.role)
        return view(*args, **kwargs)

    return wrapper


def typed(lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The form as typed, for showing it again: every field, lists as lists."""
    form: MultiDict = request.form
    return {name: form.getlist(name) if name in lists else form.get(name, "") for name in form if name not in HIDDEN}


def given(values: dict[str, Any]) -> dict[str, Any]:
    """What was filled in: an empty field means not given, as an absent key does in the API."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, list):
            if value:
                out[name] = value
        elif value.strip():
            out[name] = value.strip()
    return out


def check(schema: Schema, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Load with the API's schema; errors as one plain line per field ("_form" for the whole form)."""
    try:
        return schema.load(values), {}
    except ValidationError as error:
        return {}, _plain(error.messages)


def _plain(messages: Any) -> dict[str, str]:
    if not isinstance(messages, dict):
        return {"_form": " ".join(str(m) for m in messages)}
    plain = {}
    for name, message in messages.items():
        field = "_form" if name == "_schema" else str(name)
        plain[field] = _line(message)
    return plain


def _line(message: Any) -> str:
    if isinstance(message, dict):
        return " ".join(_line(m) for m in message.values())
    if isinstance(message, list):
        return " ".join(_line(m) for m in message)
    return str(message).replace("Unknown field.", "This field is not taken here.")


def refusal(error: DomainError, fields: Iterable[str] = ()) -> tuple[int, dict[str, str]]:
    """The status and the message of a refused command (by the API's one mapping of errors to statuses), placed
    beside the field it names first (e.g. "due_on may not be before ..."), a date rule beside the date, or
    else over the whole form."""
    if isinstance(error, PreconditionFailedError):
        return 409, {"_form": STALE}
    status = next((code for cls, code in DOMAIN_STATUS if isinstance(error, cls)), 422)
    message = str(error)
    first = message.split(" ", 1)[0]
    if first in fields:
        where = first  # kept as written: it starts with the field's name
    else:
        where = "effective_on" if isinstance(error, DateRuleError) and "effective_on" in fields else "_form"
        message = message[:1].upper() + message[1:]
    return status, {where: message + ("" if message.endswith(".") else ".")}


def version() -> int | None:
    """The record's version the form was opened on (a hidden field): a change made since is caught."""
    value = request.form.get("version", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.app_template_global()
def choices(codes: Any) -> list[tuple[str, str]]:
    """A code list as (value, words) options."""
    return [(str(code), words(code)) for code in codes]


@bp.context_processor
def _vocabularies() -> dict[str, Any]:
    return {"vocab": VOCABULARIES, "words": words, "population_label": population}
