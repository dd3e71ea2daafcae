"""The page's words: what a resident reads for each code."""

from __future__ import annotations

POPULATIONS = {
    "all": "Everyone",
    "single_adults": "Single adults",
    "veterans": "Veterans",
    "chronic": "Chronically homeless",
    "youth": "Unaccompanied youth",
    "families": "Families",
}
MONTHLY = {
    "actively_homeless": "Actively homeless at month end",
    "newly_identified": "Newly identified",
    "returned_from_housing": "Returned from housing",
    "returned_from_inactive": "Returned from inactive",
    "housing_placements": "Housing placements",
    "moved_to_inactive": "Moved to inactive",
    "no_longer_meets_population_criteria": "No longer in the population",
}
RACES = {
    "am_ind_ak_native": "American Indian, Alaska Native or Indigenous",
    "asian": "Asian or Asian American",
    "black_af_american": "Black, African American or African",
    "hispanic_latina_o": "Hispanic or Latina/o",
    "mid_east_n_african": "Middle Eastern or North African",
    "native_hi_pacific": "Native Hawaiian or Pacific Islander",
    "white": "White",
    "multiple": "More than one",
    "unknown": "Not known",
    "refused": "Not given",
}
INDICATORS = {
    "kindergarten_readiness": "Kindergarten readiness",
    "early_grade_reading": "Early grade reading",
    "middle_school_math": "Middle school math",
    "high_school_graduation": "High school graduation",
    "postsecondary_enrollment": "Postsecondary enrollment",
    "postsecondary_completion": "Postsecondary completion",
    "employment": "Employment",
}

STAGES = {
    "early_childhood": "Early childhood",
    "kindergarten": "Kindergarten",
    "elementary": "Elementary school",
    "middle_school": "Middle school",
    "high_school": "High school",
    "postsecondary_advising": "Postsecondary advising",
    "postsecondary": "Postsecondary",
    "workforce_training": "Workforce training",
    "employment": "Employment",
}


def label(words: dict[str, str], code: str) -> str:
    return words.get(code, code.replace("_", " "))
