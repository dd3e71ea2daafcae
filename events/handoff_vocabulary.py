"""What each Handoff event means: the status it leads to, the statuses it may follow, what it must carry, and
what the handoff-gap report counts it as. The aggregate, the list and handoff-gaps projectors and the request
schema read this one table (docs/design.md, "Vocabularies"); none of them restates it."""

from dataclasses import dataclass

from events.vocabulary import HANDOFF_STATUSES, Meaning, moves_to

#: A cancellation with this reason code is an expiry: the gap report counts the handoff as expired.
EXPIRY_REASON = "expired"
#: The longest reason or outcome, in characters.
TEXT_LENGTH = 500

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

    def closed_as(self, reason: str | None) -> str | None:
        """What the gap report counts the handoff as once this event closed it (None: it is not closed)."""
        if self.closes_as == "cancelled" and reason == EXPIRY_REASON:
            return "expired"
        return self.closes_as


HANDOFF_EVENTS: dict[str, HandoffEvent] = {
    "Requested": HandoffEvent(leads_to="requested", awaits_answer=True),
    "Accepted": HandoffEvent(leads_to="accepted", follows=("requested",), picks_up=True),
    "Rejected": HandoffEvent(
        leads_to="rejected", follows=("requested",), terminal=True, closes_as="rejected", needs_reason=True
    ),
    "Cancelled": HandoffEvent(
        leads_to="cancelled", follows=("requested", *_TAKEN_UP), terminal=True, closes_as="cancelled", needs_reason=True
    ),
    "Started": HandoffEvent(leads_to="in_progress", follows=("accepted",)),
    "PutOnHold": HandoffEvent(leads_to="on_hold", follows=("accepted", "in_progress"), needs_reason=True),
    "Resumed": HandoffEvent(leads_to="in_progress", follows=("on_hold",)),
    "Completed": HandoffEvent(
        leads_to="completed", follows=_TAKEN_UP, terminal=True, closes_as="completed", needs_outcome=True
    ),
    "Failed": HandoffEvent(leads_to="failed", follows=_TAKEN_UP, terminal=True, closes_as="failed", needs_reason=True),
    # A handoff logged by mistake can be struck out from any state, once.
    "EnteredInError": HandoffEvent(
        leads_to="entered_in_error",
        follows=tuple(status for status in HANDOFF_STATUSES if status != "entered_in_error"),
        terminal=True,
        strikes_out=True,
    ),
}

#: The statuses a transition may ask for: every one but the status a handoff is requested in.
TRANSITION_TARGETS = tuple(status for status in HANDOFF_STATUSES if moves_to(HANDOFF_EVENTS, status))
