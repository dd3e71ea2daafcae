"""The person's fast copy (`Person.__deepcopy__`): the library's cache hands one out for every read and
command, so a command on the copy must never change the cached person, and the copy must be the person."""

import copy
import pickle
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from events.errors import DomainError
from events.person import Person
from events.pii import PII
from tests.unit.test_person import START, WHO, identify

DAY = st.integers(min_value=0, max_value=50).map(lambda n: START + timedelta(days=n))


def state(person: Person) -> dict[str, Any]:
    """Everything the person holds, by value."""
    return pickle.loads(pickle.dumps(vars(person)))


COMMANDS = st.one_of(
    st.tuples(st.just("record_contact"), DAY),
    st.tuples(st.just("house"), DAY),
    st.tuples(st.just("mark_inactive"), DAY),
    st.tuples(st.just("return_from_housing"), DAY),
    st.tuples(st.just("return_from_inactive"), DAY),
    st.tuples(st.just("change_attributes"), DAY),
    st.tuples(st.just("record_consent"), DAY),
    st.tuples(st.just("revoke_consent"), DAY),
    st.tuples(st.just("void_entry"), DAY),
    st.tuples(st.just("record_outcome"), DAY),
)


def apply(person: Person, name: str, day: Any) -> None:
    stamp = {"effective_on": day, **WHO}
    if name == "house":
        person.house(destination=410, **stamp)
    elif name == "mark_inactive":
        person.mark_inactive(reason="no_contact", **stamp)
    elif name == "change_attributes":
        person.change_attributes(
            attributes={"veteran": "yes" if person.attributes["veteran"] == "no" else "no"},
            pii={"first_name": PII("Bo", person.id)},
            **stamp,
        )
    elif name == "record_consent":
        person.record_consent(consent_id=f"c{person.version}", agencies=["south"], expires_on=None, **stamp)
    elif name == "revoke_consent":
        open_ones = [c for c, consent in person.consents.items() if consent["revoked_on"] is None]
        person.revoke_consent(consent_id=(open_ones or ["none"])[0], **stamp)
    elif name == "record_outcome":
        person.record_outcome(indicator="employment", met=True, source="wage_record", **stamp)
    elif name == "void_entry":
        person.void_entry(voids=max(person.entries), reason="wrong_person", note=None, **stamp)
    else:
        getattr(person, name)(**stamp)


@settings(max_examples=60, deadline=None)
@given(st.lists(COMMANDS, min_size=1, max_size=25))
def test_a_command_on_the_copy_leaves_the_person_as_it_was(commands: list[tuple[str, Any]]) -> None:
    person = identify()
    for name, day in commands:
        before = state(person)
        copied = copy.deepcopy(person)
        assert state(copied) == before
        try:
            apply(copied, name, day)
        except DomainError:
            continue
        assert state(person) == before, f"{name} on the copy changed the person"
        person = copied


def test_the_copy_shares_nothing_a_command_changes() -> None:
    person = identify()
    person.record_consent(consent_id="c1", agencies=["south"], expires_on=None, effective_on=START, **WHO)
    copied = copy.deepcopy(person)
    assert copied is not person and copied.id == person.id and copied.version == person.version
    for name in ("consents", "attribute_statements", "entries", "voided", "pii", "_pending_events"):
        assert getattr(copied, name) is not getattr(person, name), name
    assert copied.consents["c1"] is not person.consents["c1"]
    assert next(iter(copied.attribute_statements.values())) is not next(iter(person.attribute_statements.values()))
