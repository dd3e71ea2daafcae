"""The Person's corrections: each voidable entry voided leaves the state as if it had never been recorded
(the replay agrees), and each refusal says why."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from events.dates import today
from events.errors import NotFoundError, RuleError
from events.person import Person
from events.pii import PII

WHO = {"actor": "t", "agency": "harbor"}
START = today() - timedelta(days=60)


def on(day: int) -> date:
    return START + timedelta(days=day)


def person() -> Person:
    return Person.identify(
        id=uuid4(), attributes={"household_type": "single_adult", "veteran": "no"}, pii={}, effective_on=on(0), **WHO
    )


def void(p: Person, voids: int, reason: str = "entered_in_error", note: PII | None = None) -> None:
    p.void_entry(voids=voids, reason=reason, note=note, effective_on=today(), **WHO)


def replayed(p: Person) -> Person:
    aggregate = None
    for stored in p.collect_events():
        aggregate = stored.mutate(aggregate)
    return aggregate


def test_a_voided_contact_no_longer_counts_as_the_latest():
    p = person()
    p.record_contact(effective_on=on(5), **WHO)
    p.record_contact(effective_on=on(9), **WHO)
    void(p, 3, note=PII("recorded on the wrong file", p.id))
    assert p.last_contact_on == on(5) and replayed(p).last_contact_on == on(5)
    void(p, 2)
    assert p.last_contact_on == on(0)


def test_a_voided_attribute_change_leaves_the_timeline():
    p = person()
    p.change_attributes(attributes={"veteran": "yes"}, pii={}, effective_on=on(10), **WHO)
    p.change_attributes(attributes={"chronic": True}, pii={}, effective_on=on(3), **WHO)
    void(p, 2, reason="wrong_person")
    assert p.attributes["veteran"] == "no" and p.attributes["chronic"] is True
    assert p.attributes_on(on(20))["veteran"] == "no"
    assert replayed(p).attributes == p.attributes


@pytest.mark.parametrize(
    "steps, before",
    [
        (lambda p: p.house(destination=410, effective_on=on(4), **WHO), ("active", None, None, on(0))),
        (lambda p: p.mark_inactive(reason="deceased", effective_on=on(4), **WHO), ("active", None, None, on(0))),
        (
            lambda p: (
                p.house(destination=410, effective_on=on(2), **WHO),
                p.return_from_housing(effective_on=on(4), **WHO),
            ),
            ("housed", None, 410, on(2)),
        ),
        (
            lambda p: (
                p.mark_inactive(reason="left_area", effective_on=on(2), **WHO),
                p.return_from_inactive(effective_on=on(4), **WHO),
            ),
            ("inactive", "left_area", None, on(2)),
        ),
    ],
    ids=["housed", "deceased", "returned from housing", "returned from inactive"],
)
def test_the_latest_transition_voided_puts_back_the_status_before_it(steps, before):
    p = person()
    steps(p)
    void(p, p.version, reason="wrong_date")
    state = (p.status, p.inactive_reason, p.destination, p.last_transition_on)
    assert state == before
    again = replayed(p)
    assert (again.status, again.inactive_reason, again.destination, again.last_transition_on) == before


def test_refusals():
    p = person()
    p.house(destination=410, effective_on=on(2), **WHO)
    p.return_from_housing(effective_on=on(4), **WHO)
    p.record_consent(consent_id="c1", agencies=["gateway"], expires_on=None, effective_on=on(4), **WHO)
    with pytest.raises(RuleError, match="identification cannot be voided"):
        void(p, 1)
    with pytest.raises(RuleError, match="not the person's latest"):
        void(p, 2)
    with pytest.raises(RuleError, match="cannot be voided"):
        void(p, 4)
    with pytest.raises(NotFoundError):
        void(p, 99)
    with pytest.raises(NotFoundError):
        void(p, 0)
    with pytest.raises(RuleError, match="reason"):
        void(p, 3, reason="oops")
    with pytest.raises(RuleError, match="note"):
        void(p, 3, note=PII("x", uuid4()))
    void(p, 3)
    with pytest.raises(RuleError, match="already voided"):
        void(p, 3)
    with pytest.raises(RuleError, match="cannot be voided"):
        void(p, 5)
    p.erase(effective_on=today(), **WHO)
    with pytest.raises(RuleError, match="cannot be voided"):
        void(p, 6)
