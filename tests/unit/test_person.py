"""Unit tests of the Person aggregate: status machine, date rules, attributes, PII, consents, erasure."""

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.dates import today
from events.errors import DateRuleError, DomainError, ErasedError, NotFoundError, RuleError, TransitionError
from events.person import Person
from events.pii import PII
from events.populations import populations_of
from events.vocabulary import ENTERED_IN_ERROR, INACTIVE_REASONS, PERSON_STATUSES

START = today() - timedelta(days=60)
WHO = {"actor": "token-1", "agency": "north"}
ATTRIBUTES = {"household_type": "single_adult", "veteran": "no"}


def identify(on: date = START, **attributes: object) -> Person:
    person_id = uuid4()
    return Person.identify(
        id=person_id,
        attributes={**ATTRIBUTES, **attributes},
        pii={"first_name": PII("Ann", person_id)},
        effective_on=on,
        **WHO,
    )


def person_in(state: str) -> Person:
    """A person in `state`; "deceased" is inactive with reason deceased."""
    person = identify()
    if state == "housed":
        person.house(destination=410, effective_on=START, **WHO)
    elif state in ("inactive", "deceased"):
        reason = "deceased" if state == "deceased" else "no_contact"
        person.mark_inactive(reason=reason, effective_on=START, **WHO)
    person.collect_events()
    return person


def event_names(person: Person) -> list[str]:
    return [type(e).__name__ for e in person.collect_events()]


# Identification and attributes


def test_identify_uses_the_given_id_and_fills_defaults() -> None:
    person_id = uuid4()
    person = Person.identify(
        id=person_id, attributes=ATTRIBUTES, pii={}, effective_on=START, actor="token-1", agency="north"
    )
    assert person.id == person_id
    assert (person.status, person.agency) == ("active", "north")
    assert person.identified_on == person.last_contact_on == person.last_transition_on == START
    assert person.attributes == {
        "birth_year": None,
        "birth_month": None,  # derived from a dob, when one is given
        "race_ethnicity": ["unknown"],
        "sex": "unknown",
        "gender": None,
        "veteran": "no",
        "chronic": False,
        "household_type": "single_adult",
        "source": None,
    }
    (created,) = person.collect_events()
    assert type(created).__name__ == "Identified"
    assert created.originator_id == person_id


@pytest.mark.parametrize("missing", ["household_type", "veteran"])
def test_identify_requires_household_type_and_veteran(missing: str) -> None:
    attributes = {name: value for name, value in ATTRIBUTES.items() if name != missing}
    with pytest.raises(RuleError, match=missing):
        Person.identify(id=uuid4(), attributes=attributes, pii={}, effective_on=START, **WHO)


BAD_ATTRIBUTES = [
    {"household_type": "couple"},
    {"veteran": True},
    {"sex": "Ann"},
    {"race_ethnicity": "white"},
    {"race_ethnicity": []},
    {"race_ethnicity": ["white", "white"]},
    {"race_ethnicity": ["white", "unknown"]},
    {"race_ethnicity": ["martian"]},
    {"gender": ["man", "refused"]},
    {"gender": ["Ann"]},
    {"chronic": "yes"},
    {"birth_year": 1899},
    {"birth_year": today().year + 1},
    {"birth_year": "1980"},
    {"source": ""},
    {"nickname": "Ann"},
]


@pytest.mark.parametrize("bad", BAD_ATTRIBUTES, ids=repr)
def test_invalid_attributes_are_refused_without_echoing_the_value(bad: dict[str, object]) -> None:
    with pytest.raises(RuleError) as refused:
        identify(**bad)
    assert "Ann" not in str(refused.value)
    assert next(iter(bad)) in str(refused.value)
    with pytest.raises(RuleError):
        person_in("active").change_attributes(attributes=bad, pii={}, effective_on=START, **WHO)


def test_valid_lists_and_optional_values_are_accepted() -> None:
    person = identify(race_ethnicity=["asian", "white"], gender=["woman"], birth_year=1980, chronic=True)
    assert person.attributes["race_ethnicity"] == ["asian", "white"]
    assert person.populations == {"all", "single_adults", "chronic"}


