"""Response shapes of the reports, for the OpenAPI document and for dumping (months read YYYY-MM)."""

from __future__ import annotations

from marshmallow import Schema, fields

COUNT = fields.Integer
FROM = {"data_key": "from", "attribute": "from"}


def _maybe(field: type[fields.Field], description: str = "") -> fields.Field:
    return field(allow_none=True, metadata={"description": description} if description else {})


class CountRowSchema(Schema):
    population = fields.String()
    active = COUNT()


class CountsSchema(Schema):
    as_of = fields.String(metadata={"description": "the date the counts are for (today)"})
    position = fields.Integer(metadata={"description": "log position the read model has reached"})
    rows = fields.List(fields.Nested(CountRowSchema))


class MonthlyRowSchema(Schema):
    population = fields.String()
    month = fields.String()
    actively_homeless = COUNT(metadata={"description": "active and in the population at the end of the month"})
    newly_identified = COUNT()
    returned_from_housing = COUNT()
    returned_from_inactive = COUNT()
    housing_placements = COUNT()
    moved_to_inactive = COUNT()
    no_longer_meets_population_criteria = COUNT()
    inflow = COUNT()
    outflow = COUNT()
    avg_days_to_housing = _maybe(fields.Float, "identification or latest return to housing, for the month's placements")


class MonthlySchema(Schema):
    from_ = fields.String(**FROM)
    to = fields.String()
    population = fields.String(allow_none=True)
    rows = fields.List(fields.Nested(MonthlyRowSchema))


class FunctionalZeroRowSchema(Schema):
    population = fields.String()
    month = fields.String()
    actively_homeless = COUNT()
    housing_placements = COUNT()
    proven_rate = fields.Float(metadata={"description": "mean monthly placements over the window"})
    window_months = COUNT()
    threshold = COUNT(metadata={"description": "reached when actively_homeless is at most this"})
    reached = fields.Boolean()
    avg_days_to_housing = _maybe(fields.Float)
    brief = _maybe(fields.Boolean, "avg_days_to_housing <= 45")
    streak = COUNT(metadata={"description": "consecutive months reached, ending with this one"})


class FunctionalZeroSchema(Schema):
    month = fields.String()
    window_months = fields.Integer()
    pit_count = fields.Integer(allow_none=True)
    rows = fields.List(fields.Nested(FunctionalZeroRowSchema))


class HandoffGapRowSchema(Schema):
    month = fields.String(metadata={"description": "month of the episode's first request"})
    to_service_id = fields.String()
    to_service = fields.String()
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String()
    race_ethnicity = fields.String(metadata={"description": "with by=race_ethnicity"})
    sex = fields.String(metadata={"description": "with by=sex"})
    age_band = fields.String(metadata={"description": "with by=age_band (age at the first request)"})
    population = fields.String(metadata={"description": "with by=population"})
    episodes = _maybe(COUNT)
    picked_up = _maybe(COUNT)
    gaps = _maybe(COUNT)
    gap_rate = _maybe(fields.Float, "gaps / (picked_up + gaps)")
    censored = _maybe(COUNT, "window not over at the report date")
    p50_days_to_acceptance = _maybe(fields.Float)
    p90_days_to_acceptance = _maybe(fields.Float)
    never_accepted_rejected = _maybe(COUNT)
    never_accepted_cancelled = _maybe(COUNT)
    never_accepted_expired = _maybe(COUNT)
    stale = _maybe(COUNT, "still requested past due_on")
    suppressed = fields.List(fields.String(), metadata={"description": "fields hidden as small cells (null)"})


class HandoffGapsSchema(Schema):
    from_ = fields.String(**FROM)
    to = fields.String()
    as_of = fields.String()
    window_days = fields.Integer(allow_none=True)
    by = fields.String(allow_none=True)
    suppress_below = fields.Integer()
    rows = fields.List(fields.Nested(HandoffGapRowSchema))
