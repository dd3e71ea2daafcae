"""Report parameters are read and checked in one place (coord/service/report_params.py); the API's query
schemas and the CLI's options publish the same limits and call the same parser."""

from __future__ import annotations

from datetime import date, timedelta

import click
import pytest

from coord.api.report_queries import FunctionalZeroQuerySchema, HandoffGapsQuerySchema, MonthlyQuerySchema
from coord.cli.reports import handoff_gaps, read_month
from coord.service import report_params as params
from events.dates import today
from events.errors import RuleError
from events.vocabulary import OUTCOME_INDICATORS
from projections.reports.months import add_months, month_of
from projections.reports.periods import period_of


def test_a_month_is_read_into_its_first_day() -> None:
    assert params.parse_month("2026-02", "from") == date(2026, 2, 1)
    for bad in ("2026-13", "26-01", "2026-1", "1899-12", "", "2026-02-01"):
        with pytest.raises(RuleError, match="^from must be a month written YYYY-MM, e.g. 2026-01$"):
            params.parse_month(bad, "from")


def test_ranges_default_to_the_last_twelve_months_and_refuse_the_future() -> None:
    this_month = month_of(today())
    assert params.month_range(None, None) == (add_months(this_month, -11), this_month)
    assert params.one_month(None, default=params.last_complete_month()) == add_months(this_month, -1)
    with pytest.raises(RuleError, match="^from must not be after to$"):
        params.month_range(date(2026, 5, 1), date(2026, 4, 1))
    with pytest.raises(RuleError, match="^a report covers at most 120 months$"):
        params.month_range(date(2000, 1, 1), date(2020, 1, 1))
    with pytest.raises(RuleError, match="^to may not be after "):
        params.month_range(None, add_months(this_month, 1))
    with pytest.raises(RuleError, match="^as_of may not be in the future$"):
        params.report_date(today() + timedelta(days=1))
    assert params.report_date(None) == today()


def test_window_cut_and_population_are_checked_against_one_list() -> None:
    assert params.window_days(None) is None and params.window_days(365) == 365
    with pytest.raises(RuleError, match="^window_days must be from 1 to 365$"):
        params.window_days(0)
    assert params.cut("sex") == "sex"
    with pytest.raises(RuleError, match="^by must be one of: race_ethnicity, sex, age_band, population$"):
        params.cut("zip")
    with pytest.raises(RuleError, match="^population must be one of: "):
        params.population("everyone")


def test_the_api_schemas_read_months_with_the_same_parser() -> None:
    assert MonthlyQuerySchema().load({"from": "2026-01", "to": "2026-03"}) == {
        "from_": date(2026, 1, 1),
        "to": date(2026, 3, 1),
        "format": "json",
    }
    assert FunctionalZeroQuerySchema().load({"month": "2025-12"})["month"] == date(2025, 12, 1)
    with pytest.raises(RuleError, match="^from must be a month written YYYY-MM"):
        HandoffGapsQuerySchema().load({"from": "1899-12"})
    window = HandoffGapsQuerySchema().fields["window_days"].validate
    assert (window.min, window.max) == params.WINDOW_DAYS


def test_the_cli_options_read_months_with_the_same_parser() -> None:
    option = next(p for p in handoff_gaps.params if p.name == "first")
    assert read_month(None, option, "2026-04") == date(2026, 4, 1)
    with pytest.raises(RuleError, match="^--from must be a month written YYYY-MM"):
        read_month(None, option, "1899-12")
    window = next(p for p in handoff_gaps.params if p.name == "window_days").type
    assert isinstance(window, click.IntRange) and (window.min, window.max) == params.WINDOW_DAYS
    assert next(p for p in handoff_gaps.params if p.name == "by").type.choices == params.CUTS


def test_next_month_is_refused_even_on_a_months_last_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(params, "today", lambda: date(2026, 11, 30))
    assert params.month_range(None, date(2026, 11, 1)) == (date(2025, 12, 1), date(2026, 11, 1))
    with pytest.raises(RuleError, match="^to may not be after 2026-11$"):
        params.month_range(None, date(2026, 12, 1))


def test_outcome_periods_default_to_the_five_ending_with_the_current_one_and_refuse_the_future() -> None:
    school_year = period_of("school_year", today())
    assert params.period_kind(None) == "school_year"
    assert params.period_range("school_year", None, None) == (
        school_year.replace(year=school_year.year - 4),
        school_year,
    )
    assert params.period_range("calendar_year", "2021", "2023") == (date(2021, 1, 1), date(2023, 1, 1))
    assert params.indicator(None) == OUTCOME_INDICATORS and params.indicator("employment") == ("employment",)
    next_year = f"{today().year + 1}"
    for kind, first, last, message in [
        ("calendar_year", None, next_year, f"^to may not be after {today().year}$"),
        ("calendar_year", "1950", "2010", "^a report covers at most 50 periods$"),
        ("calendar_year", "2022", "2021", "^from must not be after to$"),
        ("calendar_year", "1899", "1900", "^from must be a calendar year written like 2025$"),
        ("school_year", "2025-2026", None, "^from must be a school year written like 2025-26$"),
    ]:
        with pytest.raises(RuleError, match=message):
            params.period_range(kind, first, last)
    for call, message in [
        (lambda: params.period_kind("month"), "^period must be one of: school_year, calendar_year$"),
        (lambda: params.person_cut("population"), "^by must be one of: race_ethnicity, sex, age_band$"),
        (lambda: params.indicator("reading"), "^indicator must be one of: kindergarten_readiness, "),
    ]:
        with pytest.raises(RuleError, match=message):
            call()
