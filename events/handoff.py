"""A closed-loop handoff of a person from one service to another, after the HL7 FHIR SDOH referral Task.
Commands check every rule, then call one @event method that only mutates state (replay never re-checks)."""

from datetime import date
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from events.dates import check_date, check_not_future
from events.errors import DateRuleError, RuleError, TransitionError
from events.pii import PII
from events.vocabulary import HANDOFF_PRIORITIES, HANDOFF_STATUSES, check_choice, check_text

TERMINAL = frozenset({"rejected", "cancelled", "completed", "failed", "entered_in_error"})
NEEDS_REASON = frozenset({"rejected", "cancelled", "on_hold", "failed"})


class Handoff(Aggregate):
    """One request that a service pick up a person; retried as a new handoff in the same episode."""

    # From-state -> allowed to-states: the single source of truth for every command below. A handoff
    # logged by mistake can be struck out from any state, once.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        "requested": frozenset({"accepted", "rejected", "cancelled", "entered_in_error"}),
        "accepted": frozenset({"in_progress", "on_hold", "completed", "failed", "cancelled", "entered_in_error"}),
        "in_progress": frozenset({"on_hold", "completed", "failed", "cancelled", "entered_in_error"}),
        "on_hold": frozenset({"in_progress", "completed", "failed", "cancelled", "entered_in_error"}),
        "rejected": frozenset({"entered_in_error"}),
        "cancelled": frozenset({"entered_in_error"}),
        "completed": frozenset({"entered_in_error"}),
        "failed": frozenset({"entered_in_error"}),
        "entered_in_error": frozenset(),
    }

    @classmethod
    def request(
        cls,
        *,
        id: UUID | None = None,
        person_id: UUID,
        from_service_id: UUID | None,
        to_service_id: UUID,
        episode_id: UUID | None,
        requested_on: date,
        due_on: date,
        priority: str = "routine",
        note: PII | None = None,
        effective_on: date,
        actor: str,
        agency: str,
    ) -> "Handoff":
        for name, value in (("person_id", person_id), ("to_service_id", to_service_id)):
            if not isinstance(value, UUID):
                raise RuleError(f"{name} must be a UUID")
        for name, value in (("from_service_id", from_service_id), ("episode_id", episode_id)):
            if value is not None and not isinstance(value, UUID):
                raise RuleError(f"{name} must be a UUID or null")
        if from_service_id == to_service_id:
            raise RuleError("a handoff must go to a service other than the one it comes from")
        check_choice("priority", priority, HANDOFF_PRIORITIES)
        if note is not None and (not isinstance(note, PII) or note.subject != person_id):
            raise RuleError("note must be a PII value bound to the person handed off")
        check_not_future(requested_on, "requested_on")
        check_date(due_on, "due_on")
        if due_on < requested_on:
            raise DateRuleError("due_on may not be before requested_on")
        check_not_future(effective_on)
        return cls._create(
            cls.Requested,
            id=id,
            person_id=person_id,
            from_service_id=from_service_id,
            to_service_id=to_service_id,
            # Without an episode the handoff starts a new one; a retry names its first handoff's episode.
            episode_id=episode_id or uuid4(),
            requested_on=requested_on,
            due_on=due_on,
            priority=priority,
            note=note,
            effective_on=effective_on,
            actor=actor,
            agency=agency,
        )

    @event("Requested")
    def __init__(
        self,
        *,
        person_id: UUID,
        from_service_id: UUID | None,
        to_service_id: UUID,
        episode_id: UUID,
        requested_on: date,
        due_on: date,
        priority: str,
        note: PII | None,
        effective_on: date,
        actor: str,
        agency: str,
    ) -> None:
        # The requesting agency answers for the handoff when there is no from-service.
        self.agency = agency
        self.person_id = person_id
        self.from_service_id = from_service_id
        self.to_service_id = to_service_id
        self.episode_id = episode_id
        self.requested_on = requested_on
        self.due_on = due_on
        self.priority = priority
        self.note = note
        self.status = "requested"
        self.last_transition_on = requested_on
        self.accepted_on: date | None = None
        self.closed_on: date | None = None
        self.reason: str | None = None
        self.outcome: str | None = None

    def transition(
        self,
        *,
        to: str,
        effective_on: date,
        actor: str,
        agency: str,
        reason: str | None = None,
        outcome: str | None = None,
    ) -> None:
        """The API's single entry point: move to status `to` by the one command that leads there."""
        check_choice("to", to, HANDOFF_STATUSES)
        # The commands refuse a missing reason or outcome, after the state check, so that a refused
        # transition answers with the TransitionError whatever else is missing.
        who: dict[str, Any] = {"effective_on": effective_on, "actor": actor, "agency": agency}
        with_reason = {**who, "reason": reason}
        if to == "accepted":
            self.accept(**who)
        elif to == "rejected":
            self.reject(**with_reason)
        elif to == "cancelled":
            self.cancel(**with_reason)
        elif to == "in_progress" and self.status == "on_hold":
            self.resume(**who)
        elif to == "in_progress":
            self.start(**who)
        elif to == "on_hold":
            self.put_on_hold(**with_reason)
        elif to == "completed":
            self.complete(**{**who, "outcome": outcome})
        elif to == "failed":
            self.fail(**with_reason)
        elif to == "entered_in_error":
            self.enter_in_error(**with_reason)
        else:
            raise TransitionError(f"handoff is '{self.status}'; it cannot become '{to}'")

    def accept(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._check_move("accepted", effective_on)
        self._accepted(effective_on=effective_on, actor=actor, agency=agency)

    @event("Accepted")
    def _accepted(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._move("accepted", effective_on)
        self.accepted_on = effective_on

    def reject(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._check_move("rejected", effective_on, reason)
        self._rejected(reason=reason, effective_on=effective_on, actor=actor, agency=agency)

    @event("Rejected")
    def _rejected(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._move("rejected", effective_on, reason)

    def cancel(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        """Withdraw the request; the expiry job cancels with reason 'expired'."""
        self._check_move("cancelled", effective_on, reason)
        self._cancelled(reason=reason, effective_on=effective_on, actor=actor, agency=agency)

    @event("Cancelled")
    def _cancelled(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._move("cancelled", effective_on, reason)

    def start(self, *, effective_on: date, actor: str, agency: str) -> None:
        if self.status == "on_hold":
            raise TransitionError("handoff is 'on_hold'; it resumes, not starts, to become 'in_progress'")
        self._check_move("in_progress", effective_on)
        self._started(effective_on=effective_on, actor=actor, agency=agency)

    @event("Started")
    def _started(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._move("in_progress", effective_on)

    def put_on_hold(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._check_move("on_hold", effective_on, reason)
        self._put_on_hold(reason=reason, effective_on=effective_on, actor=actor, agency=agency)

    @event("PutOnHold")
    def _put_on_hold(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._move("on_hold", effective_on, reason)

    def resume(self, *, effective_on: date, actor: str, agency: str) -> None:
        if self.status != "on_hold":
            raise TransitionError(f"handoff is '{self.status}'; only a handoff 'on_hold' can resume")
        self._check_move("in_progress", effective_on)
        self._resumed(effective_on=effective_on, actor=actor, agency=agency)

    @event("Resumed")
    def _resumed(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._move("in_progress", effective_on)

    def complete(self, *, outcome: str, effective_on: date, actor: str, agency: str) -> None:
        self._check_move("completed", effective_on, outcome=outcome)
        self._completed(outcome=outcome, effective_on=effective_on, actor=actor, agency=agency)

    @event("Completed")
    def _completed(self, *, outcome: str, effective_on: date, actor: str, agency: str) -> None:
        self._move("completed", effective_on)
        self.outcome = outcome

    def fail(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._check_move("failed", effective_on, reason)
        self._failed(reason=reason, effective_on=effective_on, actor=actor, agency=agency)

    @event("Failed")
    def _failed(self, *, reason: str, effective_on: date, actor: str, agency: str) -> None:
        self._move("failed", effective_on, reason)

    def enter_in_error(self, *, reason: str | None = None, effective_on: date, actor: str, agency: str) -> None:
        self._check_move("entered_in_error", effective_on, reason)
        self._entered_in_error(reason=reason, effective_on=effective_on, actor=actor, agency=agency)

    @event("EnteredInError")
    def _entered_in_error(self, *, reason: str | None, effective_on: date, actor: str, agency: str) -> None:
        self._move("entered_in_error", effective_on, reason)

    def _check_move(self, to: str, effective_on: date, reason: str | None = None, outcome: str | None = None) -> None:
        """Refuse a move the state machine does not allow, a missing reason or outcome, or a bad date."""
        if to not in self.TRANSITIONS[self.status]:
            raise TransitionError(f"handoff is '{self.status}'; it cannot become '{to}'")
        if to in NEEDS_REASON and (not isinstance(reason, str) or not reason.strip()):
            raise RuleError(f"a reason is required to move a handoff to '{to}'")
        if reason is not None:
            check_text("reason", reason, 500)
        if to == "completed" and (not isinstance(outcome, str) or not outcome.strip()):
            raise RuleError("an outcome is required to move a handoff to 'completed'")
        if outcome is not None:
            check_text("outcome", outcome, 500)
        check_not_future(effective_on)
        if effective_on < self.last_transition_on:
            raise DateRuleError(
                "a handoff transition may not be dated before its latest transition "
                f"on {self.last_transition_on.isoformat()}"
            )

    def _move(self, status: str, effective_on: date, reason: str | None = None) -> None:
        self.status = status
        self.last_transition_on = effective_on
        # The reason explains the current status, so a move without one clears it.
        self.reason = reason
        if status in TERMINAL and self.closed_on is None:
            self.closed_on = effective_on
