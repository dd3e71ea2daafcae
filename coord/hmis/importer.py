"""Importing an HMIS export: each client's dated history (history.py) appended to the log as ordinary
events, by the importer (actor `system:hmis-import`, or the admin who uploads it).

Ids come from the source, so an import finds what an earlier one made: a person is
uuid5(`hmis:<SourceID>:<PersonalID>`), a service uuid5(`hmis:<SourceID>:project:<ProjectID>`). A client's
history is compared, step by step, with the steps the importer recorded for that person before (in force:
voided ones aside): the same steps append nothing; new steps after them are appended; from the first step
that differs (a later export contradicting an earlier one), the recorded steps are voided, latest first
(events/corrections.py), and the new ones appended. Each client's events commit in one transaction; the read
models catch up once at the end.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

from coord.hmis.export import read_export
from coord.hmis.history import Step, histories
from coord.hmis.records import Client, Export, Problem
from coord.hmis.summary import Summary
from coord.service import permissions
from coord.service.application import CoordApplication
from coord.service.principal import Principal
from events.agencies import check_agency
from events.dates import today
from events.errors import DomainError, NotFoundError
from events.person import Person
from events.pii import PII
from events.service import Service

#: The namespace of the ids derived from an export's own ids (a fixed, random UUID).
NAMESPACE = UUID("5b0c2e0e-6a8e-4f7e-9d55-3a0d2f6c1b7a")
JOB = "hmis-import"
#: HMIS 2.02.6 ProjectType -> the service's stage (types without a stage of their own: outreach).
STAGE_OF_PROJECT_TYPE = {
    0: "emergency_shelter",
    1: "emergency_shelter",
    2: "transitional_housing",
    3: "permanent_supportive_housing",
    4: "outreach",
    8: "safe_haven",
    9: "other_permanent_housing",
    10: "other_permanent_housing",
    11: "emergency_shelter",
    12: "prevention",
    13: "rapid_rehousing",
    14: "coordinated_entry",
}
#: What a step's kind needs, to tell one step from another.
STEP_KINDS = ("Identified", "ContactRecorded", "AttributesChanged", "Housed", "MarkedInactive")
RETURNS = ("ReturnedFromInactive", "ReturnedFromHousing")


def person_id_of(source_id: str, personal_id: str) -> UUID:
    return uuid5(NAMESPACE, f"hmis:{source_id}:{personal_id}")


def service_id_of(source_id: str, project_id: str) -> UUID:
    return uuid5(NAMESPACE, f"hmis:{source_id}:project:{project_id}")


def default_agency(export: Export) -> str:
    return "hmis-" + (re.sub(r"[^a-z0-9-]+", "-", export.source_id.lower()).strip("-") or "source")


def import_hmis(app: CoordApplication, who: Principal, path: Path, **options: Any) -> Summary:
    """Read, check and import the export at `path` (a folder or a zip); ExportError when it cannot be read.
    The options are `import_export`'s."""
    permissions.require(who, permissions.IMPORT)  # before anything of the upload is read
    return import_export(app, who, read_export(path), **options)


