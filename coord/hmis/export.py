"""Read and check an HMIS CSV export (FY2024 or FY2026, a folder or a zip) into the records of records.py.

An export that cannot be imported at all raises ExportError with every problem found (nothing else is read);
otherwise each row that cannot be read is reported in `Export.problems` and left out, and rows left out on
purpose (deleted, or dated after ExportEndDate) are counted in `Export.skipped`. Files are streamed once."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

from coord.hmis.csvfiles import ExportFiles
from coord.hmis.dates import UnreadableDate, parse_optional_date, shape
from coord.hmis.records import (
    Client,
    Enrollment,
    Exit,
    Export,
    ExportError,
    LivingSituation,
    Problem,
    Project,
    Service,
)
from events.vocabulary import RACE_ETHNICITY

DELETED = "deleted"
AFTER_END = "after the export end"
REQUIRED_FILES = ("Export.csv", "Client.csv", "Project.csv", "Enrollment.csv", "Exit.csv")
OPTIONAL_FILES = ("Services.csv", "CurrentLivingSituation.csv")
#: HMIS 1.5 HashStatus: 4 is SHA-256, names, SSN and DOB are hashes.
HASHED = 4
T = TypeVar("T")
_RACES = ("AmIndAKNative", "Asian", "BlackAfAmerican", "MidEastNAfrican", "NativeHIPacific", "White")
#: The list's RACE_ETHNICITY codes of the race columns, in order, Hispanic/Latina/e/o fourth.
_RACE_CODES = RACE_ETHNICITY[:7]
#: The column each format names Hispanic/Latina/e/o.
_HISPANIC = {"FY2024": "HispanicLatinaeo", "FY2026": "HispanicLatinao"}
_GENDERS = ("Woman", "Man", "NonBinary", "CulturallySpecific", "Transgender", "Questioning", "DifferentIdentity")
#: HMIS FY2026 3.06 Sex: 0 female, 1 male, 8 client doesn't know, 9 prefers not to answer, 99 not collected.
_SEXES = {"0": "female", "1": "male", "9": "refused"}
COLUMNS = {
    "Export.csv": ("ExportID", "SourceID", "ExportStartDate", "ExportEndDate", "CSVVersion", "HashStatus"),
    "Client.csv": ("PersonalID", "FirstName", "LastName", "SSN", "DOB", *_RACES, "RaceNone", "VeteranStatus"),
    "Project.csv": ("ProjectID", "ProjectName", "ProjectType"),
    "Enrollment.csv": (
        "EnrollmentID",
        "PersonalID",
        "ProjectID",
        "EntryDate",
        "HouseholdID",
        "MoveInDate",
        "DisablingCondition",
        "MonthsHomelessPastThreeYears",
        "DateToStreetESSH",
    ),
    "Exit.csv": ("EnrollmentID", "ExitDate", "Destination"),
    "Services.csv": ("EnrollmentID", "DateProvided"),
    "CurrentLivingSituation.csv": ("EnrollmentID", "InformationDate", "CurrentLivingSituation"),
}
VERSION_COLUMNS = {
    "FY2024": ("HispanicLatinaeo", "Woman", "Man", "GenderNone"),
    "FY2026": ("HispanicLatinao", "Sex"),
}


def read_export(path: Path) -> Export:
    """The checked records of the export at `path` (a folder, or a zip with the CSVs at its root)."""
    files = ExportFiles(path)
    try:
        export = _check(files)
        _Rows(files, export).read()
        return export
    finally:
        files.close()


def _version(csv_version: str) -> str | None:
    """FY2024 or FY2026 from Export.csv's CSVVersion (e.g. "2024 v1.3", "FY2026"), None if neither."""
    match = re.match(r"(?:FY)?(\d{4})\b", csv_version.strip(), re.IGNORECASE)
    return f"FY{match.group(1)}" if match and f"FY{match.group(1)}" in VERSION_COLUMNS else None


