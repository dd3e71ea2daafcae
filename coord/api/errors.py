"""Every error becomes JSON {code, status, message, errors}, mapped here and only here. Never a stack trace."""

from __future__ import annotations

import logging
import traceback

import psycopg
import sqlalchemy.exc
from eventsourcing.persistence import InterfaceError, OperationalError
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from coord.errors import (
    ConflictError,
    ForbiddenError,
    IdempotencyKeyReusedError,
    PreconditionFailedError,
    UnavailableError,
)
from events.crypto import CryptoError
from events.errors import DateRuleError, NotFoundError, RuleError, TransitionError

log = logging.getLogger("coord.api")

DOMAIN_STATUS = (
    (NotFoundError, 404),
    (ForbiddenError, 403),
    (PreconditionFailedError, 412),
    (TransitionError, 409),
    (ConflictError, 409),
    (DateRuleError, 422),
    (RuleError, 422),
    (IdempotencyKeyReusedError, 422),
)
UNAVAILABLE = (
    UnavailableError,
    OperationalError,
    InterfaceError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    psycopg.OperationalError,
)
RETRY_AFTER_SECONDS = 5


def error_response(status: int, message: str, errors: object = None, headers: dict | None = None):
    body = {
        "code": status,
        "status": HTTP_STATUS_CODES.get(status, "Error"),
        "message": message,
        "errors": errors or {},
    }
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_error(error: HTTPException):
    data = getattr(error, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    if (
        isinstance(errors, dict)
        and set(errors) <= {"json", "query", "headers", "path", "form", "files"}
        and len(errors) == 1
    ):
        errors = next(iter(errors.values()))
    message = data.get("message") or error.description or HTTP_STATUS_CODES.get(error.code or 500, "Error")
    if error.code == 400 and isinstance(errors, list) and errors and not data.get("message"):
        message = str(errors[0])
    if error.code == 422 and errors and not data.get("message"):
        message = "the request is not valid; see errors"
    headers = dict(data.get("headers") or {})
    if error.code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="coord"')
    return error_response(error.code or 500, message, errors, headers)


def _domain_error(error: Exception):
    for cls, status in DOMAIN_STATUS:
        if isinstance(error, cls):
            return error_response(status, str(error))
    return _unexpected(error)


def _unavailable(error: Exception):
    log.warning("store unavailable: %s", type(error).__name__)
    return error_response(
        503, "the store is unavailable; try again shortly", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


def _unexpected(error: Exception):
    if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
        return _http_error(error)
    # Log the type and where, not the message: a message might quote personal data from the input.
    where = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected %s at\n%s", type(error).__name__, where)
    return error_response(500, "internal error; it has been logged")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    for cls, _status in DOMAIN_STATUS:
        app.register_error_handler(cls, _domain_error)
    for cls in UNAVAILABLE:
        app.register_error_handler(cls, _unavailable)
    app.register_error_handler(CryptoError, _unexpected)
    app.register_error_handler(Exception, _unexpected)
