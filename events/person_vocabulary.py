"""What each Person event means: the status it leads to, the statuses it may follow, its Built for Zero flow.
The aggregate, the list and populations projectors and the timeline fold read this one table (docs/design.md,
"Vocabularies"); none of them restates it."""

from dataclasses import dataclass

from events.vocabulary import PERSON_STATUSES, Meaning

#: The status of a person counted as actively homeless, in every population they belong to.
ACTIVE = "active"


@dataclass(frozen=True, kw_only=True)
class PersonEvent(Meaning):
    #: The Built for Zero flow the event counts as, in every population the person is (or was) counted in.
    flow: str | None = None


PERSON_EVENTS: dict[str, PersonEvent] = {
    "Identified": PersonEvent(leads_to=ACTIVE, flow="newly_identified"),
    "ContactRecorded": PersonEvent(follows=PERSON_STATUSES),
    "Housed": PersonEvent(leads_to="housed", follows=(ACTIVE,), flow="housing_placements"),
    "MarkedInactive": PersonEvent(leads_to="inactive", follows=(ACTIVE,), flow="moved_to_inactive"),
    "ReturnedFromHousing": PersonEvent(leads_to=ACTIVE, follows=("housed",), flow="returned_from_housing"),
    "ReturnedFromInactive": PersonEvent(leads_to=ACTIVE, follows=("inactive",), flow="returned_from_inactive"),
    # Attribute changes move a person into or out of populations; the timeline fold counts those flows.
    "AttributesChanged": PersonEvent(follows=PERSON_STATUSES),
    "Erased": PersonEvent(follows=PERSON_STATUSES),
    "ConsentRecorded": PersonEvent(follows=PERSON_STATUSES),
    "ConsentRevoked": PersonEvent(follows=PERSON_STATUSES),
    # The entry at version `voids` was entered in error: every fold skips it from then on, and a voided status
    # transition puts back the status before it (events/corrections.py).
    "EntryVoided": PersonEvent(follows=PERSON_STATUSES),
}
