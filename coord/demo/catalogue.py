"""The demo partnership's catalogue: agencies and their services, cradle-to-career tracks, and the weights and
wordings the simulation draws from. Data only; coord/demo/people.py and spells.py decide what happens."""

#: agency -> its services: (name, stage, handoff window in days).
CATALOGUE: dict[str, tuple[tuple[str, str, int], ...]] = {
    "harbor-outreach": (("Harbor Street Outreach", "outreach", 7), ("Harbor Eviction Prevention", "prevention", 14)),
    "gateway-shelter": (
        ("Gateway Emergency Shelter", "emergency_shelter", 10),
        ("Gateway Safe Haven", "safe_haven", 14),
        ("Gateway Youth Transitional Housing", "transitional_housing", 21),
    ),
    "city-ce": (("City Coordinated Entry", "coordinated_entry", 14),),
    "bridge-housing": (
        ("Bridge Rapid Rehousing", "rapid_rehousing", 21),
        ("Bridge Supportive Housing", "permanent_supportive_housing", 30),
        ("Bridge Affordable Homes", "other_permanent_housing", 30),
    ),
    "northside-schools": (
        ("Northside Early Learning Center", "early_childhood", 21),
        ("Northside Kindergarten", "kindergarten", 14),
        ("Northside Elementary", "elementary", 14),
        ("Northside Middle School", "middle_school", 14),
        ("Northside High School", "high_school", 14),
    ),
    "futures-college": (
        ("Futures College Advising", "postsecondary_advising", 21),
        ("Futures Community College", "postsecondary", 30),
    ),
    "metro-workforce": (
        ("Metro Workforce Training", "workforce_training", 21),
        ("Metro Job Placement", "employment", 30),
    ),
}
HOUSING_STAGES = ("rapid_rehousing", "permanent_supportive_housing", "other_permanent_housing")
#: Cradle-to-career tracks: (stages in order, household types, youngest and oldest age at identification).
TRACKS = (
    (("early_childhood", "kindergarten"), ("family",), 3, 4),
    (("elementary", "middle_school", "high_school"), ("family",), 10, 13),
    (
        ("high_school", "postsecondary_advising", "postsecondary", "workforce_training", "employment"),
        ("family", "youth"),
        16,
        18,
    ),
    (("postsecondary_advising", "postsecondary", "workforce_training", "employment"), ("youth",), 19, 24),
)
#: A rejected handoff is retried in the same episode, here where another stage fits, else at the same service.
RETRY_STAGES = {
    "permanent_supportive_housing": "rapid_rehousing",
    "rapid_rehousing": "other_permanent_housing",
    "emergency_shelter": "safe_haven",
    "transitional_housing": "rapid_rehousing",
    "postsecondary": "workforce_training",
}
#: Mean days from identification (or return) to housing, and the share ever housed, per group.
HOUSING = {
    "veteran": (7, 0.98),
    "chronic": (210, 0.45),
    "family": (75, 0.75),
    "youth": (100, 0.6),
    "single_adult": (120, 0.55),
    "c2c": (365, 0.1),
}
#: The share of housing placements made through the pathway, per group; the rest find housing on their own.
PATHWAY_SHARE = {"veteran": 0.85, "chronic": 0.8, "family": 0.7}
#: HMIS 3.12 destinations of a placement made through the pathway.
PATHWAY_DESTINATIONS = (435, 436)
INACTIVE_REASONS = {"no_contact": 45, "institution": 15, "left_area": 20, "not_literally_homeless": 12, "deceased": 4}
#: Reasons for going inactive that people come back from.
RETURNABLE_REASONS = ("institution", "left_area", "not_literally_homeless")
PLANS = {
    "completed": 38,
    "open": 10,
    "on_hold": 5,
    "rejected": 12,
    "cancelled": 7,
    "expired": 7,
    "failed": 7,
    "unanswered": 8,
    "entered_in_error": 3,
}
# Codes from events/handoff_vocabulary.py (free text there would be clear personal data); as many of each as
# before, so the demo's draws stay the same.
REJECT_REASONS = ("no_capacity", "not_eligible", "outside_service_area", "waitlist_closed")
CANCEL_REASONS = ("client_declined", "client_moved", "no_longer_needed")
FAIL_REASONS = ("lost_contact", "client_disengaged", "did_not_attend_intake")
HOLD_REASONS = ("awaiting_documents", "client_unavailable", "awaiting_unit")
OUTCOMES = {
    "emergency_shelter": "sheltered",
    "safe_haven": "sheltered",
    "transitional_housing": "housed",
    "coordinated_entry": "assessed",
    "rapid_rehousing": "housed",
    "permanent_supportive_housing": "housed",
    "other_permanent_housing": "housed",
    "employment": "employed",
}
NOTES = (
    "Prefers contact at the library on weekday mornings.",
    "Has a service animal.",
    "Spanish-speaking; bring an interpreter.",
    "Needs a ground-floor unit.",
    "Works night shifts.",
    "Usually stays near the river trail.",
    "Has a pending disability claim.",
    "Call the aunt if unreachable.",
)
RACES = {
    "white": 30,
    "black_af_american": 30,
    "hispanic_latina_o": 18,
    "am_ind_ak_native": 5,
    "asian": 4,
    "native_hi_pacific": 3,
    "mid_east_n_african": 2,
    "unknown": 5,
    "refused": 3,
}

#: Where each stage is offered: its agency and its handoff window in days (one service per stage).
AGENCY_OF = {stage: agency for agency, services in CATALOGUE.items() for _, stage, _ in services}
WINDOW_OF = {stage: window for services in CATALOGUE.values() for _, stage, window in services}

#: The outcome milestone each cradle-to-career stage assesses: (indicator, source, share of persons who meet it).
MILESTONES = {
    "kindergarten": ("kindergarten_readiness", "district_assessment", 0.62),
    "elementary": ("early_grade_reading", "state_assessment", 0.55),
    "middle_school": ("middle_school_math", "state_assessment", 0.48),
    "high_school": ("high_school_graduation", "school_record", 0.8),
    "postsecondary_advising": ("postsecondary_enrollment", "student_clearinghouse", 0.6),
    "postsecondary": ("postsecondary_completion", "student_clearinghouse", 0.4),
    "employment": ("employment", "wage_record", 0.7),
}
