"""The request shape of an outcome milestone (POST /persons/{id}/outcomes); its rules of meaning live on the
Person (events/outcomes.py), whose vocabularies this reads."""

from __future__ import annotations

from marshmallow import fields, validate

from coord.api.schemas import RequestSchema
from events.vocabulary import OUTCOME_INDICATORS, OUTCOME_SOURCES


class OutcomeCreateSchema(RequestSchema):
    indicator = fields.String(required=True, validate=validate.OneOf(OUTCOME_INDICATORS))
    met = fields.Boolean(required=True, truthy={True}, falsy={False}, metadata={"description": "true or false"})
    effective_on = fields.Date(required=True, metadata={"description": "the day the outcome was assessed"})
    source = fields.String(
        required=True, validate=validate.OneOf(OUTCOME_SOURCES), metadata={"description": "the kind of record"}
    )
