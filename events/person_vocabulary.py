"""What each Person event means: the status it leads to, the statuses it may follow, its Built for Zero flow.
The aggregate, the list and populations projectors and the timeline fold read this one table (docs/design.md,
"Vocabularies"); none of them restates it."""

from dataclasses import dataclass
from datetime import date

from events.dates import check_effective_date
from events.errors import DateRuleError, TransitionError
from events.vocabulary import ENTERED_IN_ERROR, PERSON_STATUSES, Meaning

#: The status of a person counted as actively homeless, in every population they belong to.
ACTIVE = "active"


@dataclass(frozen=True, kw_only=True)
class PersonEvent(Meaning):
    #: The Built for Zero flow the event counts as, in every population the person is (or was) counted in.
    flow: str | None = None
    #: The person was never on the list: none of their flows counts, in any month.
    strikes_out: bool = False


PERSON_EVENTS: dict[str, PersonEvent] = {
    "Identified": PersonEvent(leads_to=ACTIVE, flow="newly_identified"),
    "ContactRecorded": PersonEvent(follows=PERSON_STATUSES),
    # A cradle-to-career milestone assessed (events/outcomes.py): no status, no flow; the outcomes report reads it.
    "OutcomeRecorded": PersonEvent(follows=PERSON_STATUSES),
    "Housed": PersonEvent(leads_to="housed", follows=(ACTIVE,), flow="housing_placements"),
    "MarkedInactive": PersonEvent(leads_to="inactive", follows=(ACTIVE,), flow="moved_to_inactive"),
    "ReturnedFromHousing": PersonEvent(leads_to=ACTIVE, follows=("housed",), flow="returned_from_housing"),
    "ReturnedFromInactive": PersonEvent(leads_to=ACTIVE, follows=("inactive",), flow="returned_from_inactive"),
    # Attribute changes move a person into or out of populations; the timeline fold counts those flows.
    "AttributesChanged": PersonEvent(follows=PERSON_STATUSES),
    "Erased": PersonEvent(follows=PERSON_STATUSES),
    "ConsentRecorded": PersonEvent(follows=PERSON_STATUSES),
    "ConsentRevoked": PersonEvent(follows=PERSON_STATUSES),
    # The whole person was entered in error (a duplicate record): every fold leaves them out, for every month.
    "EnteredInError": PersonEvent(leads_to=ENTERED_IN_ERROR, follows=(ACTIVE, "housed", "inactive"), strikes_out=True),
    # The entry at version `voids` was entered in error: every fold skips it from then on, and a voided status
    # transition puts back the status before it (events/corrections.py).
    "EntryVoided": PersonEvent(follows=PERSON_STATUSES),
}


def check_move(name: str, status: str, effective_on: date, last_transition_on: date) -> None:
    """May a person in `status`, whose latest transition was on `last_transition_on`, make move `name`?"""
    meaning = PERSON_EVENTS[name]
    if status not in meaning.follows:
        allowed = " or ".join(f"'{follows}'" for follows in meaning.follows)
        raise TransitionError(
            f"cannot move person from '{status}' to '{meaning.leads_to}': "
            f"only a person who is {allowed} can become '{meaning.leads_to}'"
        )
    check_effective_date(effective_on)
    if effective_on < last_transition_on:
        raise DateRuleError(
            "a status change may not be dated before the person's latest status transition "
            f"on {last_transition_on.isoformat()}"
        )
