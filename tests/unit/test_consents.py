"""Consents that have not started yet: revoking one before it starts means it never takes effect."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.consents import check_revocation, covers, new_consent
from events.dates import today
from events.errors import DateRuleError


def test_a_consent_not_started_yet_may_be_revoked_today_and_never_covers() -> None:
    tomorrow = today() + timedelta(days=1)
    consents = {"c": new_consent(["gateway"], None, tomorrow)}
    check_revocation(consents, "c", today())
    consents["c"]["revoked_on"] = today()
    assert not covers(consents.values(), "gateway", today())
    assert not covers(consents.values(), "gateway", tomorrow + timedelta(days=30))


def test_a_consent_that_has_started_may_not_be_revoked_before_it_started() -> None:
    started = today() - timedelta(days=10)
    consents = {"c": new_consent(None, None, started)}
    with pytest.raises(DateRuleError, match=f"^a consent may not be revoked before it was recorded on {started}"):
        check_revocation(consents, "c", started - timedelta(days=1))
    check_revocation(consents, "c", started)
