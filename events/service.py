"""A service in the partnership's catalogue (Open Referral-like): where handoffs go to and come from."""

from datetime import date

from eventsourcing.domain import Aggregate, event

from events.dates import check_not_future
from events.errors import RuleError
from events.vocabulary import STAGES, check_choice, check_text


class Service(Aggregate):
    """A service of one agency at one stage of the homelessness or cradle-to-career pathway."""

    @classmethod
    def register(
        cls,
        *,
        name: str,
        stage: str,
        handoff_window_days: int = 14,
        effective_on: date,
        actor: str,
        agency: str,
    ) -> "Service":
        check_text("name", name, 200)
        check_choice("stage", stage, STAGES)
        if (
            not isinstance(handoff_window_days, int)
            or isinstance(handoff_window_days, bool)
            or not 1 <= handoff_window_days <= 365
        ):
            raise RuleError("handoff_window_days must be a whole number of days from 1 to 365")
        check_not_future(effective_on)
        return cls(
            name=name.strip(),
            stage=stage,
            handoff_window_days=handoff_window_days,
            effective_on=effective_on,
            actor=actor,
            agency=agency,
        )

    @event("Registered")
    def __init__(
        self,
        *,
        name: str,
        stage: str,
        handoff_window_days: int,
        effective_on: date,
        actor: str,
        agency: str,
    ) -> None:
        self.name = name
        self.stage = stage
        self.handoff_window_days = handoff_window_days
        self.registered_on = effective_on
        # The agency that registers a service is the agency that runs it.
        self.agency = agency