@pytest.mark.parametrize(
    "pii",
    [
        {"nickname": "x"},
        {"first_name": "Ann"},
        {"first_name": None},
        {"first_name": PII("Ann", uuid4())},
    ],
    ids=["unknown field", "not PII", "None", "other subject"],
)
def test_pii_must_be_known_fields_bound_to_the_person(pii: dict[str, object]) -> None:
    person = person_in("active")
    with pytest.raises(RuleError) as refused:
        person.change_attributes(attributes={}, pii=pii, effective_on=START, **WHO)
    assert "Ann" not in str(refused.value)
    with pytest.raises(RuleError):
        Person.identify(id=uuid4(), attributes=ATTRIBUTES, pii=pii, effective_on=START, **WHO)


def test_change_attributes_records_the_statement_as_made() -> None:
    person = person_in("active")
    new_phone = PII("555-0100", person.id)
    changed = person.change_attributes(
        attributes={"veteran": "yes", "household_type": "single_adult"},
        pii={"first_name": person.pii["first_name"], "phone": new_phone},
        effective_on=START + timedelta(days=1),
        **WHO,
    )
    (event,) = person.collect_events()
    assert type(event).__name__ == "AttributesChanged"
    assert event.attributes == {"veteran": "yes", "household_type": "single_adult"}
    assert event.pii == {"first_name": person.pii["first_name"], "phone": new_phone}
    assert changed == ["veteran", "phone"]
    assert person.populations == {"all", "single_adults", "veterans"}
    assert set(person.pii) == {"first_name", "phone"}


def test_a_statement_repeating_the_value_in_force_is_recorded_and_changes_nothing() -> None:
    person = person_in("active")
    assert person.change_attributes(attributes=dict(ATTRIBUTES), pii={}, effective_on=START, **WHO) == []
    assert len(person.collect_events()) == 1


def test_a_change_that_states_nothing_is_refused() -> None:
    person = person_in("active")
    with pytest.raises(RuleError, match="at least one attribute"):
        person.change_attributes(attributes={}, pii={}, effective_on=START, **WHO)


def test_change_attributes_moves_the_person_between_populations() -> None:
    person = person_in("active")
    person.change_attributes(attributes={"household_type": "family"}, pii={}, effective_on=START, **WHO)
    assert person.populations == {"all", "families"}


@pytest.mark.parametrize(
    "attrs, expected",
    [
        (
            {"household_type": "single_adult", "veteran": "yes", "chronic": True},
            {"single_adults", "veterans", "chronic"},
        ),
        ({"household_type": "youth", "veteran": "unknown", "chronic": False}, {"youth"}),
        ({"household_type": "family", "veteran": "no", "chronic": False}, {"families"}),
    ],
)
def test_populations_of(attrs: dict[str, object], expected: set[str]) -> None:
    assert populations_of(attrs) == {"all"} | expected


# Status transitions

ALLOWED = {("active", "housed"), ("active", "inactive"), ("housed", "active"), ("inactive", "active")} | {
    (state, ENTERED_IN_ERROR) for state in ("active", "housed", "inactive", "deceased")
}


@pytest.mark.parametrize("target", PERSON_STATUSES)
@pytest.mark.parametrize("state", ["active", "housed", "inactive", "deceased"])
def test_every_transition_is_allowed_or_refused(state: str, target: str) -> None:
    person = person_in(state)
    current = "inactive" if state == "deceased" else state
    reason = "duplicate_record" if target == ENTERED_IN_ERROR else "left_area"
    command = {"to": target, "reason": reason, "destination": 410, "effective_on": START, **WHO}
    if (state, target) in ALLOWED:
        person.transition(**command)
        assert person.status == target
        assert person.last_transition_on == START
        assert len(person.collect_events()) == 1
    else:
        with pytest.raises(TransitionError, match=f"'{current}'"):
            person.transition(**command)
        assert person.status == current
        assert person.collect_events() == []


