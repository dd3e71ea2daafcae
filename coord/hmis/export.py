"""Read and check an HMIS CSV export (FY2024 or FY2026, a folder or a zip) into the records of records.py.

An export that cannot be imported at all raises ExportError with every problem found (nothing else is read);
otherwise each row that cannot be read is reported in `Export.problems` and left out, and rows left out on
purpose (deleted, or dated after ExportEndDate) are counted in `Export.skipped`. Files are streamed once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

from coord.hmis.checks import RACES, RowProblem, check_export, read_code, read_date, read_optional_date
from coord.hmis.csvfiles import ExportFiles
from coord.hmis.records import (
    Client,
    Enrollment,
    Exit,
    Export,
    LivingSituation,
    Problem,
    Project,
    Service,
)
from events.vocabulary import RACE_ETHNICITY

DELETED = "deleted"
AFTER_END = "after the export end"
T = TypeVar("T")
#: The list's RACE_ETHNICITY codes of the race columns, in order, Hispanic/Latina/e/o fourth.
_RACE_CODES = RACE_ETHNICITY[:7]
#: The column each format names Hispanic/Latina/e/o.
_HISPANIC = {"FY2024": "HispanicLatinaeo", "FY2026": "HispanicLatinao"}
_GENDERS = ("Woman", "Man", "NonBinary", "CulturallySpecific", "Transgender", "Questioning", "DifferentIdentity")
#: HMIS FY2026 3.06 Sex: 0 female, 1 male, 8 client doesn't know, 9 prefers not to answer, 99 not collected.
_SEXES = {"0": "female", "1": "male", "9": "refused"}


def read_export(path: Path) -> Export:
    """The checked records of the export at `path` (a folder, or a zip with the CSVs at its root)."""
    files = ExportFiles(path)
    try:
        export = check_export(files)
        _Rows(files, export).read()
        return export
    finally:
        files.close()


class _Rows:
    """Reads the rows of every file into `export`, in dependency order, remembering which IDs were left out
    and why, so a row referring to one is counted or reported the same way."""

    def __init__(self, files: ExportFiles, export: Export) -> None:
        self.files, self.export = files, export
        self.first_row: dict[str, dict[str, int]] = defaultdict(dict)
        self.left_out: dict[str, dict[str, str]] = defaultdict(dict)  # file -> id -> DELETED, AFTER_END or ""

    def read(self) -> None:
        self.projects()
        self.clients()
        self.enrollments()
        self.exits()
        self.services()
        self.living_situations()

    def problem(self, name: str, row: int, reason: str) -> None:
        self.export.problems.append(Problem(name, row, reason))

    def each(self, name: str) -> Iterator[tuple[int, dict[str, str]]]:
        """The rows of `name` not deleted, with their key (_KEYS) set and not repeated (the first is kept)."""
        if name not in self.files:
            return
        key = _KEYS.get(name)
        for number, row in self.files.rows(name):
            if "" in row:
                self.problem(name, number, row[""])
            elif row["DateDeleted"]:
                self.export.skipped[DELETED] += 1
                if key:
                    self.left_out[name].setdefault(row[key], DELETED)
            elif key is None:
                yield number, row
            elif not row[key]:
                self.problem(name, number, f"{key} is empty")
            elif row[key] in self.first_row[name]:
                self.problem(name, number, f"{key} {row[key]} repeats row {self.first_row[name][row[key]]}")
            else:
                self.first_row[name][row[key]] = number
                yield number, row

    @contextmanager
    def reading(self, name: str, number: int, key: str) -> Iterator[None]:
        """Reports a field that cannot be read, leaving the row (and what refers to its `key`) out."""
        try:
            yield
        except RowProblem as problem:
            self.problem(name, number, str(problem))
            self.left_out[name][key] = ""

    def refers(self, name: str, number: int, row: dict[str, str], column: str, target: str, kept: dict) -> bool:
        """Whether the row's reference in `column` to a row of `target` was kept; counted or reported if not."""
        key = row[column]
        if key in kept:
            return True
        reason = self.left_out[target].get(key)
        if reason:
            self.export.skipped[reason] += 1
        elif reason == "":
            self.problem(name, number, f"{column} {key} refers to a row of {target} left out for a problem")
        else:
            self.problem(name, number, f"{column} {key} is not in {target}")
        if name in _KEYS:
            self.left_out[name].setdefault(row[_KEYS[name]], reason or "")
        return False

    def projects(self) -> None:
        for number, row in self.each("Project.csv"):
            key = row["ProjectID"]
            with self.reading("Project.csv", number, key):
                self.export.projects[key] = Project(key, row["ProjectName"], read_code(row, "ProjectType"))

    def clients(self) -> None:
        for number, row in self.each("Client.csv"):
            with self.reading("Client.csv", number, row["PersonalID"]):
                self.export.clients[row["PersonalID"]] = self.client(row)

    def client(self, row: dict[str, str]) -> Client:
        hashed = self.export.hashed
        digits = row["SSN"].replace("-", "")
        return Client(
            personal_id=row["PersonalID"],
            first_name=None if hashed else row["FirstName"] or None,
            last_name=None if hashed else row["LastName"] or None,
            dob=None if hashed else read_optional_date(row, "DOB"),
            ssn_last4=digits[-4:] if not hashed and len(digits) == 9 and digits[-4:].isdigit() else None,
            veteran_status=read_code(row, "VeteranStatus"),
            race_ethnicity=_races(row, self.export.version),
            sex=_sex(row, self.export.version),
        )

    def enrollments(self) -> None:
        export = self.export
        for number, row in self.each("Enrollment.csv"):
            key = row["EnrollmentID"]
            if not (
                self.refers("Enrollment.csv", number, row, "PersonalID", "Client.csv", export.clients)
                and self.refers("Enrollment.csv", number, row, "ProjectID", "Project.csv", export.projects)
            ):
                continue
            with self.reading("Enrollment.csv", number, key):
                entry, move_in = read_date(row, "EntryDate"), read_optional_date(row, "MoveInDate")
                enrollment = Enrollment(
                    enrollment_id=key,
                    personal_id=row["PersonalID"],
                    project_id=row["ProjectID"],
                    household_id=row["HouseholdID"],
                    entry_date=entry,
                    move_in_date=move_in if move_in is None or move_in <= export.end else None,
                    disabling_condition=read_code(row, "DisablingCondition"),
                    months_homeless_past_three_years=read_code(row, "MonthsHomelessPastThreeYears"),
                    date_to_street_essh=read_optional_date(row, "DateToStreetESSH"),
                )
                if entry > export.end:
                    export.skipped[AFTER_END] += 1
                    self.left_out["Enrollment.csv"][key] = AFTER_END
                    continue
                if move_in is not None and move_in > export.end:
                    export.skipped[AFTER_END] += 1
                export.enrollments[key] = enrollment

    def dated(self, name: str, column: str, record: Callable[[dict[str, str], date], T]) -> Iterator[T]:
        """The records of the rows of an enrollment's file (Exit, Services, CLS) whose enrollment was kept and
        whose date in `column` is readable and not after the export end."""
        for number, row in self.each(name):
            if self.refers(name, number, row, "EnrollmentID", "Enrollment.csv", self.export.enrollments):
                built = None
                with self.reading(name, number, row["EnrollmentID"]):
                    if (on := read_date(row, column)) > self.export.end:
                        self.export.skipped[AFTER_END] += 1
                        continue
                    built = record(row, on)
                if built is not None:
                    yield built

    def exits(self) -> None:
        for built in self.dated(
            "Exit.csv", "ExitDate", lambda row, on: Exit(row["EnrollmentID"], on, read_code(row, "Destination"))
        ):
            self.export.exits[built.enrollment_id] = built

    def services(self) -> None:
        self.export.services += self.dated(
            "Services.csv", "DateProvided", lambda row, on: Service(row["EnrollmentID"], on)
        )

    def living_situations(self) -> None:
        self.export.living_situations += self.dated(
            "CurrentLivingSituation.csv",
            "InformationDate",
            lambda row, on: LivingSituation(row["EnrollmentID"], on, read_code(row, "CurrentLivingSituation")),
        )


#: The column each file's rows are keyed (and deduplicated) by: one exit per enrollment.
_KEYS = {
    "Project.csv": "ProjectID",
    "Client.csv": "PersonalID",
    "Enrollment.csv": "EnrollmentID",
    "Exit.csv": "EnrollmentID",
}


def _races(row: dict[str, str], version: str) -> list[str]:
    """The list's race_ethnicity codes, in its order; none set is "refused" when RaceNone is 9, else "unknown"."""
    columns = (*RACES[:3], _HISPANIC[version], *RACES[3:])
    races = [code for column, code in zip(columns, _RACE_CODES, strict=True) if row[column] == "1"]
    return races or ["refused" if row["RaceNone"] == "9" else "unknown"]


def _sex(row: dict[str, str], version: str) -> str:
    """FY2026 Sex; FY2024 has only gender: Woman alone is female, Man alone male, GenderNone 9 refused."""
    if version == "FY2026":
        return _SEXES.get(row["Sex"], "unknown")
    chosen = {column for column in _GENDERS if row.get(column) == "1"}
    if chosen in ({"Woman"}, {"Man"}):
        return "female" if chosen == {"Woman"} else "male"
    return "refused" if not chosen and row["GenderNone"] == "9" else "unknown"
