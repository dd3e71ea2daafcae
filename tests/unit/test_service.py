"""Unit tests of the Service aggregate (the catalogue of services handoffs go between)."""

from datetime import timedelta
from uuid import UUID

import pytest

from events.dates import today
from events.errors import DateRuleError, RuleError
from events.service import Service
from events.vocabulary import STAGES

WHO = {"actor": "token-1", "agency": "north"}


def test_register_records_the_service() -> None:
    service = Service.register(name="  Street Outreach ", stage="outreach", effective_on=today(), **WHO)
    assert isinstance(service.id, UUID)
    assert (service.name, service.agency, service.stage) == ("Street Outreach", "north", "outreach")
    assert (service.handoff_window_days, service.registered_on) == (14, today())
    (registered,) = service.collect_events()
    assert type(registered).__name__ == "Registered"
    assert (registered.effective_on, registered.actor, registered.agency) == (today(), "token-1", "north")


@pytest.mark.parametrize("stage", [STAGES[0], STAGES[-1]])
def test_both_pathways_have_stages(stage: str) -> None:
    service = Service.register(name="S", stage=stage, handoff_window_days=365, effective_on=today(), **WHO)
    assert service.handoff_window_days == 365


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": " "},
        {"name": "x" * 201},
        {"stage": "kindergarden"},
        {"handoff_window_days": 0},
        {"handoff_window_days": 366},
        {"handoff_window_days": "14"},
        {"handoff_window_days": True},
    ],
    ids=repr,
)
def test_register_rules(overrides: dict[str, object]) -> None:
    fields = {"name": "S", "stage": "outreach", "effective_on": today(), **WHO, **overrides}
    with pytest.raises(RuleError):
        Service.register(**fields)


def test_register_date_rules() -> None:
    Service.register(name="S", stage="outreach", effective_on=today() + timedelta(days=1), **WHO)
    with pytest.raises(DateRuleError, match="future"):
        Service.register(name="S", stage="outreach", effective_on=today() + timedelta(days=2), **WHO)
