"""Unit tests of the Handoff aggregate: the FHIR Task state machine, reasons and outcomes, date rules."""

from datetime import timedelta
from uuid import uuid4

import pytest

from events.dates import today
from events.errors import DateRuleError, RuleError, TransitionError
from events.handoff import Handoff
from events.handoff_vocabulary import (
    CANCEL_REASONS,
    ERROR_REASONS,
    FAIL_REASONS,
    HANDOFF_EVENTS,
    HOLD_REASONS,
    OUTCOMES,
    REJECT_REASONS,
)
from events.pii import PII
from events.vocabulary import HANDOFF_STATUSES

START = today() - timedelta(days=30)
WHO = {"actor": "token-1", "agency": "north"}

# DESIGN section 4, written out independently of the vocabulary's table so that the table itself is tested.
CLOSED = {"rejected", "cancelled", "completed", "failed"}
ALLOWED = {
    ("requested", "accepted"),
    ("requested", "rejected"),
    ("requested", "cancelled"),
    *{("accepted", to) for to in ("in_progress", "on_hold", "completed", "failed", "cancelled")},
    ("in_progress", "on_hold"),
    ("on_hold", "in_progress"),
    *{(state, to) for state in ("in_progress", "on_hold") for to in ("completed", "failed", "cancelled")},
    *{(state, "entered_in_error") for state in set(HANDOFF_STATUSES) - {"entered_in_error"}},
}
PATHS = {
    "requested": [],
    "accepted": ["accepted"],
    "rejected": ["rejected"],
    "cancelled": ["cancelled"],
    "in_progress": ["accepted", "in_progress"],
    "on_hold": ["accepted", "on_hold"],
    "completed": ["accepted", "completed"],
    "failed": ["accepted", "failed"],
    "entered_in_error": ["entered_in_error"],
}


def request(**overrides: object) -> Handoff:
    person_id = uuid4()
    fields = {
        "person_id": person_id,
        "from_service_id": uuid4(),
        "to_service_id": uuid4(),
        "episode_id": None,
        "requested_on": START,
        "due_on": START + timedelta(days=14),
        "note": PII("call after 5pm", person_id),
        "effective_on": START,
        **WHO,
        **overrides,
    }
    return Handoff.request(**fields)


def handoff_in(state: str) -> Handoff:
    handoff = request()
    for to in PATHS[state]:
        handoff.transition(to=to, reason="other", outcome="housed", effective_on=START, **WHO)
    handoff.collect_events()
    return handoff


def test_request_records_the_handoff() -> None:
    handoff_id, episode_id = uuid4(), uuid4()
    handoff = request(id=handoff_id, episode_id=episode_id, priority="urgent")
    assert (handoff.id, handoff.episode_id, handoff.status) == (handoff_id, episode_id, "requested")
    assert handoff.agency == "north"
    assert (handoff.priority, handoff.last_transition_on, handoff.accepted_on, handoff.closed_on) == (
        "urgent",
        START,
        None,
        None,
    )
    (requested,) = handoff.collect_events()
    assert type(requested).__name__ == "Requested"
    assert (requested.effective_on, requested.actor, requested.agency) == (START, "token-1", "north")


def test_a_handoff_without_an_episode_starts_a_new_one() -> None:
    first, second = request(), request()
    assert first.episode_id != second.episode_id
    assert first.id != second.id
    assert request(episode_id=first.episode_id).episode_id == first.episode_id


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"priority": "whenever"}, RuleError),
        ({"note": "call after 5pm"}, RuleError),
        ({"note": PII("call after 5pm", uuid4())}, RuleError),
        ({"person_id": "p-1"}, RuleError),
        ({"due_on": START - timedelta(days=1)}, DateRuleError),
        ({"requested_on": today() + timedelta(days=30)}, DateRuleError),
        ({"effective_on": today() + timedelta(days=30)}, DateRuleError),
    ],
    ids=[
        "priority",
        "note not PII",
        "note of another person",
        "person id",
        "due before requested",
        "requested in the future",
        "effective in the future",
    ],
)
def test_request_rules(overrides: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error) as refused:
        request(**overrides)
    assert "5pm" not in str(refused.value)


