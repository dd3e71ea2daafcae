"""What each Handoff event means: the status it leads to, the statuses it may follow, what it must carry (and
from which code list), and what the handoff-gap report counts it as. The aggregate, the list and handoff-gaps
projectors and the request schema read this one table (docs/design.md, "Vocabularies"); none of them restates it.

Reasons and outcomes are codes, never free text: free text can hold personal data, and these values are clear,
shown to every role and kept after erasure. Anything more goes in the transition's note, sealed with the
person's key like the request note. The lists follow the FHIR Task `statusReason` (an example binding: FHIR
names no codes) and the HMIS coordinated-entry referral results (4.20 "Unsuccessful referral: client or
provider rejected"), kept short; `other` stands for anything they do not name."""

from dataclasses import dataclass

from events.vocabulary import HANDOFF_STATUSES, Meaning, moves_to

#: A cancellation with this reason code is an expiry: the gap report counts the handoff as expired.
EXPIRY_REASON = "expired"
#: The longest note on a transition (personal data, sealed), in characters.
TEXT_LENGTH = 500
#: Any reason or outcome its list does not name (say more in the note); a free-text reason or outcome stored
#: before the code lists reads as this (the events' upcasters in events/handoff.py), never in clear.
OTHER = "other"

REJECT_REASONS = (
    "no_capacity",
    "not_eligible",
    "outside_service_area",
    "waitlist_closed",
    "declined_by_client",
    "unable_to_contact",
    "duplicate_referral",
    OTHER,
)
CANCEL_REASONS = (EXPIRY_REASON, "client_declined", "client_moved", "no_longer_needed", "entered_elsewhere", OTHER)
HOLD_REASONS = ("awaiting_documents", "client_unavailable", "awaiting_unit", "awaiting_funding", OTHER)
FAIL_REASONS = ("lost_contact", "client_disengaged", "did_not_attend_intake", "not_eligible", OTHER)
#: Why a handoff was struck out (optional).
ERROR_REASONS = ("duplicate_referral", "wrong_person", "wrong_service", OTHER)
OUTCOMES = (
    "enrolled",
    "sheltered",
    "housed",
    "assessed",
    "service_delivered",
    "employed",
    "referred_elsewhere",
    OTHER,
)

#: Accepted and not closed: the receiving service works on it.
_TAKEN_UP = ("accepted", "in_progress", "on_hold")


@dataclass(frozen=True, kw_only=True)
class HandoffEvent(Meaning):
    #: The status it leads to waits for the receiving service's answer (overdue past due_on).
    awaits_answer: bool = False
    #: The receiving service picked the episode up.
    picks_up: bool = False
    #: It closes the handoff, counted as this by the gap report.
    closes_as: str | None = None
    #: The handoff was logged by mistake: it leaves every count.
    strikes_out: bool = False
    needs_reason: bool = False
    needs_outcome: bool = False
    #: The reason codes it takes (none: it takes no reason).
    reasons: tuple[str, ...] = ()
    #: The outcome codes it takes (none: it takes no outcome).
    outcomes: tuple[str, ...] = ()

    def closed_as(self, reason: str | None) -> str | None:
        """What the gap report counts the handoff as once this event closed it (None: it is not closed)."""
        if self.closes_as == "cancelled" and reason == EXPIRY_REASON:
            return "expired"
        return self.closes_as


HANDOFF_EVENTS: dict[str, HandoffEvent] = {
    "Requested": HandoffEvent(leads_to="requested", awaits_answer=True),
    "Accepted": HandoffEvent(leads_to="accepted", follows=("requested",), picks_up=True),
    "Rejected": HandoffEvent(
        leads_to="rejected",
        follows=("requested",),
        terminal=True,
        closes_as="rejected",
        needs_reason=True,
        reasons=REJECT_REASONS,
    ),
    "Cancelled": HandoffEvent(
        leads_to="cancelled",
        follows=("requested", *_TAKEN_UP),
        terminal=True,
        closes_as="cancelled",
        needs_reason=True,
        reasons=CANCEL_REASONS,
    ),
    "Started": HandoffEvent(leads_to="in_progress", follows=("accepted",)),
    "PutOnHold": HandoffEvent(
        leads_to="on_hold", follows=("accepted", "in_progress"), needs_reason=True, reasons=HOLD_REASONS
    ),
    "Resumed": HandoffEvent(leads_to="in_progress", follows=("on_hold",)),
    "Completed": HandoffEvent(
        leads_to="completed",
        follows=_TAKEN_UP,
        terminal=True,
        closes_as="completed",
        needs_outcome=True,
        outcomes=OUTCOMES,
    ),
    "Failed": HandoffEvent(
        leads_to="failed", follows=_TAKEN_UP, terminal=True, closes_as="failed", needs_reason=True, reasons=FAIL_REASONS
    ),
    # A handoff logged by mistake can be struck out from any state, once.
    "EnteredInError": HandoffEvent(
        leads_to="entered_in_error",
        follows=tuple(status for status in HANDOFF_STATUSES if status != "entered_in_error"),
        terminal=True,
        strikes_out=True,
        reasons=ERROR_REASONS,
    ),
}

#: The statuses a transition may ask for: every one but the status a handoff is requested in.
TRANSITION_TARGETS = tuple(status for status in HANDOFF_STATUSES if moves_to(HANDOFF_EVENTS, status))

#: Every reason code some event takes, for the request schema (the aggregate checks the event's own list).
REASONS = tuple(dict.fromkeys(code for meaning in HANDOFF_EVENTS.values() for code in meaning.reasons))


def as_code(value: str | None, codes: tuple[str, ...]) -> str | None:
    """A stored reason or outcome as a code: one of `codes` as is, anything else (free text) as `other`."""
    if value is None or value in codes:
        return value
    return OTHER