COMMANDS = {
    "house": ({"destination": 410}, "active", "Housed"),
    "mark_inactive": ({"reason": "institution"}, "active", "MarkedInactive"),
    "return_from_housing": ({}, "housed", "ReturnedFromHousing"),
    "return_from_inactive": ({}, "inactive", "ReturnedFromInactive"),
}


@pytest.mark.parametrize("state", ["active", "housed", "inactive", "deceased"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_from_every_state(name: str, state: str) -> None:
    args, from_state, event_name = COMMANDS[name]
    person = person_in(state)
    run = getattr(person, name)
    if state == from_state:
        run(**args, effective_on=START, **WHO)
        assert event_names(person) == [event_name]
    else:
        with pytest.raises(TransitionError) as refused:
            run(**args, effective_on=START, **WHO)
        current = "inactive" if state == "deceased" else state
        assert f"from '{current}'" in str(refused.value)


def test_refusals_name_current_and_requested_state() -> None:
    with pytest.raises(TransitionError, match="person is already 'housed'"):
        person_in("housed").transition(to="housed", destination=410, effective_on=START, **WHO)
    with pytest.raises(TransitionError, match="from 'inactive' to 'housed'"):
        person_in("inactive").transition(to="housed", destination=410, effective_on=START, **WHO)
    with pytest.raises(TransitionError, match="deceased"):
        person_in("deceased").transition(to="active", effective_on=START, **WHO)


def test_unknown_target_is_a_rule_error() -> None:
    with pytest.raises(RuleError, match="to must be one of"):
        person_in("active").transition(to="archived", effective_on=START, **WHO)


@pytest.mark.parametrize("destination", [None, 399, 500, "410", True])
def test_housing_needs_a_permanent_destination(destination: object) -> None:
    with pytest.raises(RuleError, match="destination"):
        person_in("active").transition(to="housed", destination=destination, effective_on=START, **WHO)


@pytest.mark.parametrize("reason", [None, "", "moved", "Deceased"])
def test_inactive_needs_a_known_reason(reason: object) -> None:
    with pytest.raises(RuleError, match="reason"):
        person_in("active").transition(to="inactive", reason=reason, effective_on=START, **WHO)


def test_transition_records_state_and_reason() -> None:
    person = person_in("active")
    person.transition(to="inactive", reason="institution", effective_on=START + timedelta(days=3), **WHO)
    assert (person.status, person.inactive_reason) == ("inactive", "institution")
    person.transition(to="active", effective_on=START + timedelta(days=5), **WHO)
    assert (person.status, person.inactive_reason) == ("active", None)
    person.transition(to="housed", destination=435, effective_on=START + timedelta(days=5), **WHO)
    assert (person.destination, person.last_transition_on) == (435, START + timedelta(days=5))
    assert event_names(person) == ["MarkedInactive", "ReturnedFromInactive", "Housed"]


# Date rules


def test_dates_may_be_tomorrow_but_not_later() -> None:
    tomorrow, later = today() + timedelta(days=1), today() + timedelta(days=2)
    with pytest.raises(DateRuleError, match="future"):
        identify(on=later)
    person = identify(on=tomorrow)
    for refused in (later, datetime.now()):
        error = RuleError if isinstance(refused, datetime) else DateRuleError
        with pytest.raises(error):
            person.record_contact(effective_on=refused, **WHO)
        with pytest.raises(error):
            person.transition(to="housed", destination=410, effective_on=refused, **WHO)
        with pytest.raises(error):
            person.change_attributes(attributes={"veteran": "yes"}, pii={}, effective_on=refused, **WHO)
        with pytest.raises(error):
            person.record_consent(consent_id="c", agencies=None, expires_on=None, effective_on=refused, **WHO)
        with pytest.raises(error):
            person.erase(effective_on=refused, **WHO)
    person.transition(to="housed", destination=410, effective_on=tomorrow, **WHO)
    assert person.status == "housed"


def test_transition_may_not_precede_the_latest_transition() -> None:
    person = person_in("active")
    person.house(destination=410, effective_on=START + timedelta(days=10), **WHO)
    housed_on = (START + timedelta(days=10)).isoformat()
    with pytest.raises(DateRuleError, match=f"latest status transition on {housed_on}"):
        person.transition(to="active", effective_on=START + timedelta(days=9), **WHO)
    person.transition(to="active", effective_on=START + timedelta(days=10), **WHO)
    assert person.status == "active"


def day(n: int) -> date:
    return START + timedelta(days=n)


def test_a_back_dated_change_applies_from_its_date_until_the_next_one() -> None:
    # Learnt on day 30 that the person has been a veteran since day 10, and on day 40 that they were not
    # between day 5 and day 10: every statement keeps its place on the timeline, whatever the recording order.
    person = person_in("active")
    person.house(destination=410, effective_on=day(20), **WHO)
    assert person.change_attributes(attributes={"veteran": "yes"}, pii={}, effective_on=day(10), **WHO) == ["veteran"]
    assert person.change_attributes(attributes={"veteran": "no"}, pii={}, effective_on=day(5), **WHO) == []
    assert person.change_attributes(attributes={"veteran": "yes"}, pii={}, effective_on=day(7), **WHO) == ["veteran"]
    assert [person.attributes_on(day(n))["veteran"] for n in (0, 5, 6, 7, 9, 10, 50)] == [
        "no", "no", "no", "yes", "yes", "yes", "yes"
    ]  # fmt: skip
    assert person.attributes["veteran"] == "yes"


def test_the_latest_statement_on_one_day_wins() -> None:
    person = person_in("active")
    assert person.change_attributes(attributes={"chronic": True}, pii={}, effective_on=day(3), **WHO) == ["chronic"]
    assert person.change_attributes(attributes={"chronic": True}, pii={}, effective_on=day(3), **WHO) == []
    assert person.change_attributes(attributes={"chronic": False}, pii={}, effective_on=day(3), **WHO) == ["chronic"]
    assert [person.attributes_on(day(n))["chronic"] for n in (2, 3, 4)] == [False, False, False]


def test_a_repeat_keeps_a_value_that_a_later_back_dated_change_would_otherwise_undo() -> None:
    person = person_in("active")
    person.change_attributes(attributes={"veteran": "yes"}, pii={}, effective_on=day(10), **WHO)
    assert person.change_attributes(attributes={"veteran": "yes"}, pii={}, effective_on=day(30), **WHO) == []
    assert person.change_attributes(attributes={"veteran": "no"}, pii={}, effective_on=day(20), **WHO) == ["veteran"]
    assert [person.attributes_on(day(n))["veteran"] for n in (10, 20, 30)] == ["yes", "no", "yes"]


def test_a_change_dated_before_identification_applies_from_identification() -> None:
    person = person_in("active")
    changed = person.change_attributes(attributes={"veteran": "yes"}, pii={}, effective_on=day(-30), **WHO)
    assert changed == ["veteran"]
    # Among changes dated before identification, the latest dated wins, whatever the recording order.
    assert person.change_attributes(attributes={"veteran": "no"}, pii={}, effective_on=day(-40), **WHO) == []
    assert person.attributes_on(day(-100))["veteran"] == "yes"
    assert person.attributes_on(START)["veteran"] == "yes"
    assert person.populations == {"all", "single_adults", "veterans"}


def test_a_change_may_be_dated_as_early_as_1900() -> None:
    person = person_in("active")
    assert person.change_attributes(attributes={"chronic": True}, pii={}, effective_on=date(1900, 1, 1), **WHO) == [
        "chronic"
    ]
    assert person.attributes_on(START)["chronic"] is True


def test_a_change_dated_tomorrow_is_not_current_until_tomorrow() -> None:
    person = person_in("active")
    tomorrow = today() + timedelta(days=1)
    assert person.change_attributes(attributes={"household_type": "family"}, pii={}, effective_on=tomorrow, **WHO) == [
        "household_type"
    ]
    assert person.attributes["household_type"] == "single_adult"
    assert person.populations == {"all", "single_adults"}
    assert person.attributes_on(tomorrow)["household_type"] == "family"
    with pytest.raises(DateRuleError):
        person.change_attributes(attributes={"chronic": True}, pii={}, effective_on=tomorrow + timedelta(days=1), **WHO)


def test_a_person_identified_tomorrow_shows_identifications_values() -> None:
    person = identify(on=today() + timedelta(days=1), veteran="yes")
    assert person.attributes["veteran"] == "yes"


@pytest.mark.parametrize("command", ["contact", "transition"])
def test_nothing_is_dated_before_identification(command: str) -> None:
    person = person_in("active")
    before = START - timedelta(days=1)
    with pytest.raises(DateRuleError):
        if command == "contact":
            person.record_contact(effective_on=before, **WHO)
        else:
            person.transition(to="housed", destination=410, effective_on=before, **WHO)


# Contacts


@pytest.mark.parametrize("state", ["active", "housed", "inactive", "deceased"])
def test_contacts_are_recorded_in_any_status_and_keep_the_latest_date(state: str) -> None:
    person = person_in(state)
    service_id = uuid4()
    person.record_contact(service_id=service_id, effective_on=START + timedelta(days=5), **WHO)
    person.record_contact(effective_on=START + timedelta(days=2), **WHO)
    assert person.last_contact_on == START + timedelta(days=5)
    first, second = person.collect_events()
    assert type(first).__name__ == "ContactRecorded"
    assert (first.service_id, second.service_id) == (service_id, None)


def test_contact_service_id_must_be_a_uuid() -> None:
    with pytest.raises(RuleError):
        person_in("active").record_contact(service_id="svc-1", effective_on=START, **WHO)


# Consent and visibility


def test_pii_visibility_follows_agency_and_consent() -> None:
    person = person_in("active")
    day = START + timedelta(days=10)
    assert person.can_see_pii("north", day)
    assert not person.can_see_pii("south", day)

    person.record_consent(consent_id="c1", agencies=["south"], expires_on=None, effective_on=day, **WHO)
    assert person.can_see_pii("south", day)
    assert not person.can_see_pii("south", day - timedelta(days=1))
    assert not person.can_see_pii("east", day)

    person.record_consent(consent_id="c2", agencies=None, expires_on=day + timedelta(days=30), effective_on=day, **WHO)
    assert person.can_see_pii("east", day + timedelta(days=30))
    assert not person.can_see_pii("east", day + timedelta(days=31))

    person.revoke_consent(consent_id="c1", effective_on=day + timedelta(days=1), **WHO)
    assert person.can_see_pii("south", day)
    assert person.can_see_pii("south", day + timedelta(days=1))  # still covered by c2, for all agencies
    person.revoke_consent(consent_id="c2", effective_on=day + timedelta(days=1), **WHO)
    assert not person.can_see_pii("south", day + timedelta(days=1))
    assert event_names(person) == ["ConsentRecorded", "ConsentRecorded", "ConsentRevoked", "ConsentRevoked"]


def test_consent_rules() -> None:
    person = person_in("active")
    consent = {"consent_id": "c1", "agencies": ["south"], "effective_on": START, **WHO}
    with pytest.raises(DateRuleError, match="expires_on"):
        person.record_consent(**consent, expires_on=START)
    with pytest.raises(RuleError, match="agencies"):
        person.record_consent(**{**consent, "agencies": []}, expires_on=None)
    with pytest.raises(RuleError, match="consent_id"):
        person.record_consent(**{**consent, "consent_id": " "}, expires_on=None)
    person.record_consent(**consent, expires_on=None)
    with pytest.raises(RuleError, match="already recorded"):
        person.record_consent(**consent, expires_on=None)
    with pytest.raises(NotFoundError):
        person.revoke_consent(consent_id="c9", effective_on=START, **WHO)
    with pytest.raises(DateRuleError):
        person.revoke_consent(consent_id="c1", effective_on=START - timedelta(days=1), **WHO)
    person.revoke_consent(consent_id="c1", effective_on=START, **WHO)
    with pytest.raises(TransitionError, match="revoked"):
        person.revoke_consent(consent_id="c1", effective_on=START, **WHO)


# Erasure


def test_erase_clears_pii_once_and_keeps_status_and_attributes() -> None:
    person = person_in("housed")
    person.erase(effective_on=START, **WHO)
    person.erase(effective_on=START, **WHO)
    assert event_names(person) == ["Erased"]
    assert (person.erased, person.pii, person.status) == (True, {}, "housed")
    assert person.attributes["household_type"] == "single_adult"


def test_erased_person_takes_no_new_pii_but_takes_attributes() -> None:
    person = person_in("active")
    person.erase(effective_on=START, **WHO)
    with pytest.raises(ErasedError):
        person.change_attributes(attributes={}, pii={"phone": PII("555", person.id)}, effective_on=START, **WHO)
    person.change_attributes(attributes={"veteran": "yes"}, pii={}, effective_on=START, **WHO)
    assert person.attributes["veteran"] == "yes"


# Events and replay


def test_events_carry_effective_date_actor_and_agency_and_replay_to_the_same_state() -> None:
    person = identify(race_ethnicity=["black_af_american"])
    on = START + timedelta(days=1)
    who = {"effective_on": on, "actor": "system:sweep", "agency": "south"}
    person.record_contact(**who)
    person.transition(to="inactive", reason="no_contact", **who)
    person.transition(to="active", **who)
    person.house(destination=410, **who)
    person.return_from_housing(**who)
    person.change_attributes(attributes={"chronic": True}, pii={"phone": PII("555", person.id)}, **who)
    person.record_consent(consent_id="c1", agencies=["east"], expires_on=None, **who)
    person.revoke_consent(consent_id="c1", **who)
    person.erase(**who)
    events = person.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Identified",
        "ContactRecorded",
        "MarkedInactive",
        "ReturnedFromInactive",
        "Housed",
        "ReturnedFromHousing",
        "AttributesChanged",
        "ConsentRecorded",
        "ConsentRevoked",
        "Erased",
    ]
    identified, *later = events
    assert (identified.effective_on, identified.actor, identified.agency) == (START, "token-1", "north")
    assert all((e.effective_on, e.actor, e.agency) == (on, "system:sweep", "south") for e in later)

    replayed = None
    for stored in events:
        replayed = stored.mutate(replayed)
    assert replayed == person
    # The identifying agency stays the person's agency whoever acts later.
    assert replayed.agency == "north"


# Property: the status always follows the last successful transition


TRANSITIONS = st.tuples(
    st.sampled_from(["house", "mark_inactive", "return_from_housing", "return_from_inactive"]),
    st.sampled_from(INACTIVE_REASONS),
    st.integers(min_value=-3, max_value=5),  # days after the previous command; negative back-dates
)


@settings(max_examples=200, database=None, deadline=None)
@given(st.lists(TRANSITIONS, max_size=25))
def test_random_transitions_keep_status_consistent(commands: list[tuple[str, str, int]]) -> None:
    person = person_in("active")
    status, reason, latest, on = "active", None, START, START
    for name, inactive_reason, step in commands:
        on += timedelta(days=step)
        args, from_status, _ = COMMANDS[name]
        args = {**args, "reason": inactive_reason} if name == "mark_inactive" else args
        allowed = (
            status == from_status
            and latest <= on <= today() + timedelta(days=1)
            and not (name == "return_from_inactive" and reason == "deceased")
        )
        try:
            getattr(person, name)(**args, effective_on=on, **WHO)
        except DomainError:
            assert not allowed
        else:
            assert allowed
            status = {"house": "housed", "mark_inactive": "inactive"}.get(name, "active")
            reason = inactive_reason if name == "mark_inactive" else None
            latest = on
        assert (person.status, person.last_transition_on, person.inactive_reason) == (status, latest, reason)
