"""What time does by itself, when nobody records anything: the two rules the scheduled jobs apply (coord/jobs/).

An active person with no contact for `after_days` days becomes inactive (reason `no_contact`), effective the day
the period ran out; a handoff still `requested` `after_days` days after it was requested is cancelled with the
expiry code, effective that day. Both are dated from the record, never from when the job runs, so a job run late
gives the same history as one run on time, and both do nothing the second time.
"""

from __future__ import annotations

from datetime import date, timedelta

from events.handoff import Handoff
from events.handoff_vocabulary import EXPIRY_REASON
from events.person import Person

#: The inactivity reason the sweep records (events/vocabulary.py INACTIVE_REASONS).
NO_CONTACT = "no_contact"


def no_contact_since(person: Person) -> date:
    """The last day anyone saw the person: a contact, or a move back onto the list (identification included)."""
    return max(person.last_contact_on, person.last_transition_on)


def lapse_due(person: Person, after_days: int) -> date | None:
    """The day an active person lapses to inactive; None for anyone not active."""
    if person.status != "active":
        return None
    return no_contact_since(person) + timedelta(days=after_days)


def lapse(person: Person, *, after_days: int, today: date, actor: str, agency: str) -> bool:
    """Mark the person inactive (no_contact) if they have lapsed by `today`; says whether it did."""
    due = lapse_due(person, after_days)
    if due is None or due > today:
        return False
    person.mark_inactive(reason=NO_CONTACT, effective_on=due, actor=actor, agency=agency)
    return True


def expiry_due(handoff: Handoff, after_days: int) -> date | None:
    """The day a handoff still waiting in `requested` expires; None once it was answered or withdrawn."""
    if handoff.status != "requested":
        return None
    return handoff.requested_on + timedelta(days=after_days)


def expire(handoff: Handoff, *, after_days: int, today: date, actor: str, agency: str) -> bool:
    """Cancel the handoff with the expiry code if it has expired by `today`; says whether it did."""
    due = expiry_due(handoff, after_days)
    if due is None or due > today:
        return False
    handoff.cancel(reason=EXPIRY_REASON, effective_on=due, actor=actor, agency=agency)
    return True
