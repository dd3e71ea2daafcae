"""The README's rights table ("Who uses it") walked at the application service, without HTTP, on SQLite and
PostgreSQL: every command and read of each row, as every role, for each relation of the caller's agency to
the record, with the exact outcome of every cell."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from coord.errors import ForbiddenError
from coord.hmis.importer import import_hmis
from coord.service import audit, permissions, reports, submissions
from coord.service.corrections import void_entry
from coord.service.outcomes import record_outcome
from coord.service.principal import ROLES, Principal
from coord.service.replay import replay
from events.dates import today
from events.handoff import Handoff
from events.person import Person
from tests.hmis_fixtures import client as hmis_client
from tests.hmis_fixtures import project as hmis_project
from tests.hmis_fixtures import write_export

OK, NO, SHOWN, HIDDEN = "allowed", "forbidden", "shown", "hidden"
#: The caller's agency in each relation. Persons are identified by harbor ("consented": gateway, which a
#: consent of the person covers); handoffs go from harbor's service to gateway's.
AGENCY = {
    "own": "harbor",
    "other": "gateway",
    "consented": "gateway",
    "sending": "harbor",
    "receiving": "gateway",
    "unrelated": "city",
}
PERSON = ("own", "other", "consented")
HANDOFF = ("receiving", "sending", "unrelated")
PII = {"first_name": "Ana", "last_name": "Lopez", "dob": "1990-05-06"}
NOTE = "bed near the door"
OWNER = Principal("owner", "case_manager", "harbor")
SETUP = Principal("setup", "admin")
PURPOSE = "rights test"


class World:
    """What a case acts on: a service per agency, and a fresh person or handoff whenever asked."""

    def __init__(self, coord: Any) -> None:
        self.coord, self.app = coord, coord.service
        self.services = {
            agency: self.app.register_service(SETUP, name=f"{agency} service", stage=stage, agency=agency).id
            for agency, stage in (("harbor", "outreach"), ("gateway", "emergency_shelter"), ("city", "prevention"))
        }

    def person(self, relation: str = "own") -> Person:
        person = self.app.identify_person(
            OWNER,
            attributes={"veteran": "no", "household_type": "single_adult"},
            pii=PII,
            effective_on=today(),
        )
        if relation == "consented":
            self.app.record_consent(OWNER, person.id, agencies=["gateway"], expires_on=None, effective_on=today())
        return person

    def handoff(self, relation: str = "own", *, accepted: bool = False, from_agency: str | None = "harbor") -> Handoff:
        handoff = self.app.request_handoff(
            OWNER,
            person_id=self.person(relation).id,
            from_service_id=self.services[from_agency] if from_agency else None,
            to_service_id=self.services["gateway"],
            requested_on=today(),
            note=NOTE,
        )
        if accepted:
            handoff = self.app.transition_handoff(SETUP, handoff.id, to="accepted", effective_on=today())
        return handoff


def _seen(value: Any, plaintext: Any) -> str:
    if value is None:
        return HIDDEN
    return SHOWN if value == plaintext else f"shown as {value!r}"


# -- one action per command: (world, caller, relation) -> an outcome, or anything else when it went through


def read_person(w: World, who: Principal, relation: str) -> str:
    return _seen(w.app.read_person(who, w.person(relation).id, PURPOSE).pii, PII)


def listed_person(w: World, who: Principal, relation: str) -> str:
    person = w.person(relation)
    items, _next_after = w.app.list_persons(who, PURPOSE, limit=1000)
    return _seen(next(seen.pii for seen in items if seen.person.id == person.id), PII)


def read_note(w: World, who: Principal, relation: str) -> str:
    return _seen(w.app.read_handoff(who, w.handoff(relation).id, PURPOSE).note, NOTE)


def read_erased(w: World, who: Principal, relation: str) -> str:
    person = w.person(relation)
    w.app.erase_person(SETUP, person.id)
    return _seen(w.app.read_person(who, person.id, PURPOSE).pii, PII)


def register(agency: str | None) -> Action:
    return lambda w, who, _r: w.app.register_service(who, name="Drop-in", stage="outreach", agency=agency)


def identify(agency: str | None) -> Action:
    attributes = {"veteran": "no", "household_type": "youth"}
    return lambda w, who, _r: w.app.identify_person(
        who, attributes=attributes, pii={}, effective_on=today(), agency=agency
    )


def contact(w: World, who: Principal, relation: str) -> None:
    w.app.record_contact(who, w.person(relation).id, effective_on=today())


def transition(w: World, who: Principal, relation: str) -> None:
    w.app.transition_person(who, w.person(relation).id, to="inactive", reason="left_area", effective_on=today())


def outcome(w: World, who: Principal, relation: str) -> None:
    indicator = {"indicator": "employment", "met": True, "source": "wage_record"}
    record_outcome(w.app, who, w.person(relation).id, **indicator, effective_on=today())


def death(w: World, who: Principal, relation: str) -> None:
    w.app.transition_person(who, w.person(relation).id, to="inactive", reason="deceased", effective_on=today())


def change(**changes: Any) -> Action:
    def act(w: World, who: Principal, relation: str) -> None:
        person_id = w.person(relation).id
        w.app.change_person(who, person_id, effective_on=today(), **{"attributes": {}, "pii": {}, **changes})

    return act


def correction(w: World, who: Principal, relation: str) -> None:
    person = w.app.record_contact(OWNER, w.person(relation).id, effective_on=today())
    void_entry(w.app, who, person.id, voids=person.version, reason="entered_in_error")


def entered_in_error(w: World, who: Principal, relation: str) -> None:
    person_id = w.person(relation).id
    w.app.transition_person(who, person_id, to="entered_in_error", reason="duplicate_record", effective_on=today())


def consent(w: World, who: Principal, relation: str) -> None:
    w.app.record_consent(who, w.person(relation).id, agencies=["city"], expires_on=None, effective_on=today())


def revoke(w: World, who: Principal, relation: str) -> None:
    person = w.person(relation)
    _person, consent_id = w.app.record_consent(
        OWNER, person.id, agencies=["city"], expires_on=None, effective_on=today()
    )
    w.app.revoke_consent(who, person.id, consent_id, effective_on=today())


def request(from_agency: str | None) -> Action:
    def act(w: World, who: Principal, relation: str) -> None:
        w.app.request_handoff(
            who,
            person_id=w.person(relation).id,
            from_service_id=w.services[from_agency] if from_agency else None,
            to_service_id=w.services["city"],
            requested_on=today(),
        )

    return act


def move(to: str, *, accepted: bool = False, from_agency: str | None = "harbor", **details: str) -> Action:
    def act(w: World, who: Principal, _relation: str) -> None:
        handoff = w.handoff(accepted=accepted, from_agency=from_agency)
        w.app.transition_handoff(who, handoff.id, to=to, effective_on=today(), **details)

    return act


def _latest_head(coord: Any, who: Principal) -> dict[str, Any]:
    """The latest signed head: the operator (the CLI) signs one first."""
    audit.checkpoint(coord)
    return audit.latest_checkpoint(coord, who)


def dashboard(_w: World, who: Principal, _relation: str) -> str:
    return OK if permissions.holds(who, permissions.READ_REPORTS) else NO


Action = Callable[[World, Principal, str], Any]


class Case(NamedTuple):
    row: str  # the README table's row
    command: str
    relations: tuple[str, ...]
    #: Per role: one outcome for every relation, or one per relation in the order of `relations`.
    expected: dict[str, str | tuple[str, ...]]
    action: Action


EVERYONE = dict.fromkeys(ROLES, OK)
WRITERS = {"case_manager": OK, "backbone": NO, "auditor": NO, "admin": OK}
OWN_AGENCY = {**WRITERS, "case_manager": (OK, NO, NO)}
MAY_SEE = {**WRITERS, "case_manager": (OK, NO, OK)}
RECEIVING = {**WRITERS, "case_manager": (OK, NO, NO)}
EITHER_SIDE = {**WRITERS, "case_manager": (OK, OK, NO)}
SEES = {"case_manager": (SHOWN, HIDDEN, SHOWN), "backbone": HIDDEN, "auditor": HIDDEN, "admin": SHOWN}
NOBODY = dict.fromkeys(ROLES, HIDDEN)
READERS = {"case_manager": NO, "backbone": OK, "auditor": OK, "admin": OK}
AUDITORS = {**READERS, "backbone": NO}
ADMINS = {**AUDITORS, "auditor": NO}
CLOSERS = {**READERS, "auditor": NO}

READ = "list and read services, persons, handoffs"
SEE = "see personal data"
REGISTER = "register a service"
IDENTIFY = "identify a person"
RECORD = "record contacts and status transitions, change attributes"
DEATH = "mark a person inactive as deceased"
PATCH_PII = "change a person's personal data"
CONSENT = "record or revoke consent"
OUTCOME = "record an outcome milestone"
CORRECTION = "record a correction: void an entry, or mark a person entered_in_error"
REQUEST = "request a handoff"
ANSWER = "accept, reject, start, hold, complete or fail a handoff"
WITHDRAW = "cancel a handoff or mark it entered_in_error"
REPORTS = "reports and the live stream"
CLOSE = "close a month, recording its built for zero submission"
AUDIT = "the event history, the access log, replay, verification and the latest signed head"
DUPLICATES = "possible duplicates"
ERASE = "erase personal data"
IMPORT = "import an hmis export"

TABLE = [
    Case(READ, "list_services", PERSON, EVERYONE, lambda w, who, _r: w.app.list_services(who)),
    Case(READ, "read_service", PERSON, EVERYONE, lambda w, who, _r: w.app.read_service(who, w.services["harbor"])),
    Case(READ, "list_persons", PERSON, EVERYONE, lambda w, who, _r: w.app.list_persons(who, PURPOSE, limit=5)),
    Case(READ, "read_person", PERSON, EVERYONE, lambda w, who, r: w.app.read_person(who, w.person(r).id, PURPOSE)),
    Case(READ, "list_handoffs", PERSON, EVERYONE, lambda w, who, _r: w.app.list_handoffs(who, PURPOSE, limit=5)),
    Case(READ, "read_handoff", PERSON, EVERYONE, lambda w, who, r: w.app.read_handoff(who, w.handoff(r).id, PURPOSE)),
    Case(SEE, "read_person", PERSON, SEES, read_person),
    Case(SEE, "list_persons", PERSON, SEES, listed_person),
    Case(SEE, "read_handoff's note", PERSON, SEES, read_note),
    Case(SEE, "read_person once erased", PERSON, NOBODY, read_erased),
    Case(REGISTER, "naming harbor", PERSON, OWN_AGENCY, register("harbor")),
    Case(REGISTER, "naming no agency", PERSON, WRITERS, register(None)),
    Case(IDENTIFY, "naming harbor", PERSON, OWN_AGENCY, identify("harbor")),
    Case(IDENTIFY, "naming no agency", PERSON, WRITERS, identify(None)),
    Case(RECORD, "record_contact", PERSON, WRITERS, contact),
    Case(RECORD, "transition_person", PERSON, WRITERS, transition),
    Case(RECORD, "change_person attributes", PERSON, WRITERS, change(attributes={"chronic": True})),
    Case(DEATH, "transition_person deceased", PERSON, OWN_AGENCY, death),
    Case(PATCH_PII, "change_person pii", PERSON, MAY_SEE, change(pii={"phone": "555-0100"})),
    Case(CONSENT, "record_consent", PERSON, OWN_AGENCY, consent),
    Case(OUTCOME, "record_outcome", PERSON, MAY_SEE, outcome),
    Case(CORRECTION, "void_entry", PERSON, OWN_AGENCY, correction),
    Case(CORRECTION, "transition_person entered_in_error", PERSON, OWN_AGENCY, entered_in_error),
    Case(CONSENT, "revoke_consent", PERSON, OWN_AGENCY, revoke),
    Case(REQUEST, "from harbor's service", PERSON, OWN_AGENCY, request("harbor")),
    Case(REQUEST, "from no service", PERSON, WRITERS, request(None)),
    Case(ANSWER, "accept", HANDOFF, RECEIVING, move("accepted")),
    Case(ANSWER, "reject", HANDOFF, RECEIVING, move("rejected", reason="no_capacity")),
    Case(ANSWER, "start", HANDOFF, RECEIVING, move("in_progress", accepted=True)),
    Case(ANSWER, "hold", HANDOFF, RECEIVING, move("on_hold", accepted=True, reason="awaiting_documents")),
    Case(ANSWER, "complete", HANDOFF, RECEIVING, move("completed", accepted=True, outcome="housed")),
    Case(ANSWER, "fail", HANDOFF, RECEIVING, move("failed", accepted=True, reason="lost_contact")),
    Case(WITHDRAW, "cancel", HANDOFF, EITHER_SIDE, move("cancelled", reason="client_moved")),
    Case(WITHDRAW, "entered_in_error", HANDOFF, EITHER_SIDE, move("entered_in_error", reason="duplicate_referral")),
    Case(
        WITHDRAW, "cancel, no from-service", HANDOFF, EITHER_SIDE, move("cancelled", from_agency=None, reason="other")
    ),
    Case(REPORTS, "counts (the stream)", PERSON, READERS, lambda w, who, _r: reports.counts(w.coord, who)),
    Case(REPORTS, "monthly", PERSON, READERS, lambda w, who, _r: reports.monthly_report(w.coord, who)),
    Case(REPORTS, "functional zero", PERSON, READERS, lambda w, who, _r: reports.functional_zero_report(w.coord, who)),
    Case(REPORTS, "handoff gaps", PERSON, READERS, lambda w, who, _r: reports.handoff_gaps_report(w.coord, who)),
    Case(REPORTS, "bfz", PERSON, READERS, lambda w, who, _r: reports.bfz_report(w.coord, who)),
    Case(REPORTS, "outcomes", PERSON, READERS, lambda w, who, _r: reports.outcomes_report(w.coord, who, by="sex")),
    Case(
        REPORTS,
        "monthly with revisions",
        PERSON,
        READERS,
        lambda w, who, _r: reports.monthly_report(w.coord, who, revisions=True),
    ),
    Case(REPORTS, "dashboard sign-in", PERSON, READERS, dashboard),
    Case(
        CLOSE,
        "close_month",
        PERSON,
        CLOSERS,
        lambda w, who, _r: submissions.close_month(w.coord, who, date(2026, 1, 1)),
    ),
    Case(AUDIT, "events", PERSON, AUDITORS, lambda w, who, _r: audit.events_page(w.coord, who)),
    Case(AUDIT, "access log", PERSON, AUDITORS, lambda w, who, _r: audit.access_page(w.coord, who)),
    Case(AUDIT, "replay", PERSON, AUDITORS, lambda w, who, _r: replay(w.coord, who, recorded_before=datetime.now(UTC))),
    Case(AUDIT, "verify", PERSON, AUDITORS, lambda w, who, _r: audit.verify(w.coord, who)),
    Case(AUDIT, "latest head", PERSON, AUDITORS, lambda w, who, _r: _latest_head(w.coord, who)),
    Case(DUPLICATES, "possible_duplicates", PERSON, ADMINS, lambda w, who, _r: w.app.possible_duplicates(who)),
    Case(ERASE, "erase_person", PERSON, ADMINS, lambda w, who, r: w.app.erase_person(who, w.person(r).id)),
    Case(IMPORT, "import_hmis (a dry run)", PERSON, ADMINS, lambda w, who, _r: _import(w.coord, who)),
]


def _import(coord: Any, who: Principal) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        write_export(Path(folder), clients=[hmis_client("1")], projects=[hmis_project("P1", 4)])
        return import_hmis(coord.service, who, Path(folder), inactive_days=90, dry_run=True)


def _outcome(case: Case, world: World, who: Principal, relation: str) -> str:
    try:
        result = case.action(world, who, relation)
    except ForbiddenError:
        return NO
    return result if isinstance(result, str) else OK


@pytest.mark.parametrize("case", TABLE, ids=[f"{case.row}: {case.command}" for case in TABLE])
def test_rights(coord, case):
    world = World(coord)
    expected, actual = {}, {}
    for role in ROLES:
        cells = case.expected[role]
        for index, relation in enumerate(case.relations):
            who = Principal(f"{role}@{relation}", role, AGENCY[relation])
            expected[role, relation] = cells if isinstance(cells, str) else cells[index]
            actual[role, relation] = _outcome(case, world, who, relation)
    assert actual == expected


def test_every_row_of_the_readme_table_is_walked():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    table = readme.split("| What | case_manager | backbone | auditor | admin |", 1)[1].split("\n\n", 1)[0]
    rows = [line.split("|")[1].strip() for line in table.splitlines()[2:]]
    named = [re.sub(r"\s*\(.*\)$", "", row).replace("`", "").lower() for row in rows]
    assert len(named) >= 14 and sorted(set(named)) == sorted({case.row for case in TABLE})
