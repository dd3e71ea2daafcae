"""Consents to see a person's personal data: recording one, revoking it, and whether one covers an agency on a
day. The Person aggregate keeps its consents as plain dicts, by consent id, and records the events."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from events.dates import check_date, check_effective_date, today
from events.errors import DateRuleError, NotFoundError, RuleError, TransitionError
from events.vocabulary import check_text

#: The longest consent id or agency code a consent names, in characters.
CODE_LENGTH = 100

Consent = dict[str, Any]


def check_new_consent(
    consents: Mapping[str, Consent],
    *,
    consent_id: str,
    agencies: list[str] | None,
    expires_on: date | None,
    effective_on: date,
) -> None:
    """A consent for `agencies` (None: all agencies), taking effect on `effective_on`, may be recorded."""
    check_text("consent_id", consent_id, CODE_LENGTH)
    if consent_id in consents:
        raise RuleError("a consent with this consent_id is already recorded")
    if agencies is not None:
        if not isinstance(agencies, list) or not agencies:
            raise RuleError("agencies must be a non-empty list of agency codes, or null for all agencies")
        for code in agencies:
            check_text("each agency code", code, CODE_LENGTH)
    check_effective_date(effective_on)
    if expires_on is not None:
        check_date(expires_on, "expires_on")
        if expires_on <= effective_on:
            raise DateRuleError("expires_on must be after the date the consent takes effect")


def new_consent(agencies: list[str] | None, expires_on: date | None, effective_on: date) -> Consent:
    return {
        "agencies": None if agencies is None else list(agencies),
        "expires_on": expires_on,
        "recorded_on": effective_on,
        "revoked_on": None,
    }


def check_revocation(consents: Mapping[str, Consent], consent_id: str, effective_on: date) -> None:
    """The consent exists and is not revoked yet. A consent that has started may not be revoked before it
    started; one that has not started yet may be revoked any day, so that it never takes effect."""
    consent = consents.get(consent_id)
    if consent is None:
        raise NotFoundError("no consent with this consent_id is recorded for the person")
    if consent["revoked_on"] is not None:
        raise TransitionError("consent is 'revoked'; it cannot be revoked again")
    check_effective_date(effective_on)
    if consent["recorded_on"] <= today() and effective_on < consent["recorded_on"]:
        raise DateRuleError(
            f"a consent may not be revoked before it was recorded on {consent['recorded_on'].isoformat()}"
        )


def covers(consents: Iterable[Consent], agency_code: str, on: date) -> bool:
    """Whether a consent in force on `on` lets `agency_code` see the person's PII."""
    return any(
        consent["recorded_on"] <= on
        and (consent["revoked_on"] is None or on < consent["revoked_on"])
        and (consent["expires_on"] is None or on <= consent["expires_on"])
        and (consent["agencies"] is None or agency_code in consent["agencies"])
        for consent in consents
    )