def import_export(
    app: CoordApplication,
    who: Principal,
    export: Export,
    *,
    inactive_days: int,
    agency: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Import an export already read and checked; `progress` is called once per client."""
    permissions.require(who, permissions.IMPORT)
    if agency is not None:
        check_agency(agency)
    importer = _Importer(app, who, export, agency or default_agency(export), dry_run)
    importer.summary.skipped.update(export.skipped)
    importer.summary.problems.extend(export.problems)
    importer.summary.skipped.update(Counter(p.reason for p in export.problems))
    project_on_write, app.project_on_write = app.project_on_write, False
    try:
        # Many clients a transaction (coord/service/batching.py); a dry run saves nothing anyway.
        with app.batch():
            importer.services()
            for personal_id, steps in histories(export, inactive_days):
                importer.client(personal_id, steps)
                if progress:
                    progress(1)
    finally:
        app.project_on_write = project_on_write
    if not dry_run:
        app.projections.run()
    return importer.summary


class _Importer:
    def __init__(self, app: CoordApplication, who: Principal, export: Export, agency: str, dry_run: bool) -> None:
        self.app, self.who, self.export, self.agency, self.dry_run = app, who, export, agency, dry_run
        self.summary = Summary(dry_run=dry_run)

    def services(self) -> None:
        for project in self.export.projects.values():
            service_id = service_id_of(self.export.source_id, project.project_id)
            try:
                self.app.get_service(service_id)
                continue
            except NotFoundError:
                pass
            service = Service.register(
                id=service_id,
                name=(project.name or f"HMIS project {project.project_id}")[:200],
                stage=STAGE_OF_PROJECT_TYPE.get(project.project_type or -1, "outreach"),
                effective_on=self.export.start,
                actor=self.who.id,
                agency=self.agency,
            )
            self.summary.services_created += 1
            self.summary.events["Registered"] += 1
            if not self.dry_run:
                self.app._save(service)

    def client(self, personal_id: str, steps: list[Step]) -> None:
        self.summary.clients += 1
        if not steps:
            return
        person_id = person_id_of(self.export.source_id, personal_id)
        recorded = self._recorded(person_id)
        if recorded is None:
            self.summary.created += 1
            self._create(person_id, self.export.clients[personal_id], steps)
            return
        self.summary.matched += 1
        keys = [self._key(step) for step in steps]
        same = 0
        while same < min(len(recorded), len(keys)) and recorded[same][1] == keys[same]:
            same += 1
        if same == len(recorded) == len(keys):
            return
        if same == 0:
            self._problem(personal_id, "a later export identifies this client on another day; not imported")
            return
        stale = [version for version, _ in reversed(recorded[same:])]

        def update(person: Person) -> None:
            for version in stale:
                person.void_entry(voids=version, reason="entered_in_error", note=None, **self._stamp())
                self.summary.events["EntryVoided"] += 1
            self._apply(person, personal_id, steps[same:])

        if self.dry_run:
            self.summary.events["EntryVoided"] += len(stale)
            self.summary.events.update(step.kind for step in steps[same:])
            return
        self.app._update(Person, person_id, update, None)

    def _create(self, person_id: UUID, client: Client, steps: list[Step]) -> None:
        first, rest = steps[0], steps[1:]
        if self.dry_run:
            self.summary.events.update(step.kind for step in steps)
            return
        pii = {
            name: value
            for name, value in (
                ("first_name", client.first_name),
                ("last_name", client.last_name),
                ("dob", client.dob.isoformat() if client.dob else None),
                ("ssn_last4", client.ssn_last4),
            )
            if value
        }
        source = f"hmis:{self.export.source_id}:{client.personal_id}"
        with self.app.keystore.new_key(person_id) as key_row:
            try:
                person = Person.identify(
                    id=person_id,
                    attributes={**(first.attributes or {}), "source": source[:200]},
                    pii={name: PII(value, person_id) for name, value in pii.items()},
                    effective_on=first.on,
                    actor=self.who.id,
                    agency=self.agency,
                )
            except DomainError as error:
                self._problem(client.personal_id, f"not identified: {error}")
                return
            self.summary.events["Identified"] += 1
            self._apply(person, client.personal_id, rest)
            self.app._save(person, rows=[key_row, *self.app._index_rows(person_id, self.agency, pii)])

    def _apply(self, person: Person, personal_id: str, steps: Iterable[Step]) -> None:
        """Apply the steps in order; a step the person refuses is reported and ends this client's import."""
        for step in steps:
            stamp = {"effective_on": step.on, "actor": self.who.id, "agency": self.agency}
            try:
                if step.kind == "ContactRecorded":
                    person.record_contact(service_id=self._service(step), **stamp)
                elif step.kind == "AttributesChanged":
                    person.change_attributes(attributes=step.attributes or {}, pii={}, **stamp)
                elif step.kind == "Housed":
                    person.transition(to="housed", destination=step.destination, **stamp)
                elif step.kind == "MarkedInactive":
                    person.transition(to="inactive", reason=step.reason, **stamp)
                elif step.kind in RETURNS:
                    person.transition(to="active", **stamp)
                else:
                    raise DomainError(f"a {step.kind} step cannot follow identification")
            except DomainError as error:
                self._problem(personal_id, f"{step.kind} on {step.on.isoformat()} refused: {error}")
                return
            self.summary.events[step.kind] += 1

    def _recorded(self, person_id: UUID) -> list[tuple[int, tuple]] | None:
        """The importer's steps in force for this person (version, key), or None if there is no person."""
        events = list(self.app.events.get(person_id))
        if not events:
            return None
        voided = {e.voids for e in events if type(e).__name__ == "EntryVoided"}
        return [
            (e.originator_version, self._key_of_event(e))
            for e in events
            if e.actor == self.who.id
            and e.originator_version not in voided
            and type(e).__name__ != "EntryVoided"
            and type(e).__name__ in (*STEP_KINDS, *RETURNS)
        ]

    def _key(self, step: Step) -> tuple:
        detail: Any = None
        if step.kind == "ContactRecorded":
            detail = self._service(step)
        elif step.kind == "AttributesChanged":
            detail = tuple(sorted((step.attributes or {}).items(), key=lambda item: item[0]))
        elif step.kind == "Housed":
            detail = step.destination
        elif step.kind == "MarkedInactive":
            detail = step.reason
        return (step.kind, step.on, _frozen(detail))

    def _key_of_event(self, event: Any) -> tuple:
        kind = type(event).__name__
        detail: Any = None
        if kind == "ContactRecorded":
            detail = event.service_id
        elif kind == "AttributesChanged":
            detail = tuple(sorted(event.attributes.items(), key=lambda item: item[0]))
        elif kind == "Housed":
            detail = event.destination
        elif kind == "MarkedInactive":
            detail = event.reason
        return (kind, event.effective_on, _frozen(detail))

    def _service(self, step: Step) -> UUID | None:
        project_id = getattr(step, "project_id", None)
        if project_id is None or project_id not in self.export.projects:
            return None
        return service_id_of(self.export.source_id, project_id)

    def _stamp(self) -> dict[str, Any]:
        """A void is dated the day it is recorded."""
        return {"effective_on": today(), "actor": self.who.id, "agency": self.agency}

    def _problem(self, personal_id: str, reason: str) -> None:
        self.summary.problems.append(Problem("Client.csv", None, f"PersonalID {personal_id}: {reason}"))
        self.summary.skipped["client not imported"] += 1


def _frozen(value: Any) -> Any:
    """A hashable, comparable form (lists in attributes become tuples)."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, tuple):
        return tuple(_frozen(item) for item in value)
    return value
