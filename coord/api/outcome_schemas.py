"""The request shape of an outcome milestone (POST /persons/{id}/outcomes); its rules of meaning live on the
Person (events/outcomes.py), whose vocabularies this reads."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from coord.api.schemas import RequestSchema
from events.vocabulary import OUTCOME_INDICATORS, OUTCOME_SOURCES


class JsonBoolean(fields.Boolean):
    """JSON's true or false only: 1, "true" or "yes" are refused (the Person refuses them too)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class OutcomeCreateSchema(RequestSchema):
    indicator = fields.String(required=True, validate=validate.OneOf(OUTCOME_INDICATORS))
    met = JsonBoolean(required=True, metadata={"description": "whether the person reached the milestone"})
    effective_on = fields.Date(required=True, metadata={"description": "the day the outcome was assessed"})
    source = fields.String(
        required=True, validate=validate.OneOf(OUTCOME_SOURCES), metadata={"description": "the kind of record"}
    )
