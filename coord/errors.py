"""Errors of the application service (the domain's own live in events/errors.py); mapped to HTTP in
coord/api/errors.py."""

from events.errors import DomainError


class ForbiddenError(DomainError):
    """The caller's role or agency does not allow this (HTTP 403)."""


class PreconditionFailedError(DomainError):
    """If-Match named a version that is no longer current (HTTP 412)."""


class ConflictError(DomainError):
    """The write kept losing to concurrent writes, or a request is already in flight (HTTP 409)."""


class UnavailableError(Exception):
    """The store cannot be reached right now (HTTP 503 with Retry-After)."""


class IdempotencyKeyReusedError(DomainError):
    """An Idempotency-Key came back with a different request (HTTP 422)."""
