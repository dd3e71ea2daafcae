"""Response shapes of the reports, for the OpenAPI document; months read YYYY-MM. Their queries:
coord/api/report_queries.py."""

from __future__ import annotations

from marshmallow import Schema, fields

from coord.service import report_params as params

COUNT = fields.Integer
FROM = {"data_key": "from", "attribute": "from"}


def _maybe(field: type[fields.Field], description: str = "") -> fields.Field:
    return field(allow_none=True, metadata={"description": description} if description else {})


HIDDEN = "null when suppressed (with by)"
SUPPRESSED = {"description": "with by: fields hidden as small cells (null)"}
BY = {"description": "the cut, small cells suppressed", "enum": list(params.PERSON_CUTS)}


class PersonCutSchema(Schema):
    """A row's value of the cut asked for (`by`)."""

    race_ethnicity = fields.String(metadata={"description": "with by=race_ethnicity (as in force today)"})
    sex = fields.String(metadata={"description": "with by=sex (as in force today)"})
    age_band = fields.String(metadata={"description": "with by=age_band"})


class CountRowSchema(PersonCutSchema):
    population = fields.String()
    active = _maybe(COUNT, HIDDEN)
    suppressed = fields.List(fields.String(), metadata=SUPPRESSED)


class CountsSchema(Schema):
    as_of = fields.String(metadata={"description": "the date the counts are for (today)"})
    position = fields.Integer(metadata={"description": "log position the read model has reached"})
    by = fields.String(metadata=BY)
    suppress_below = fields.Integer(metadata={"description": "with by: counts from 1 to this less one are hidden"})
    rows = fields.List(fields.Nested(CountRowSchema))


class PopulationMonthSchema(Schema):
    population = fields.String()
    month = fields.String()


class MonthlyValuesSchema(Schema):
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


class MonthlyCutValuesSchema(MonthlyValuesSchema, PersonCutSchema):
    """With by, a count is null when suppressed."""

    actively_homeless = _maybe(COUNT, HIDDEN)
    newly_identified = _maybe(COUNT, HIDDEN)
    returned_from_housing = _maybe(COUNT, HIDDEN)
    returned_from_inactive = _maybe(COUNT, HIDDEN)
    housing_placements = _maybe(COUNT, HIDDEN)
    moved_to_inactive = _maybe(COUNT, HIDDEN)
    no_longer_meets_population_criteria = _maybe(COUNT, HIDDEN)
    inflow = _maybe(COUNT, HIDDEN)
    outflow = _maybe(COUNT, HIDDEN)
    suppressed = fields.List(fields.String(), metadata=SUPPRESSED)


# Bases in this order put population and month first, as in every report's rows.
class MonthlyRowSchema(MonthlyCutValuesSchema, PopulationMonthSchema):
    submitted = fields.Nested(
        MonthlyValuesSchema,
        allow_none=True,
        metadata={"description": "with revisions=true: the latest submission's values (null: month not closed)"},
    )
    revised = fields.Boolean(metadata={"description": "with revisions=true: the values differ from the submitted"})


class MonthlySchema(Schema):
    from_ = fields.String(**FROM)
    to = fields.String()
    population = fields.String(allow_none=True)
    by = fields.String(metadata=BY)
    suppress_below = fields.Integer(metadata={"description": "with by: counts from 1 to this less one are hidden"})
    rows = fields.List(fields.Nested(MonthlyRowSchema))


class SubmissionSchema(Schema):
    id = fields.String(metadata={"description": "the month's submission record"})
    version = fields.Integer()
    month = fields.String()
    submission = fields.Integer(metadata={"description": "1 for the first close, then each resubmission"})
    closed_at = fields.String(metadata={"description": "when it was recorded"})
    closed_on = fields.String(metadata={"description": "the day it was closed (the event's effective date)"})
    closed_by = fields.String(metadata={"description": "the token or system job that closed it"})
    agency = fields.String()
    rows = fields.List(fields.Nested(MonthlyRowSchema))


