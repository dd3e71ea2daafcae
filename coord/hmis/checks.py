"""What an export must hold before any row is read (the fatal checks: files, columns, the one Export row, its
CSVVersion), and how a field is read: a field that cannot be read is a RowProblem, never a guess."""

from __future__ import annotations

import re
from datetime import date

from coord.hmis.csvfiles import ExportFiles
from coord.hmis.dates import UnreadableDate, parse_optional_date, shape
from coord.hmis.records import Export, ExportError, Problem

REQUIRED_FILES = ("Export.csv", "Client.csv", "Project.csv", "Enrollment.csv", "Exit.csv")
OPTIONAL_FILES = ("Services.csv", "CurrentLivingSituation.csv")
#: HMIS 1.5 HashStatus: 4 is SHA-256, names, SSN and DOB are hashes.
HASHED = 4
RACES = ("AmIndAKNative", "Asian", "BlackAfAmerican", "MidEastNAfrican", "NativeHIPacific", "White")
COLUMNS = {
    "Export.csv": ("ExportID", "SourceID", "ExportStartDate", "ExportEndDate", "CSVVersion", "HashStatus"),
    "Client.csv": ("PersonalID", "FirstName", "LastName", "SSN", "DOB", *RACES, "RaceNone", "VeteranStatus"),
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


def version_of(csv_version: str) -> str | None:
    """FY2024 or FY2026 from Export.csv's CSVVersion (e.g. "2024 v1.3", "FY2026"), None if neither."""
    match = re.match(r"(?:FY)?(\d{4})\b", csv_version.strip(), re.IGNORECASE)
    return f"FY{match.group(1)}" if match and f"FY{match.group(1)}" in VERSION_COLUMNS else None


def check_export(files: ExportFiles) -> Export:
    """The Export row, once every fatal check has passed; ExportError with all the fatal problems otherwise."""
    problems = []
    hint = f" (found CSVs in {', '.join(files.nested)}/: they must be at the zip's root)" if files.nested else ""
    problems += [Problem(name, None, f"required file missing{hint}") for name in REQUIRED_FILES if name not in files]
    export = None
    if "Export.csv" in files:
        export_problems = required_columns(files, "Export.csv", ())
        if not export_problems:
            try:
                export = export_row(files)
            except ExportError as error:
                export_problems = error.problems
        problems += export_problems
    for name in (*REQUIRED_FILES[1:], *OPTIONAL_FILES):
        extra = VERSION_COLUMNS[export.version] if export and name == "Client.csv" else ()
        problems += required_columns(files, name, extra) if name in files else []
    if problems or export is None:
        raise ExportError(problems)
    return export


def required_columns(files: ExportFiles, name: str, extra: tuple[str, ...]) -> list[Problem]:
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


def export_row(files: ExportFiles) -> Export:
    """The export's one row, read; ExportError with its problems otherwise."""
    rows = [row for _, row in files.rows("Export.csv")]
    if len(rows) != 1:
        raise ExportError([Problem("Export.csv", None, f"must have exactly one row, found {len(rows)}")])
    (row,) = rows
    if "" in row:
        raise ExportError([Problem("Export.csv", 1, row[""])])
    problems = []
    version = version_of(row["CSVVersion"])
    if version is None:
        problems.append(Problem("Export.csv", 1, f"unknown CSVVersion {row['CSVVersion']!r} (FY2024 or FY2026)"))
    if not row["SourceID"]:
        problems.append(Problem("Export.csv", 1, "SourceID is empty (it names the source of every record imported)"))
    start = end = hash_status = None
    try:
        start, end = read_date(row, "ExportStartDate"), read_date(row, "ExportEndDate")
        hash_status = read_code(row, "HashStatus")
    except RowProblem as problem:
        problems.append(Problem("Export.csv", 1, str(problem)))
    if problems:
        raise ExportError(problems)
    return Export(version, row["ExportID"], row["SourceID"], start, end, hashed=hash_status == HASHED)


class RowProblem(Exception):
    """A field of a row that cannot be read: the row is reported and left out."""


def read_date(row: dict[str, str], column: str) -> date:
    """The date in `column`, which must be set."""
    if not row[column]:
        raise RowProblem(f"{column} is empty")
    return read_optional_date(row, column)


def read_optional_date(row: dict[str, str], column: str) -> date | None:
    try:
        return parse_optional_date(row[column])
    except UnreadableDate as error:
        raise RowProblem(f"{column} {error}") from None


def read_code(row: dict[str, str], column: str) -> int | None:
    """An HMIS integer code, None when empty."""
    try:
        return int(row[column]) if row[column] else None
    except ValueError:
        raise RowProblem(f"{column} is not a number: {shape(row[column])!r}") from None
