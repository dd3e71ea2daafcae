"""Who may do what: every rule of the rights table (README "Who uses it", docs/design.md "Rights"), here only.

The application service asks before every command and read; the HTTP API, the dashboard and the CLI never
decide. A refusal is a ForbiddenError (HTTP 403).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from coord.errors import ForbiddenError
from coord.service.principal import ROLES, Principal
from events.agencies import check_agency
from events.handoff import Handoff
from events.person import Person
from events.vocabulary import DECEASED, ENTERED_IN_ERROR

ADMIN = "admin"


@dataclass(frozen=True)
class Right:
    """Something a role may do whatever its agency; `refusal` names the caller's {role}."""

    roles: tuple[str, ...]
    refusal: str


#: List and read services, persons and handoffs (personal data aside: see may_see_pii).
READ = Right(ROLES, "the {role} role may not read the list")
#: Every command; the agency rules below narrow what a case manager may write.
WRITE = Right(("case_manager", ADMIN), "the {role} role cannot write")
#: The reports, the live stream and the dashboard.
READ_REPORTS = Right(("backbone", "auditor", ADMIN), "the {role} role may not read reports")
#: Close a month: record its Built for Zero submission (docs/design.md "Reports").
CLOSE_MONTH = Right(("backbone", ADMIN), "the {role} role may not close a month")
#: The event history, the access log, replay and verification.
READ_AUDIT = Right(("auditor", ADMIN), "the {role} role may not read the audit history")
FIND_DUPLICATES = Right((ADMIN,), "the {role} role may not look for possible duplicates")
ERASE = Right((ADMIN,), "only an admin may erase a person's personal data")
IMPORT = Right((ADMIN,), "only an admin may import an HMIS export")
#: The scheduled jobs' commands (coord/jobs/): the system acts with an admin's rights.
RUN_JOBS = Right((ADMIN,), "only an admin may run the scheduled jobs")
#: Handoff moves either side may make (withdraw, strike out); every other move is the receiving agency's.
EITHER_SIDE_MOVES = ("cancelled", "entered_in_error")


def holds(who: Principal, right: Right) -> bool:
    return who.role in right.roles


def require(who: Principal, right: Right) -> None:
    if not holds(who, right):
        raise ForbiddenError(right.refusal.format(role=who.role))


def acting_agency(who: Principal, named: str | None) -> str:
    """Register a service, identify a person: a case manager for their own agency, an admin for any it names."""
    require(who, WRITE)
    if named and who.role == ADMIN:
        return check_agency(named)
    if named and named != who.agency:
        raise ForbiddenError("a case manager acts for their own agency only")
    return who.acting_agency


def may_see_pii(who: Principal, person: Person, on: date) -> bool:
    """Admins until erasure; a case manager of the identifying agency or of one an unexpired consent covers."""
    if person.erased or who.role in ("backbone", "auditor"):
        return False
    return who.role == ADMIN or (who.agency is not None and person.can_see_pii(who.agency, on))


def require_pii_change(who: Principal, person: Person, on: date) -> None:
    """Change a person's personal data: where the writer may see it."""
    require(who, WRITE)
    if not may_see_pii(who, person, on):
        raise ForbiddenError("only agencies that may see this person's personal data may change it")


def require_identifying_agency(who: Principal, person: Person, action: str) -> None:
    """Record or revoke consent: the identifying agency only, or an admin."""
    require(who, WRITE)
    if who.role != ADMIN and who.agency != person.agency:
        raise ForbiddenError(f"only the identifying agency or an admin may {action} for this person")


def require_outcome(who: Principal, person: Person, on: date) -> None:
    """Record an outcome: the identifying agency, an agency an unexpired consent covers on `on`, or an admin (an
    outcome is about the person's life: only an agency that knows who they are records one, erased or not)."""
    require(who, WRITE)
    if who.role != ADMIN and not (who.agency is not None and person.can_see_pii(who.agency, on)):
        raise ForbiddenError("only the identifying agency, an agency a consent covers or an admin may record outcomes")


def require_correction(who: Principal, person: Person) -> None:
    """Void an entry of a person's record: the identifying agency only, or an admin."""
    require_identifying_agency(who, person, "record a correction")


def require_person_move(who: Principal, person: Person, to: str, reason: str | None) -> None:
    """Record a status transition: any writer; a death or a person entered in error only the identifying
    agency or an admin."""
    require(who, WRITE)
    if to == "inactive" and reason == DECEASED:
        require_identifying_agency(who, person, "record a death")
    if to == ENTERED_IN_ERROR:
        require_identifying_agency(who, person, "mark a person entered in error")


def require_handoff_request(who: Principal, from_agency: str | None) -> None:
    """Request a handoff: from a service of the writer's own agency, or from no service."""
    require(who, WRITE)
    if from_agency is not None and who.role != ADMIN and from_agency != who.agency:
        raise ForbiddenError("a case manager may only hand off from a service of their own agency")


def require_handoff_move(who: Principal, handoff: Handoff, to: str, agency_of: Callable[[UUID], str]) -> None:
    """Move a handoff on: the receiving agency (the to-service's) answers; either side may withdraw it.
    `agency_of` names a service's agency."""
    require(who, WRITE)
    if who.role == ADMIN:
        return
    receiving = agency_of(handoff.to_service_id)
    # Without a from-service, the agency that asked is the sending side.
    sending = agency_of(handoff.from_service_id) if handoff.from_service_id else handoff.agency
    allowed = {receiving, sending} if to in EITHER_SIDE_MOVES else {receiving}
    if who.agency not in allowed:
        raise ForbiddenError(f"agency {who.agency!r} may not move this handoff to {to!r}")