def test_a_handoff_goes_to_another_service() -> None:
    service_id = uuid4()
    with pytest.raises(RuleError, match="other than"):
        request(from_service_id=service_id, to_service_id=service_id)


def test_the_transition_table_matches_the_design() -> None:
    table = {(state, meaning.leads_to) for meaning in HANDOFF_EVENTS.values() for state in meaning.follows}
    assert table == ALLOWED
    assert {meaning.leads_to for meaning in HANDOFF_EVENTS.values()} == set(HANDOFF_STATUSES)
    assert {to for to, meaning in HANDOFF_EVENTS.items() if meaning.terminal} == {
        "Rejected",
        "Cancelled",
        "Completed",
        "Failed",
        "EnteredInError",
    }


@pytest.mark.parametrize("to", HANDOFF_STATUSES)
@pytest.mark.parametrize("state", HANDOFF_STATUSES)
def test_every_transition_is_allowed_or_refused(state: str, to: str) -> None:
    handoff = handoff_in(state)
    command = {"to": to, "reason": "other", "outcome": "housed", "effective_on": START, **WHO}
    if (state, to) in ALLOWED:
        handoff.transition(**command)
        assert (handoff.status, handoff.last_transition_on) == (to, START)
        assert len(handoff.collect_events()) == 1
    else:
        with pytest.raises(TransitionError, match=f"handoff is '{state}'; it cannot become '{to}'"):
            handoff.transition(**command)
        assert handoff.status == state


COMMANDS = [
    ("accepted", "accept", {}, "Accepted"),
    ("rejected", "reject", {"reason": "no_capacity"}, "Rejected"),
    ("cancelled", "cancel", {"reason": "expired"}, "Cancelled"),
    ("on_hold", "put_on_hold", {"reason": "client_unavailable"}, "PutOnHold"),
    ("completed", "complete", {"outcome": "enrolled"}, "Completed"),
    ("failed", "fail", {"reason": "lost_contact"}, "Failed"),
    ("entered_in_error", "enter_in_error", {}, "EnteredInError"),
]


@pytest.mark.parametrize("to, name, args, event_name", COMMANDS)
def test_each_command_records_its_event(to: str, name: str, args: dict[str, str], event_name: str) -> None:
    start_from = {"on_hold": "accepted", "completed": "on_hold", "failed": "on_hold"}
    handoff = handoff_in(start_from.get(to, "requested"))
    on = START + timedelta(days=1)
    getattr(handoff, name)(**args, effective_on=on, **WHO)
    (recorded,) = handoff.collect_events()
    assert type(recorded).__name__ == event_name
    assert (recorded.effective_on, recorded.actor, recorded.agency) == (on, "token-1", "north")
    assert handoff.status == to
    assert handoff.reason == args.get("reason")
    assert handoff.outcome == args.get("outcome")


def test_start_and_resume_both_lead_to_in_progress_from_their_own_state() -> None:
    handoff = handoff_in("accepted")
    handoff.start(effective_on=START, **WHO)
    with pytest.raises(TransitionError, match="'in_progress'"):
        handoff.resume(effective_on=START, **WHO)
    handoff.put_on_hold(reason="client_unavailable", effective_on=START, **WHO)
    with pytest.raises(TransitionError, match="'on_hold'; it cannot become 'in_progress' by Started, only by Resumed"):
        handoff.start(effective_on=START, **WHO)
    handoff.resume(effective_on=START, **WHO)
    assert [type(e).__name__ for e in handoff.collect_events()] == ["Started", "PutOnHold", "Resumed"]


@pytest.mark.parametrize("reason", [None, "", "   "])
@pytest.mark.parametrize("to", ["rejected", "cancelled", "on_hold", "failed"])
def test_a_reason_is_required(to: str, reason: str | None) -> None:
    handoff = handoff_in("accepted" if to in ("on_hold", "failed") else "requested")
    with pytest.raises(RuleError, match=f"a reason is required to move a handoff to '{to}'"):
        handoff.transition(to=to, reason=reason, effective_on=START, **WHO)


