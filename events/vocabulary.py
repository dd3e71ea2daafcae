"""The controlled vocabularies (Built for Zero, HMIS FY2024/26, HL7 FHIR Task) and checks against them.
Values are stored as is in events, so renaming one is a data migration. What each event of an aggregate
means lives beside it (events/person_vocabulary.py, events/handoff_vocabulary.py), on the `Meaning` below."""

from collections.abc import Mapping
from dataclasses import dataclass

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

#: A duplicate or mistaken record: in no count, list or report, for any month (docs/design.md "Vocabularies").
ENTERED_IN_ERROR = "entered_in_error"
PERSON_STATUSES = ("active", "housed", "inactive", ENTERED_IN_ERROR)
#: A death is final: only the identifying agency or an admin records it, and no return follows it.
DECEASED = "deceased"
INACTIVE_REASONS = ("no_contact", "institution", "left_area", "not_literally_homeless", DECEASED)

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
#: HMIS 3.12 permanent destinations: where a person moves when housed.
PERMANENT_DESTINATIONS = range(400, 500)
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

#: The cradle-to-career outcome milestones a partnership measures, in the order of the path (docs/reports.md).
OUTCOME_INDICATORS = (
    "kindergarten_readiness",
    "early_grade_reading",
    "middle_school_math",
    "high_school_graduation",
    "postsecondary_enrollment",
    "postsecondary_completion",
    "employment",
)
#: Where an outcome was read from: a kind of record, never the record's own id (that could name the person).
OUTCOME_SOURCES = (
    "school_record",
    "state_assessment",
    "district_assessment",
    "student_clearinghouse",
    "wage_record",
    "employer_verification",
    "program_record",
    "self_report",
)


@dataclass(frozen=True, kw_only=True)
class Meaning:
    """What an event means for its aggregate's status; each aggregate's table adds what its readers need."""

    #: The status the event leads to; None: the status stays as it was.
    leads_to: str | None = None
    #: The statuses the event may follow; none: the event creates the aggregate.
    follows: tuple[str, ...] = ()
    #: The status it leads to is final: only a correction may follow it.
    terminal: bool = False


def moves_to(events: Mapping[str, Meaning], to: str) -> list[str]:
    """The events that move an aggregate to status `to`, leaving aside the one that creates it."""
    return [name for name, meaning in events.items() if meaning.leads_to == to and meaning.follows]


def move_from(events: Mapping[str, Meaning], status: str, to: str) -> str | None:
    """The event that moves an aggregate from `status` to `to`, if one may."""
    return next((name for name in moves_to(events, to) if status in events[name].follows), None)


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    """Refuse a value outside its vocabulary; the message lists the allowed values, never the given one."""
    if not isinstance(value, str) or value not in allowed:
        raise RuleError(f"{name} must be one of: {', '.join(allowed)}")


def whole_within(value: object, allowed: range) -> bool:
    """Whether `value` is a whole number (a bool is not one) within `allowed`."""
    return isinstance(value, int) and not isinstance(value, bool) and value in allowed


def check_destination(destination: object) -> None:
    """Refuse a missing destination, or one that is not an HMIS permanent destination code."""
    if destination is None:
        raise RuleError("a destination is required to house a person")
    if not whole_within(destination, PERMANENT_DESTINATIONS):
        first, last = PERMANENT_DESTINATIONS[0], PERMANENT_DESTINATIONS[-1]
        raise RuleError(f"destination must be an HMIS permanent destination code from {first} to {last}")


def check_text(name: str, value: object, max_length: int) -> None:
    """Refuse a missing, blank or overlong free-text value."""
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{name} must be a non-empty string")
    if len(value) > max_length:
        raise RuleError(f"{name} must be at most {max_length} characters")
