"""The controlled vocabularies (Built for Zero, HMIS FY2024/26, HL7 FHIR Task) and checks against them.
Values are stored as is in events, so renaming one is a data migration."""

from events.errors import RuleError

HOMELESSNESS_STAGES = (
    "outreach",
    "emergency_shelter",
    "transitional_housing",
    "safe_haven",
    "coordinated_entry",
    "rapid_rehousing",
    "permanent_supportive_housing",
    "other_permanent_housing",
    "prevention",
)
CRADLE_TO_CAREER_STAGES = (
    "early_childhood",
    "kindergarten",
    "elementary",
    "middle_school",
    "high_school",
    "postsecondary_advising",
    "postsecondary",
    "workforce_training",
    "employment",
)
STAGES = HOMELESSNESS_STAGES + CRADLE_TO_CAREER_STAGES

PERSON_STATUSES = ("active", "housed", "inactive")
INACTIVE_REASONS = ("no_contact", "institution", "left_area", "not_literally_homeless", "deceased")

# HMIS 3.04; "unknown" and "refused" stand alone in a person's list.
RACE_ETHNICITY = (
    "am_ind_ak_native",
    "asian",
    "black_af_american",
    "hispanic_latina_o",
    "mid_east_n_african",
    "native_hi_pacific",
    "white",
    "unknown",
    "refused",
)
SEXES = ("female", "male", "unknown", "refused")
# HMIS 3.06 (FY2024); the same stand-alone rule for "unknown" and "refused".
GENDERS = (
    "woman",
    "man",
    "culturally_specific",
    "transgender",
    "non_binary",
    "questioning",
    "different_identity",
    "unknown",
    "refused",
)
STAND_ALONE_VALUES = ("unknown", "refused")
VETERAN = ("yes", "no", "unknown")
HOUSEHOLD_TYPES = ("single_adult", "family", "youth")

HANDOFF_STATUSES = (
    "requested",
    "accepted",
    "rejected",
    "cancelled",
    "in_progress",
    "on_hold",
    "completed",
    "failed",
    "entered_in_error",
)
HANDOFF_PRIORITIES = ("routine", "urgent", "asap", "stat")

#: The clear (not personal) attributes of a person.
PERSON_ATTRIBUTES = (
    "birth_year",
    "race_ethnicity",
    "sex",
    "gender",
    "veteran",
    "chronic",
    "household_type",
    "source",
)


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    """Refuse a value outside its vocabulary; the message lists the allowed values, never the given one."""
    if not isinstance(value, str) or value not in allowed:
        raise RuleError(f"{name} must be one of: {', '.join(allowed)}")


def check_text(name: str, value: object, max_length: int) -> None:
    """Refuse a missing, blank or overlong free-text value."""
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{name} must be a non-empty string")
    if len(value) > max_length:
        raise RuleError(f"{name} must be at most {max_length} characters")