def _check(files: ExportFiles) -> Export:
    """The Export row, once every fatal check has passed; ExportError with all the fatal problems otherwise."""
    problems = []
    hint = f" (found CSVs in {', '.join(files.nested)}/: they must be at the zip's root)" if files.nested else ""
    problems += [Problem(name, None, f"required file missing{hint}") for name in REQUIRED_FILES if name not in files]
    export = None
    if "Export.csv" in files and not (export_problems := _columns(files, "Export.csv", ())):
        try:
            export = _export_row(files)
        except ExportError as error:
            export_problems = error.problems
    problems += export_problems if "Export.csv" in files else []
    for name in (*REQUIRED_FILES[1:], *OPTIONAL_FILES):
        extra = VERSION_COLUMNS[export.version] if export and name == "Client.csv" else ()
        problems += _columns(files, name, extra) if name in files else []
    if problems or export is None:
        raise ExportError(problems)
    return export


def _columns(files: ExportFiles, name: str, extra: tuple[str, ...]) -> list[Problem]:
    """The problem with `name`'s header, if any: unreadable, or required columns missing (named)."""
    try:
        present = set(files.header(name))
    except ExportError as error:
        return error.problems
    if missing := [
        column
        for column in (*COLUMNS[name], *extra, *(("DateDeleted",) if name != "Export.csv" else ()))
        if column not in present
    ]:
        return [Problem(name, None, f"required columns missing: {', '.join(missing)}")]
    return []


def _export_row(files: ExportFiles) -> Export:
    rows = [row for _, row in files.rows("Export.csv")]
    if len(rows) != 1:
        raise ExportError([Problem("Export.csv", None, f"must have exactly one row, found {len(rows)}")])
    (row,) = rows
    if "" in row:
        raise ExportError([Problem("Export.csv", 1, row[""])])
    problems = []
    version = _version(row["CSVVersion"])
    if version is None:
        problems.append(Problem("Export.csv", 1, f"unknown CSVVersion {row['CSVVersion']!r} (FY2024 or FY2026)"))
    start = end = hash_status = None
    try:
        start, end = _date(row, "ExportStartDate"), _date(row, "ExportEndDate")
        hash_status = _code(row, "HashStatus")
    except _RowProblem as problem:
        problems.append(Problem("Export.csv", 1, str(problem)))
    if problems:
        raise ExportError(problems)
    return Export(version, row["ExportID"], row["SourceID"], start, end, hashed=hash_status == HASHED)


class _RowProblem(Exception):
    """A field of a row that cannot be read: the row is reported and left out."""


def _date(row: dict[str, str], column: str) -> date:
    if not row[column]:
        raise _RowProblem(f"{column} is empty")
    return _optional_date(row, column)


def _optional_date(row: dict[str, str], column: str) -> date | None:
    try:
        return parse_optional_date(row[column])
    except UnreadableDate as error:
        raise _RowProblem(f"{column} {error}") from None


def _code(row: dict[str, str], column: str) -> int | None:
    try:
        return int(row[column]) if row[column] else None
    except ValueError:
        raise _RowProblem(f"{column} is not a number: {shape(row[column])!r}") from None


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
        except _RowProblem as problem:
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
                self.export.projects[key] = Project(key, row["ProjectName"], _code(row, "ProjectType"))

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
            dob=None if hashed else _optional_date(row, "DOB"),
            ssn_last4=digits[-4:] if not hashed and len(digits) == 9 and digits[-4:].isdigit() else None,
            veteran_status=_code(row, "VeteranStatus"),
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
                entry, move_in = _date(row, "EntryDate"), _optional_date(row, "MoveInDate")
                enrollment = Enrollment(
                    enrollment_id=key,
                    personal_id=row["PersonalID"],
                    project_id=row["ProjectID"],
                    household_id=row["HouseholdID"],
                    entry_date=entry,
                    move_in_date=move_in if move_in is None or move_in <= export.end else None,
                    disabling_condition=_code(row, "DisablingCondition"),
                    months_homeless_past_three_years=_code(row, "MonthsHomelessPastThreeYears"),
                    date_to_street_essh=_optional_date(row, "DateToStreetESSH"),
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
                    if (on := _date(row, column)) > self.export.end:
                        self.export.skipped[AFTER_END] += 1
                        continue
                    built = record(row, on)
                if built is not None:
                    yield built

    def exits(self) -> None:
        for built in self.dated(
            "Exit.csv", "ExitDate", lambda row, on: Exit(row["EnrollmentID"], on, _code(row, "Destination"))
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
            lambda row, on: LivingSituation(row["EnrollmentID"], on, _code(row, "CurrentLivingSituation")),
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
    columns = (*_RACES[:3], _HISPANIC[version], *_RACES[3:])
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
