"""A closed-loop handoff of a person from one service to another, after the HL7 FHIR SDOH referral Task.
Commands check every rule, then call one @event method that only mutates state (replay never re-checks).
Which event may follow which status, and what it must carry, is the table in events/handoff_vocabulary.py."""

from datetime import date
from typing import Any, Unpack
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from events.dates import check_date, check_effective_date
from events.errors import DateRuleError, RuleError, TransitionError
from events.handoff_vocabulary import HANDOFF_EVENTS, TEXT_LENGTH, as_code
from events.pii import PII
from events.stamp import Stamp
from events.vocabulary import HANDOFF_PRIORITIES, HANDOFF_STATUSES, check_choice, check_text, move_from


class _WithReason(Aggregate.Event):
    """A handoff event that carries a reason code and its optional sealed note. Version 1 (before the code
    lists) carried a free-text reason and no note: its upcaster reads a reason outside the list as `other`."""

    class_version = 2
    reason: str
    reason_note: PII | None
    effective_on: date
    actor: str
    agency: str


def _reason_upcaster(name: str) -> Any:
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["reason"] = as_code(state.get("reason"), HANDOFF_EVENTS[name].reasons)
        state["reason_note"] = None

    return staticmethod(upcast_v1_v2)


class Handoff(Aggregate):
    """One request that a service pick up a person; retried as a new handoff in the same episode."""

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
        check_effective_date(requested_on, "requested_on")
        check_date(due_on, "due_on")
        if due_on < requested_on:
            raise DateRuleError("due_on may not be before requested_on")
        check_effective_date(effective_on)
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
        self.status = HANDOFF_EVENTS["Requested"].leads_to
        self.last_transition_on = requested_on
        self.accepted_on: date | None = None
        self.closed_on: date | None = None
        self.reason: str | None = None
        self.reason_note: PII | None = None
        self.outcome: str | None = None
        self.outcome_note: PII | None = None

    def transition(
        self,
        *,
        to: str,
        reason: str | None = None,
        outcome: str | None = None,
        reason_note: PII | None = None,
        outcome_note: PII | None = None,
        **stamp: Unpack[Stamp],
    ) -> None:
        """The API's single entry point: move to status `to` by the one event that leads there from here."""
        check_choice("to", to, HANDOFF_STATUSES)
        name = move_from(HANDOFF_EVENTS, self.status, to)
        if name is None:
            raise TransitionError(f"handoff is '{self.status}'; it cannot become '{to}'")
        meaning = HANDOFF_EVENTS[name]
        # A note goes with the code it explains: one the event does not take would be lost, so it is refused.
        if reason_note is not None and not meaning.reasons:
            raise RuleError(f"a handoff becoming '{to}' takes no reason_note")
        if outcome_note is not None and not meaning.outcomes:
            raise RuleError(f"a handoff becoming '{to}' takes no outcome_note")
        # The commands refuse a missing reason or outcome, after the state check, so that a refused
        # transition answers with the TransitionError whatever else is missing.
        who: dict[str, Any] = dict(stamp)
        with_reason = {**who, "reason": reason, "reason_note": reason_note}
        if name == "Accepted":
            self.accept(**who)
        elif name == "Rejected":
            self.reject(**with_reason)
        elif name == "Cancelled":
            self.cancel(**with_reason)
        elif name == "Started":
            self.start(**who)
        elif name == "PutOnHold":
            self.put_on_hold(**with_reason)
        elif name == "Resumed":
            self.resume(**who)
        elif name == "Completed":
            self.complete(**{**who, "outcome": outcome, "outcome_note": outcome_note})
        elif name == "Failed":
            self.fail(**with_reason)
        else:
            self.enter_in_error(**with_reason)

    def accept(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._check_move("Accepted", effective_on)
        self._accepted(effective_on=effective_on, actor=actor, agency=agency)

    @event("Accepted")
    def _accepted(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._move("Accepted", effective_on)
        self.accepted_on = effective_on

    def reject(
        self, *, reason: str, reason_note: PII | None = None, effective_on: date, actor: str, agency: str
    ) -> None:
        self._check_move("Rejected", effective_on, reason, note=reason_note)
        self._rejected(reason=reason, reason_note=reason_note, effective_on=effective_on, actor=actor, agency=agency)

    class Rejected(_WithReason):
        upcast_v1_v2 = _reason_upcaster("Rejected")

    @event(Rejected)
    def _rejected(self, *, reason: str, reason_note: PII | None, effective_on: date, actor: str, agency: str) -> None:
        self._move("Rejected", effective_on, reason, reason_note)

    def cancel(
        self, *, reason: str, reason_note: PII | None = None, effective_on: date, actor: str, agency: str
    ) -> None:
        """Withdraw the request; a cancellation whose reason is the expiry code counts as expired."""
        self._check_move("Cancelled", effective_on, reason, note=reason_note)
        self._cancelled(reason=reason, reason_note=reason_note, effective_on=effective_on, actor=actor, agency=agency)

    class Cancelled(_WithReason):
        upcast_v1_v2 = _reason_upcaster("Cancelled")

    @event(Cancelled)
    def _cancelled(self, *, reason: str, reason_note: PII | None, effective_on: date, actor: str, agency: str) -> None:
        self._move("Cancelled", effective_on, reason, reason_note)

    def start(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._check_move("Started", effective_on)
        self._started(effective_on=effective_on, actor=actor, agency=agency)

    @event("Started")
    def _started(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._move("Started", effective_on)

    def put_on_hold(
        self, *, reason: str, reason_note: PII | None = None, effective_on: date, actor: str, agency: str
    ) -> None:
        self._check_move("PutOnHold", effective_on, reason, note=reason_note)
        self._put_on_hold(reason=reason, reason_note=reason_note, effective_on=effective_on, actor=actor, agency=agency)

    class PutOnHold(_WithReason):
        upcast_v1_v2 = _reason_upcaster("PutOnHold")

    @event(PutOnHold)
    def _put_on_hold(
        self, *, reason: str, reason_note: PII | None, effective_on: date, actor: str, agency: str
    ) -> None:
        self._move("PutOnHold", effective_on, reason, reason_note)

    def resume(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._check_move("Resumed", effective_on)
        self._resumed(effective_on=effective_on, actor=actor, agency=agency)

    @event("Resumed")
    def _resumed(self, *, effective_on: date, actor: str, agency: str) -> None:
        self._move("Resumed", effective_on)

    def complete(
        self, *, outcome: str, outcome_note: PII | None = None, effective_on: date, actor: str, agency: str
    ) -> None:
        self._check_move("Completed", effective_on, outcome=outcome, note=outcome_note)
        self._completed(
            outcome=outcome, outcome_note=outcome_note, effective_on=effective_on, actor=actor, agency=agency
        )

    class Completed(Aggregate.Event):
        class_version = 2
        outcome: str
        outcome_note: PII | None
        effective_on: date
        actor: str
        agency: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Before the code list an outcome was free text: it reads as `other`, never in clear."""
            state["outcome"] = as_code(state["outcome"], HANDOFF_EVENTS["Completed"].outcomes)
            state["outcome_note"] = None

    @event(Completed)
    def _completed(
        self, *, outcome: str, outcome_note: PII | None, effective_on: date, actor: str, agency: str
    ) -> None:
        self._move("Completed", effective_on)
        self.outcome = outcome
        self.outcome_note = outcome_note

    def fail(self, *, reason: str, reason_note: PII | None = None, effective_on: date, actor: str, agency: str) -> None:
        self._check_move("Failed", effective_on, reason, note=reason_note)
        self._failed(reason=reason, reason_note=reason_note, effective_on=effective_on, actor=actor, agency=agency)

    class Failed(_WithReason):
        upcast_v1_v2 = _reason_upcaster("Failed")

    @event(Failed)
    def _failed(self, *, reason: str, reason_note: PII | None, effective_on: date, actor: str, agency: str) -> None:
        self._move("Failed", effective_on, reason, reason_note)

    def enter_in_error(
        self,
        *,
        reason: str | None = None,
        reason_note: PII | None = None,
        effective_on: date,
        actor: str,
        agency: str,
    ) -> None:
        self._check_move("EnteredInError", effective_on, reason, note=reason_note)
        self._entered_in_error(
            reason=reason, reason_note=reason_note, effective_on=effective_on, actor=actor, agency=agency
        )

    class EnteredInError(_WithReason):
        reason: str | None  # type: ignore[assignment] - optional here
        upcast_v1_v2 = _reason_upcaster("EnteredInError")

    @event(EnteredInError)
    def _entered_in_error(
        self, *, reason: str | None, reason_note: PII | None, effective_on: date, actor: str, agency: str
    ) -> None:
        self._move("EnteredInError", effective_on, reason, reason_note)

    def sealed_notes(self) -> dict[str, PII]:
        """The handoff's notes (personal data) by their field name, those it has."""
        notes = {"note": self.note, "reason_note": self.reason_note, "outcome_note": self.outcome_note}
        return {name: value for name, value in notes.items() if value is not None}

    def _check_move(
        self,
        name: str,
        effective_on: date,
        reason: str | None = None,
        outcome: str | None = None,
        note: PII | None = None,
    ) -> None:
        """Refuse an event the current status may not be followed by, a missing reason or outcome, one that is
        not in the event's code list, a note not sealed for the person, or a bad date."""
        meaning = HANDOFF_EVENTS[name]
        to = meaning.leads_to
        if self.status not in meaning.follows:
            other = move_from(HANDOFF_EVENTS, self.status, str(to))
            instead = f" by {name}, only by {other}" if other else ""
            raise TransitionError(f"handoff is '{self.status}'; it cannot become '{to}'{instead}")
        if meaning.needs_reason and (not isinstance(reason, str) or not reason.strip()):
            raise RuleError(f"a reason is required to move a handoff to '{to}'")
        if reason is not None:
            check_choice("reason", reason, meaning.reasons)
        if meaning.needs_outcome and (not isinstance(outcome, str) or not outcome.strip()):
            raise RuleError(f"an outcome is required to move a handoff to '{to}'")
        if outcome is not None:
            check_choice("outcome", outcome, meaning.outcomes)
        if note is not None:
            self._check_note(note, "reason" if meaning.reasons else "outcome", reason or outcome)
        check_effective_date(effective_on)
        if effective_on < self.last_transition_on:
            raise DateRuleError(
                "a handoff transition may not be dated before its latest transition "
                f"on {self.last_transition_on.isoformat()}"
            )

    def _check_note(self, note: PII, of: str, code: str | None) -> None:
        if not isinstance(note, PII) or note.subject != self.person_id:
            raise RuleError(f"{of}_note must be a PII value bound to the person handed off")
        if code is None:
            raise RuleError(f"a {of}_note explains a {of}: give the {of} code too")
        if note.plaintext is not None:
            check_text(f"{of}_note", note.plaintext, TEXT_LENGTH)

    def _move(self, name: str, effective_on: date, reason: str | None = None, reason_note: PII | None = None) -> None:
        meaning = HANDOFF_EVENTS[name]
        self.status = meaning.leads_to
        self.last_transition_on = effective_on
        # The reason explains the current status, so a move without one clears it (and its note).
        self.reason = reason
        self.reason_note = reason_note
        if meaning.terminal and self.closed_on is None:
            self.closed_on = effective_on
