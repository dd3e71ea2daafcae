"""Agency codes: the one definition of how an agency is named, on tokens, services, persons and consents.

The request schemas, the token store and the application service all check codes with what is here, so a
token can never be bound to an agency that every request would then refuse.
"""

from __future__ import annotations

import re

from events.errors import RuleError

AGENCY_CODE = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
AGENCY_RULE = "an agency code is 1-64 of a-z, 0-9, '_', '.', '-'"

_CODE = re.compile(AGENCY_CODE)


def check_agency(code: str) -> str:
    """The code itself when it is an agency code; else a RuleError saying what one looks like."""
    if not _CODE.fullmatch(code):
        raise RuleError(f"agency {code[:80]!r} is refused: {AGENCY_RULE}")
    return code
