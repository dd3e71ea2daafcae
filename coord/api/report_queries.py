"""Query shapes of the reports: parameters as the API receives them, read by the same parser as the CLI's
(coord/service/report_params.py). Their answers: coord/api/report_schemas.py."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_load, validate

from coord.api.report_schemas import BY
from coord.api.schemas import RequestSchema
from coord.service import report_params as params


class Month(fields.String):
    """A month, YYYY-MM: published with its pattern, read into the month's first day by `ParamsSchema`."""

    def __init__(self, **kwargs: Any) -> None:
        error = f"a month is written YYYY-MM, e.g. {params.MONTH_EXAMPLE}"
        super().__init__(validate=validate.Regexp(params.MONTH_PATTERN, error=error), **kwargs)


class ParamsSchema(RequestSchema):
    """Report parameters as the API receives them, read by the same parser as the CLI's."""

    @post_load
    def _read_months(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        for name, field in self.fields.items():
            if isinstance(field, Month) and data.get(name) is not None:
                data[name] = params.parse_month(data[name], field.data_key or name)
        return data


class FormatSchema(ParamsSchema):
    format = fields.String(
        load_default="json", validate=validate.OneOf(("json", "csv")), metadata={"description": "json or csv"}
    )


def _person_cut() -> fields.Field:
    return fields.String(validate=validate.OneOf(params.PERSON_CUTS), metadata={"description": BY["description"]})


class CountsQuerySchema(FormatSchema):
    by = _person_cut()


class MonthlyQuerySchema(FormatSchema):
    from_ = Month(data_key="from", metadata={"description": "first month, YYYY-MM"})
    to = Month(metadata={"description": "last month, YYYY-MM (default: this one)"})
    population = fields.String(validate=validate.OneOf(params.POPULATIONS))
    revisions = fields.Boolean(metadata={"description": "add each row's submitted values and whether they changed"})
    by = _person_cut()


class FunctionalZeroQuerySchema(FormatSchema):
    month = Month(metadata={"description": "YYYY-MM (default: the last complete month)"})


class BfzQuerySchema(FunctionalZeroQuerySchema):
    """The same month as functional zero: by default the last complete one."""


class MonthCloseSchema(ParamsSchema):
    month = Month(required=True, metadata={"description": "YYYY-MM: a past month or this one"})


class EpisodesQuerySchema(FormatSchema):
    """The parameters of a report on handoff episodes (handoff gaps, the cradle-to-career funnel)."""

    from_ = Month(data_key="from", metadata={"description": "first month of t0 (an episode's first request)"})
    to = Month(metadata={"description": "last month of t0"})
    as_of = fields.Date(metadata={"description": "the report date (default: today)"})
    window_days = fields.Integer(
        validate=validate.Range(min=params.WINDOW_DAYS[0], max=params.WINDOW_DAYS[1]),
        metadata={"description": "default: each to-service's window"},
    )


class HandoffGapsQuerySchema(EpisodesQuerySchema):
    by = fields.String(validate=validate.OneOf(params.CUTS), metadata={"description": "cut, small cells suppressed"})


class OutcomesQuerySchema(FormatSchema):
    period = fields.String(validate=validate.OneOf(params.PERIODS), metadata={"description": "default: school_year"})
    from_ = fields.String(
        data_key="from",
        validate=validate.Length(max=7),
        metadata={"description": "first period: 2021-22 (school year) or 2021 (calendar year); default: 4 before to"},
    )
    to = fields.String(
        validate=validate.Length(max=7), metadata={"description": "last period (default: the current one)"}
    )
    indicator = fields.String(
        validate=validate.OneOf(params.OUTCOME_INDICATORS), metadata={"description": "default: all"}
    )
    by = fields.String(
        validate=validate.OneOf(params.PERSON_CUTS), metadata={"description": "cut, small cells suppressed"}
    )


class EquityQuerySchema(FormatSchema):
    population = fields.String(validate=validate.OneOf(params.POPULATIONS), metadata={"description": "default: all"})
    from_ = Month(data_key="from", metadata={"description": "first month, YYYY-MM"})
    to = Month(metadata={"description": "last month, YYYY-MM (default: this one)"})
    by = fields.String(
        validate=validate.OneOf(params.PERSON_CUTS), metadata={"description": "the cut (default: race_ethnicity)"}
    )


class PathwayQuerySchema(EpisodesQuerySchema):
    """as_of is also the day persons are counted as served on."""
