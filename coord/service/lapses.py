"""The commands the scheduled jobs give: mark lapsed persons inactive and expire stale handoff requests.

Each decides on the aggregate (events/lapses.py), one record per write, so a sweep stopped halfway loses
nothing and a second run changes nothing. Candidates come from the list read model, caught up first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from uuid import UUID

from coord.service import permissions
from coord.service.principal import Principal
from coord.service.writes import Writes
from events import lapses
from events.handoff import Handoff
from events.person import Person
from projections.list_queries import expired_handoff_ids, lapsed_person_ids


class Lapses(Writes):
    def lapse_person(self, who: Principal, person_id: UUID, *, after_days: int, today: date) -> bool:
        """Mark the person inactive (no_contact) if nobody has seen them for `after_days` days by `today`."""
        permissions.require(who, permissions.RUN_JOBS)
        changed = [False]

        def lapse(person: Person) -> None:
            changed[0] = lapses.lapse(
                person, after_days=after_days, today=today, actor=who.id, agency=who.acting_agency
            )

        self._update(Person, person_id, lapse, None)
        return changed[0]

    def expire_handoff(self, who: Principal, handoff_id: UUID, *, after_days: int, today: date) -> bool:
        """Cancel the handoff (expired) if it is still requested `after_days` days after its request by `today`."""
        permissions.require(who, permissions.RUN_JOBS)
        changed = [False]

        def expire(handoff: Handoff) -> None:
            changed[0] = lapses.expire(
                handoff, after_days=after_days, today=today, actor=who.id, agency=who.acting_agency
            )

        self._update(Handoff, handoff_id, expire, None)
        return changed[0]

    def lapse_candidates(self, *, after_days: int, today: date) -> Iterator[UUID]:
        """Active persons the list says nobody has seen for `after_days` days by `today`."""
        seen_before = today - timedelta(days=after_days - 1)
        return self._candidates(lambda after: lapsed_person_ids(self.db, seen_before=seen_before, after=after))

    def expiry_candidates(self, *, after_days: int, today: date) -> Iterator[UUID]:
        """Handoffs the list says are still requested `after_days` days after their request by `today`."""
        requested_before = today - timedelta(days=after_days - 1)
        return self._candidates(
            lambda after: expired_handoff_ids(self.db, requested_before=requested_before, after=after)
        )

    def _candidates(self, page: Callable[[UUID | None], list[UUID]]) -> Iterator[UUID]:
        self.projections.run()  # the list as of the head of the log, not wherever the projector has reached
        after = None
        while ids := page(after):
            yield from ids
            after = ids[-1]