class BfzRowSchema(MonthlyValuesSchema, PopulationMonthSchema):
    previous_actively_homeless = COUNT(metadata={"description": "actively homeless at the end of the month before"})
    balanced = fields.Boolean(metadata={"description": "previous + inflow - outflow == actively_homeless"})


class BfzSchema(Schema):
    month = fields.String()
    rows = fields.List(fields.Nested(BfzRowSchema))


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


class OutcomeRowSchema(Schema):
    indicator = fields.String()
    period = fields.String(metadata={"description": "2025-26 (July 1 to June 30) or 2025"})
    race_ethnicity = fields.String(metadata={"description": "with by=race_ethnicity"})
    sex = fields.String(metadata={"description": "with by=sex"})
    age_band = fields.String(metadata={"description": "with by=age_band (age at the deciding outcome's date)"})
    assessed = _maybe(COUNT, "persons with an outcome of the indicator in the period")
    met = _maybe(COUNT, "of those, persons whose latest outcome in the period is met")
    rate = _maybe(fields.Float, "met / assessed, 3 decimals (null when none was assessed)")
    suppressed = fields.List(fields.String(), metadata={"description": "fields hidden as small cells (null)"})


class OutcomesSchema(Schema):
    period = fields.String()
    from_ = fields.String(**FROM)
    to = fields.String()
    indicator = fields.String(allow_none=True)
    by = fields.String(allow_none=True)
    suppress_below = fields.Integer()
    rows = fields.List(fields.Nested(OutcomeRowSchema))


class EquityRowSchema(PersonCutSchema):
    actively_homeless = _maybe(COUNT, "at the end of the last month; " + HIDDEN)
    share_of_actively_homeless = _maybe(fields.Float, "of the population's actively homeless")
    housing_placements = _maybe(COUNT, "in the period; " + HIDDEN)
    share_of_housing_placements = _maybe(fields.Float, "of the population's placements in the period")
    returned_from_housing = _maybe(COUNT, "returns from housing in the period; " + HIDDEN)
    share_of_returns = _maybe(fields.Float, "of the population's returns from housing in the period")
    placement_ratio = _maybe(fields.Float, "share of placements / share of actively homeless (1: proportional)")
    suppressed = fields.List(fields.String(), metadata={"description": "fields hidden as small cells (null)"})


class EquityTotalsSchema(Schema):
    actively_homeless = COUNT()
    housing_placements = COUNT()
    returned_from_housing = COUNT()


class EquitySchema(Schema):
    population = fields.String()
    from_ = fields.String(**FROM)
    to = fields.String()
    by = fields.String(metadata=BY)
    suppress_below = fields.Integer()
    totals = fields.Nested(EquityTotalsSchema, metadata={"description": "the population's uncut numbers"})
    rows = fields.List(fields.Nested(EquityRowSchema))


class PathwayRowSchema(Schema):
    stage = fields.String(metadata={"description": "a cradle-to-career stage, in path order"})
    served = COUNT(metadata={"description": "distinct persons with an accepted, open handoff to the stage at as_of"})
    next_stage = fields.String(allow_none=True, metadata={"description": "null at the end of the path"})
    handed_on = _maybe(COUNT, "episodes first requested in the months from this stage to the next")
    picked_up = _maybe(COUNT, "accepted at the next stage within the window")
    gaps = _maybe(COUNT, "not accepted within the window")
    censored = _maybe(COUNT, "window not over at as_of")
    pickup_rate = _maybe(fields.Float, "picked_up / (picked_up + gaps)")


class PathwaySchema(Schema):
    from_ = fields.String(**FROM)
    to = fields.String()
    as_of = fields.String()
    window_days = fields.Integer(allow_none=True)
    rows = fields.List(fields.Nested(PathwayRowSchema))
