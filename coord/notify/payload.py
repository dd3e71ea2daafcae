"""What a handoff event tells whom: the recipients of each event, and the payload they get.

The payload carries the handoff id, the episode, the services, the state, codes and dates, and a link: never a
person's id, name, date of birth or a note (notes are personal data, sealed in the log).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events.handoff import Handoff
from events.handoff_vocabulary import HANDOFF_EVENTS

RECEIVING, SENDING = "receiving", "sending"

#: Who is told of each handoff event: a request goes to the receiving agency, its answers to the sending one; a
#: withdrawal or a strike-out concerns both. Being put on hold or resumed is the receiver's own business.
RECIPIENTS: dict[str, tuple[str, ...]] = {
    "Requested": (RECEIVING,),
    "Accepted": (SENDING,),
    "Rejected": (SENDING,),
    "Started": (SENDING,),
    "Completed": (SENDING,),
    "Failed": (SENDING,),
    "Cancelled": (SENDING, RECEIVING),
    "EnteredInError": (SENDING, RECEIVING),
}

#: The payload's `type` of each event.
TYPES = {
    "Requested": "handoff.requested",
    "Accepted": "handoff.accepted",
    "Rejected": "handoff.rejected",
    "Started": "handoff.started",
    "Completed": "handoff.completed",
    "Failed": "handoff.failed",
    "Cancelled": "handoff.cancelled",
    "EnteredInError": "handoff.entered_in_error",
}


def event_name(event: Any) -> str | None:
    """The name of a handoff event that someone is told of; None for any other event."""
    name = type(event).__name__
    return name if isinstance(event, Handoff.Event) and name in RECIPIENTS else None


def recipients(name: str, handoff: Mapping[str, Any], service: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The agencies told of event `name`: the sending agency is the from-service's, or the requesting one's
    when there is no from-service; the receiving agency is the to-service's."""
    sides = {
        SENDING: service[handoff["from_service_id"]]["agency"] if handoff["from_service_id"] else handoff["agency"],
        RECEIVING: service[handoff["to_service_id"]]["agency"],
    }
    return list(dict.fromkeys(sides[side] for side in RECIPIENTS[name]))


def payload(
    event: Any,
    name: str,
    handoff: Mapping[str, Any],
    service: Mapping[str, Mapping[str, Any]],
    public_url: str,
) -> dict[str, Any]:
    """The body of every notification of this event, but its `event_id` (one per recipient and channel)."""

    def described(service_id: str | None) -> dict[str, str] | None:
        if service_id is None:
            return None
        row = service[service_id]
        return {"id": _uuid(service_id), "name": row["name"], "agency": row["agency"]}

    handoff_id = _uuid(handoff["id"])
    return {
        "type": TYPES[name],
        "handoff_id": handoff_id,
        "episode_id": _uuid(handoff["episode_id"]),
        "from_service": described(handoff["from_service_id"]),
        "to_service": described(handoff["to_service_id"]),
        "status": HANDOFF_EVENTS[name].leads_to,
        "reason": getattr(event, "reason", None),
        "outcome": getattr(event, "outcome", None),
        "effective_on": event.effective_on.isoformat(),
        "occurred_at": event.timestamp.isoformat(),
        "link": f"{public_url}/workspace/handoffs/{handoff_id}",
    }


def _uuid(hex_id: str) -> str:
    """Ids as the API writes them (8-4-4-4-12); the read models keep the bare hex."""
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"
