"""A service in the partnership's catalogue (Open Referral-like): where handoffs go to and come from."""

from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from events.dates import check_effective_date
from events.errors import RuleError
from events.vocabulary import STAGES, check_choice, check_text, whole_within

#: The longest service name, in characters.
NAME_LENGTH = 200
#: Days a to-service has to pick a handoff up, unless the service says otherwise.
HANDOFF_WINDOW_DAYS = range(1, 366)
DEFAULT_HANDOFF_WINDOW_DAYS = 14


class Service(Aggregate):
    """A service of one agency at one stage of the homelessness or cradle-to-career pathway."""

    @classmethod
    def register(
        cls,
        *,
        name: str,
        stage: str,
        handoff_window_days: int = DEFAULT_HANDOFF_WINDOW_DAYS,
        effective_on: date,
        actor: str,
        agency: str,
        id: UUID | None = None,
    ) -> "Service":
        """`id`: a given id (an importer's, derived from the source's own); by default a new one."""
        check_text("name", name, NAME_LENGTH)
        check_choice("stage", stage, STAGES)
        if not whole_within(handoff_window_days, HANDOFF_WINDOW_DAYS):
            first, last = HANDOFF_WINDOW_DAYS[0], HANDOFF_WINDOW_DAYS[-1]
            raise RuleError(f"handoff_window_days must be a whole number of days from {first} to {last}")
        check_effective_date(effective_on)
        return cls._create(
            cls.Registered,
            id=id or uuid4(),
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