@pytest.mark.parametrize("outcome", [None, "", "   "])
def test_an_outcome_is_required_to_complete(outcome: str | None) -> None:
    with pytest.raises(RuleError, match="an outcome is required"):
        handoff_in("in_progress").transition(to="completed", outcome=outcome, effective_on=START, **WHO)


@pytest.mark.parametrize(
    ("to", "given", "codes"),
    [
        ("rejected", {"reason": "no capacity, client is HIV+"}, REJECT_REASONS),
        ("rejected", {"reason": "expired"}, REJECT_REASONS),
        ("cancelled", {"reason": "client moved in with her sister"}, CANCEL_REASONS),
        ("on_hold", {"reason": "in hospital"}, HOLD_REASONS),
        ("failed", {"reason": "lost contact"}, FAIL_REASONS),
        ("entered_in_error", {"reason": "duplicate of Jane Doe"}, ERROR_REASONS),
        ("completed", {"outcome": "moved into 12 Elm St"}, OUTCOMES),
    ],
)
def test_reasons_and_outcomes_are_codes_of_the_events_own_list(to: str, given: dict, codes: tuple[str, ...]) -> None:
    """Regression (issue 11, finding 10): free text was stored in clear, shown to every role, never erased."""
    handoff = handoff_in("in_progress" if to in ("on_hold", "failed", "completed") else "requested")
    name = "outcome" if "outcome" in given else "reason"
    with pytest.raises(RuleError) as refused:
        handoff.transition(to=to, effective_on=START, **given, **WHO)
    assert str(refused.value) == f"{name} must be one of: {', '.join(codes)}"
    assert (handoff.collect_events(), handoff.status) == (
        [],
        "in_progress" if name == "outcome" or to in ("on_hold", "failed") else "requested",
    )


def test_every_list_ends_in_other_and_the_expiry_code_is_a_cancellation() -> None:
    for codes in (REJECT_REASONS, CANCEL_REASONS, HOLD_REASONS, FAIL_REASONS, ERROR_REASONS, OUTCOMES):
        assert codes[-1] == "other"
    assert "expired" in CANCEL_REASONS and "expired" not in REJECT_REASONS


def test_a_note_is_sealed_for_the_person_and_goes_with_its_code() -> None:
    handoff = handoff_in("requested")
    note = PII("client asked us to call her sister", handoff.person_id)
    with pytest.raises(RuleError, match="reason_note must be a PII value bound to the person handed off"):
        handoff.transition(to="rejected", reason="other", reason_note=PII("x", uuid4()), effective_on=START, **WHO)
    with pytest.raises(RuleError, match="reason_note must be at most 500 characters"):
        handoff.reject(reason="other", reason_note=PII("x" * 501, handoff.person_id), effective_on=START, **WHO)
    with pytest.raises(RuleError, match="a reason_note explains a reason: give the reason code too"):
        handoff.enter_in_error(reason_note=note, effective_on=START, **WHO)
    with pytest.raises(RuleError, match="a handoff becoming 'accepted' takes no reason_note"):
        handoff.transition(to="accepted", reason_note=note, effective_on=START, **WHO)
    with pytest.raises(RuleError, match="a handoff becoming 'rejected' takes no outcome_note"):
        handoff.transition(to="rejected", reason="other", outcome_note=note, effective_on=START, **WHO)
    handoff.transition(to="rejected", reason="other", reason_note=note, effective_on=START, **WHO)
    assert (handoff.reason, handoff.reason_note, handoff.outcome_note) == ("other", note, None)
    assert handoff.sealed_notes() == {"note": handoff.note, "reason_note": note}


