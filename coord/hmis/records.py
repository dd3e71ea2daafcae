"""The records an HMIS CSV export holds that the by-name list needs, read and checked (export.py), in the
list's own vocabulary where one exists. Dates are dates; codes stay HMIS integers where the rules use them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Problem:
    """A row (or a file, when `row` is None) that could not be read, and why: reported, never guessed."""

    file: str
    row: int | None
    reason: str


class ExportError(Exception):
    """The export cannot be imported at all (e.g. no Client.csv, two Export rows): nothing is appended."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.file}{f' row {p.row}' if p.row else ''}: {p.reason}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Client:
    personal_id: str
    #: Personal data, None when absent or when the export is hashed (HashStatus 4).
    first_name: str | None
    last_name: str | None
    dob: date | None
    ssn_last4: str | None
    #: HMIS 1.8: 1 yes, 0 no, 8/9/99 unknown.
    veteran_status: int | None
    #: The list's race_ethnicity codes (events/vocabulary.py RACE_ETHNICITY), e.g. ["black_af_american"].
    race_ethnicity: list[str]
    #: The list's sex code: female, male, unknown or refused.
    sex: str


@dataclass(frozen=True)
class Project:
    project_id: str
    name: str
    #: HMIS 2.02.6 ProjectType (0 ES entry/exit, 1 ES night-by-night, 2 TH, 3 PSH, 4 street outreach, 8 safe
    #: haven, 9 PH housing only, 10 PH with services, 13 RRH, ...).
    project_type: int | None


@dataclass(frozen=True)
class Enrollment:
    enrollment_id: str
    personal_id: str
    project_id: str
    household_id: str
    entry_date: date
    move_in_date: date | None
    #: HMIS 3.08: 1 yes.
    disabling_condition: int | None
    #: HMIS 3.917 MonthsHomelessPastThreeYears code (101 = 1 month ... 112 = 12+ months).
    months_homeless_past_three_years: int | None
    date_to_street_essh: date | None


@dataclass(frozen=True)
class Exit:
    enrollment_id: str
    exit_date: date
    #: HMIS 3.12 Destination code (24 deceased; 400-499 permanent housing situations).
    destination: int | None


@dataclass(frozen=True)
class Service:
    enrollment_id: str
    date_provided: date


@dataclass(frozen=True)
class LivingSituation:
    """A CurrentLivingSituation row."""

    enrollment_id: str
    information_date: date
    #: HMIS 4.12 CurrentLivingSituation code (101 place not meant for habitation, 116, 118 ...).
    situation: int | None


@dataclass
class Export:
    """One export, checked: rows with DateDeleted and dates after `end` already left out (counted in
    `skipped`), unreadable rows reported in `problems`."""

    version: str  # "FY2024" or "FY2026"
    export_id: str
    source_id: str
    start: date
    end: date
    #: HashStatus 4: names, SSN and DOB are SHA-256 hashes, so no personal data is imported.
    hashed: bool
    clients: dict[str, Client] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    enrollments: dict[str, Enrollment] = field(default_factory=dict)
    exits: dict[str, Exit] = field(default_factory=dict)  # by enrollment id
    services: list[Service] = field(default_factory=list)
    living_situations: list[LivingSituation] = field(default_factory=list)
    #: Rows left out on purpose, by reason (e.g. "deleted", "after the export end").
    skipped: Counter[str] = field(default_factory=Counter)
    #: Rows that could not be read, each with file, row and reason.
    problems: list[Problem] = field(default_factory=list)
