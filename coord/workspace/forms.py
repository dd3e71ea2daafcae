"""The workspace's own request shapes: the list's filters. Every form that writes is checked by the API's
schema for the same command (coord/api/schemas.py), so a request's shape has one owner."""

from __future__ import annotations

from marshmallow import fields, validate

from coord.api.schemas import RequestSchema
from events.populations import POPULATIONS
from events.vocabulary import PERSON_STATUSES

#: The agency's own persons, or the partnership's shared list.
SCOPES = ("agency", "shared")
PAGE_SIZE = 50


class WorklistQuerySchema(RequestSchema):
    scope = fields.String(validate=validate.OneOf(SCOPES))
    status = fields.String(validate=validate.OneOf(PERSON_STATUSES))
    population = fields.String(validate=validate.OneOf(POPULATIONS))
    days = fields.Integer(
        validate=validate.Range(min=1, max=3650), metadata={"description": "no contact for at least this many days"}
    )
    after = fields.UUID()


class FindSchema(RequestSchema):
    """Find before you add: the name and date of birth the blind index is keyed on."""

    first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    dob = fields.Date(required=True)
