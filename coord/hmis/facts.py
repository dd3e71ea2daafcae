"""A client's facts in an HMIS export, by the rules of docs/design.md "HMIS import": the dated activity,
housing and death facts the history walks (history.py), and the attributes each enrollment states."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from coord.hmis.records import Client, Enrollment, Export

#: HMIS 2.02.6 project types, as the rules group them.
STAY_TYPES = frozenset({0, 2, 8})  # ES entry/exit, TH, safe haven: activity on every day of the stay
ENTRY_ACTIVITY_TYPES = frozenset({1, 4})  # ES night-by-night, street outreach: the entry is activity
HOMELESS_TYPES = frozenset({0, 1, 2, 4, 8})  # their services are activity; chronic is judged on them
MOVE_IN_TYPES = frozenset({3, 9, 10, 13})  # PSH, PH housing only, PH with services, RRH
#: HMIS 4.12 current living situations that are activity: place not meant for habitation, ES, safe haven.
ACTIVITY_SITUATIONS = frozenset({101, 116, 118})
#: HMIS 3.12 destinations.
DECEASED_DESTINATION = 24
HOUSING_DESTINATIONS = range(400, 500)
#: The destination a move-in is housed with: 435, "rental by client, with ongoing housing subsidy" (the
#: subsidy is the housing project's own).
MOVE_IN_DESTINATION = 435
#: HMIS 3.917 MonthsHomelessPastThreeYears: 112 is "more than 12 months".
CHRONIC_MONTHS = 112
CHRONIC_STREET_DAYS = 365

#: What a fact is, in the order facts of one date are walked.
ATTRIBUTES, ACTIVITY, HOUSING, DEATH = range(4)


@dataclass(frozen=True)
class Fact:
    on: date
    kind: int
    enrollment: Enrollment
    #: Activity from a stay: its last day (the exit, or the export end), else None.
    until: date | None = None
    #: Housing: the HMIS 3.12 destination it houses with.
    destination: int | None = None
    #: Attributes: the values the enrollment states (household_type, and chronic when it qualifies).
    attributes: dict[str, Any] = field(default_factory=dict)
    #: Among activity of one date: the enrollment's entry, then a service, then a living situation.
    rank: int = 0

    @property
    def order(self) -> tuple[date, int, int, date, str]:
        return (self.on, self.kind, self.rank, self.enrollment.entry_date, self.enrollment.enrollment_id)


class Index:
    """An export's records by client and by household, built once for all of its clients."""

    def __init__(self, export: Export) -> None:
        self.export = export
        self.enrollments: dict[str, list[Enrollment]] = defaultdict(list)
        self.households: dict[str, set[Enrollment]] = defaultdict(set)
        for enrollment in export.enrollments.values():
            self.enrollments[enrollment.personal_id].append(enrollment)
            self.households[enrollment.household_id].add(enrollment)
        for enrollments in self.enrollments.values():
            enrollments.sort(key=lambda e: (e.entry_date, e.enrollment_id))
        self.services: dict[str, list[date]] = defaultdict(list)
        for service in export.services:
            self.services[service.enrollment_id].append(service.date_provided)
        self.situations: dict[str, list[date]] = defaultdict(list)
        for situation in export.living_situations:
            if situation.situation in ACTIVITY_SITUATIONS:
                self.situations[situation.enrollment_id].append(situation.information_date)

    def project_type(self, enrollment: Enrollment) -> int | None:
        project = self.export.projects.get(enrollment.project_id)
        return project.project_type if project else None

    def client_facts(self, personal_id: str) -> list[Fact]:
        """The client's facts up to the export end, in walking order."""
        facts: list[Fact] = []
        for enrollment in self.enrollments.get(personal_id, []):
            facts += self._enrollment_facts(enrollment)
        return sorted((fact for fact in facts if fact.on <= self.export.end), key=lambda fact: fact.order)

    def first_attributes(self, personal_id: str) -> dict[str, Any]:
        """The client's attributes before any enrollment states its own: those of the client record, with the
        household type of the first enrollment (a record may be dated before its enrollment's entry)."""
        client = self.export.clients[personal_id]
        veteran = "yes" if client.veteran_status == 1 else "no" if client.veteran_status == 0 else "unknown"
        attributes: dict[str, Any] = {
            "veteran": veteran,
            "race_ethnicity": list(client.race_ethnicity) or ["unknown"],
            "sex": client.sex,
            "chronic": False,
        }
        if client.dob is not None:
            attributes["birth_year"] = client.dob.year
        enrollments = self.enrollments.get(personal_id)
        attributes["household_type"] = self.household_type(enrollments[0]) if enrollments else "single_adult"
        return attributes

    def household_type(self, enrollment: Enrollment) -> str:
        """Family when the household has more than one member and one of them was under 18 at their entry;
        else youth when the client was under 25 at entry; else single adult. An unknown age is neither."""
        members = self.households.get(enrollment.household_id, {enrollment})
        people = {member.personal_id for member in members} | {enrollment.personal_id}
        if len(people) > 1 and any(_under(self._client(m.personal_id), 18, m.entry_date) for m in members):
            return "family"
        if _under(self._client(enrollment.personal_id), 25, enrollment.entry_date):
            return "youth"
        return "single_adult"

    def chronic(self, enrollment: Enrollment) -> bool:
        """HUD's chronic homelessness from the 3.917 fields of a homeless enrollment."""
        if self.project_type(enrollment) not in HOMELESS_TYPES or enrollment.disabling_condition != 1:
            return False
        months = enrollment.months_homeless_past_three_years
        street = enrollment.date_to_street_essh
        long_street = street is not None and enrollment.entry_date - street >= timedelta(days=CHRONIC_STREET_DAYS)
        return (months is not None and months >= CHRONIC_MONTHS) or long_street

    def _client(self, personal_id: str) -> Client | None:
        return self.export.clients.get(personal_id)

    def _enrollment_facts(self, enrollment: Enrollment) -> list[Fact]:
        entry, kind = enrollment.entry_date, self.project_type(enrollment)
        stated: dict[str, Any] = {"household_type": self.household_type(enrollment)}
        if self.chronic(enrollment):
            stated["chronic"] = True
        facts = [Fact(entry, ATTRIBUTES, enrollment, attributes=stated)]
        exit = self.export.exits.get(enrollment.enrollment_id)
        until = None
        if kind in STAY_TYPES:
            until = max(entry, min(exit.exit_date, self.export.end) if exit else self.export.end)
        if kind in STAY_TYPES or kind in ENTRY_ACTIVITY_TYPES:
            facts.append(Fact(entry, ACTIVITY, enrollment, until=until))
        if kind in HOMELESS_TYPES:
            services = self.services.get(enrollment.enrollment_id, [])
            facts += [Fact(on, ACTIVITY, enrollment, until=until, rank=1) for on in services]
        situations = self.situations.get(enrollment.enrollment_id, [])
        facts += [Fact(on, ACTIVITY, enrollment, until=until, rank=2) for on in situations]
        move_in = enrollment.move_in_date
        if kind in MOVE_IN_TYPES and move_in is not None and move_in >= entry:
            facts.append(Fact(move_in, HOUSING, enrollment, destination=MOVE_IN_DESTINATION))
        if exit is not None and exit.destination in HOUSING_DESTINATIONS:
            facts.append(Fact(exit.exit_date, HOUSING, enrollment, destination=exit.destination))
        elif exit is not None and exit.destination == DECEASED_DESTINATION:
            facts.append(Fact(exit.exit_date, DEATH, enrollment))
        return facts


def _under(client: Client | None, years: int, on: date) -> bool:
    """Whether the client was under `years` old on `on`; False when their date of birth is unknown."""
    if client is None or client.dob is None:
        return False
    born = client.dob
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age < years
