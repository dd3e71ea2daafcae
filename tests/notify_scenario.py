"""A small partnership for the notification tests: harbor hands a person off from its outreach to gateway's
shelter. The person and the notes carry distinctive strings that must appear in no notification."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from coord.service.principal import Principal
from events.dates import today

HARBOR = Principal("cm-harbor", "case_manager", "harbor")
GATEWAY = Principal("cm-gateway", "case_manager", "gateway")
FIRST, LAST, DOB = "Zebedee", "Quintavalle-Marchbanks", "1961-04-17"
PERSON_NOTE = "Sleeps behind the Orpheum marquee"
HANDOFF_NOTE = "Allergic to penicillin, ask for Ottoline"
#: What no payload, header or email may contain.
PERSONAL = (FIRST, LAST, DOB, PERSON_NOTE, HANDOFF_NOTE, "Orpheum", "Ottoline", "penicillin")


@dataclass
class Scenario:
    outreach: UUID
    shelter: UUID
    person: UUID
    handoff: UUID
    episode: UUID


class Clock:
    """The notifier's time, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def partnership(app: Any) -> tuple[UUID, UUID]:
    outreach = app.register_service(HARBOR, name="Harbor street outreach", stage="outreach").id
    shelter = app.register_service(GATEWAY, name="Gateway shelter intake", stage="emergency_shelter").id
    return outreach, shelter


def request(app: Any, outreach: UUID, shelter: UUID, on: date | None = None) -> Scenario:
    on = on or today()
    person = app.identify_person(
        HARBOR,
        attributes={"veteran": "no", "household_type": "single_adult"},
        pii={"first_name": FIRST, "last_name": LAST, "dob": DOB, "notes": PERSON_NOTE},
        effective_on=on,
    ).id
    handoff = app.request_handoff(
        HARBOR, person_id=person, from_service_id=outreach, to_service_id=shelter, requested_on=on, note=HANDOFF_NOTE
    )
    return Scenario(outreach, shelter, person, handoff.id, handoff.episode_id)


def position(app: Any, aggregate_id: UUID, version: int) -> int:
    """The log position of an aggregate's event."""
    for notification in app.recorder.select_notifications(start=1, limit=100_000):
        if (notification.originator_id, notification.originator_version) == (aggregate_id, version):
            return notification.id
    raise AssertionError("no such event")


def occurred_at(app: Any, aggregate_id: UUID, version: int) -> str:
    events = list(app.repository.event_store.get(aggregate_id))
    return next(e for e in events if e.originator_version == version).timestamp.isoformat()


def expected(app: Any, s: Scenario, version: int, event_id: str, **changes: Any) -> dict[str, Any]:
    """The payload of the handoff's event `version` as the brief gives it."""
    return {
        "event_id": event_id,
        "type": "handoff.requested",
        "handoff_id": str(s.handoff),
        "episode_id": str(s.episode),
        "from_service": {"id": str(s.outreach), "name": "Harbor street outreach", "agency": "harbor"},
        "to_service": {"id": str(s.shelter), "name": "Gateway shelter intake", "agency": "gateway"},
        "status": "requested",
        "reason": None,
        "outcome": None,
        "effective_on": today().isoformat(),
        "occurred_at": occurred_at(app, s.handoff, version),
        "link": f"http://127.0.0.1:8000/workspace/handoffs/{s.handoff}",
        **changes,
    }


def configure(coord: Any, **settings: Any) -> None:
    """Notification settings for this test (the Config is frozen: replace it)."""
    coord.config = replace(coord.config, **settings)


def assert_nothing_personal(*texts: str | bytes, person: UUID | None = None) -> None:
    for text in texts:
        as_text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        for value in PERSONAL:
            assert value not in as_text
        if person is not None:
            assert str(person) not in as_text
            assert person.hex not in as_text
