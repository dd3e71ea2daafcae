"""The person cuts reports share: each person's race/ethnicity, sex and age band from their profile
(person_profiles), every value of each, and the age on a day, so every report cuts persons alike."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date

from events.vocabulary import RACE_ETHNICITY, SEXES

AGE_BANDS = ("0-4", "5-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown")
#: The youngest age of each band after "0-4".
_BAND_STARTS = (5, 18, 25, 35, 45, 55, 65)
#: Every value of each person cut, each in one row of every group, zeros included: an absent row would say 0.
PERSON_CUT_VALUES = {
    "race_ethnicity": (*RACE_ETHNICITY, "multiple"),
    "sex": SEXES,
    "age_band": AGE_BANDS,
}
#: The person cuts: what every report that cuts persons accepts as `by`.
PERSON_CUTS = tuple(PERSON_CUT_VALUES)


def age_at(birth_year: int | None, birth_month: str | None, day: date) -> int | None:
    """Age on `day` in whole years: from the birth month (YYYY-MM) when the dob was known, the birthday
    counting from the first of that month; else from the birth year, as at the birthday in `day`'s year."""
    if birth_month is not None:
        born = int(birth_month[:4]) * 12 + int(birth_month[5:7]) - 1
        age = (day.year * 12 + day.month - 1 - born) // 12
    elif birth_year is not None:
        age = day.year - birth_year
    else:
        return None
    return age if age >= 0 else None


def age_band(age: int | None) -> str:
    """The band of an age in whole years (unknown when the age is)."""
    if age is None:
        return "unknown"
    return AGE_BANDS[bisect_right(_BAND_STARTS, age)]