def test_a_move_without_a_reason_clears_the_reason_and_its_note() -> None:
    handoff = handoff_in("accepted")
    note = PII("in hospital until Friday", handoff.person_id)
    handoff.put_on_hold(reason="client_unavailable", reason_note=note, effective_on=START, **WHO)
    assert (handoff.reason, handoff.reason_note) == ("client_unavailable", note)
    handoff.resume(effective_on=START, **WHO)
    assert (handoff.reason, handoff.reason_note) == (None, None)
    done = PII("bed 14", handoff.person_id)
    handoff.complete(outcome="sheltered", outcome_note=done, effective_on=START, **WHO)
    assert (handoff.outcome, handoff.outcome_note, handoff.sealed_notes()) == (
        "sheltered",
        done,
        {"note": handoff.note, "outcome_note": done},
    )


@pytest.mark.parametrize(
    ("event", "stored", "read"),
    [
        ("Rejected", {"reason": "no capacity"}, {"reason": "other", "reason_note": None}),
        ("Rejected", {"reason": "no_capacity"}, {"reason": "no_capacity", "reason_note": None}),
        ("Cancelled", {"reason": "expired"}, {"reason": "expired", "reason_note": None}),
        ("Cancelled", {"reason": "client moved"}, {"reason": "other", "reason_note": None}),
        ("PutOnHold", {"reason": "in hospital"}, {"reason": "other", "reason_note": None}),
        ("Failed", {"reason": "lost_contact"}, {"reason": "lost_contact", "reason_note": None}),
        ("EnteredInError", {"reason": None}, {"reason": None, "reason_note": None}),
        ("EnteredInError", {"reason": "duplicate request"}, {"reason": "other", "reason_note": None}),
        ("Completed", {"outcome": "entered shelter"}, {"outcome": "other", "outcome_note": None}),
    ],
)
def test_events_from_before_the_code_lists_are_upcast(event: str, stored: dict, read: dict) -> None:
    """Version 1 of a reason- or outcome-carrying event held free text and no note: the library's upcaster
    (class_version 2, upcast_v1_v2) reads a value outside the event's list as `other`, never in clear."""
    cls = getattr(Handoff, event)
    assert cls.class_version == 2
    state = {**stored, "effective_on": START, "actor": "a", "agency": "north"}
    cls.upcast_v1_v2(state)
    assert state == {**read, "effective_on": START, "actor": "a", "agency": "north"}


def test_unknown_target_is_a_rule_error() -> None:
    with pytest.raises(RuleError, match="to must be one of"):
        handoff_in("requested").transition(to="done", effective_on=START, **WHO)


def test_transition_dates() -> None:
    handoff = handoff_in("requested")
    with pytest.raises(DateRuleError, match="latest transition"):
        handoff.accept(effective_on=START - timedelta(days=1), **WHO)
    with pytest.raises(DateRuleError, match="future"):
        handoff.accept(effective_on=today() + timedelta(days=2), **WHO)
    handoff.accept(effective_on=START + timedelta(days=3), **WHO)
    with pytest.raises(DateRuleError, match=(START + timedelta(days=3)).isoformat()):
        handoff.start(effective_on=START + timedelta(days=2), **WHO)
    handoff.start(effective_on=START + timedelta(days=3), **WHO)
    handoff.complete(outcome="enrolled", effective_on=today() + timedelta(days=1), **WHO)
    assert handoff.status == "completed"


def test_accepted_on_and_closed_on_keep_their_first_dates() -> None:
    handoff = handoff_in("requested")
    days = [START + timedelta(days=n) for n in range(5)]
    handoff.accept(effective_on=days[1], **WHO)
    handoff.put_on_hold(reason="client_unavailable", effective_on=days[2], **WHO)
    handoff.fail(reason="lost_contact", effective_on=days[3], **WHO)
    handoff.enter_in_error(effective_on=days[4], **WHO)
    assert (handoff.accepted_on, handoff.closed_on, handoff.status) == (days[1], days[3], "entered_in_error")


def test_replay_rebuilds_the_same_state() -> None:
    handoff = request()
    handoff.accept(effective_on=START, **WHO)
    handoff.cancel(reason="expired", effective_on=START, **WHO)
    events = handoff.collect_events()
    assert [type(e).__name__ for e in events] == ["Requested", "Accepted", "Cancelled"]
    replayed = None
    for stored in events:
        replayed = stored.mutate(replayed)
    assert replayed == handoff
