"""Small HMIS CSV exports written by the tests themselves: `write_export(folder, clients=[client("1")], ...)`
writes every required file with the given rows (a missing column is empty), in FY2024 or FY2026 format."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Any

Row = dict[str, Any]

_RACES = ["AmIndAKNative", "Asian", "BlackAfAmerican", "HispanicLatinaeo", "MidEastNAfrican", "NativeHIPacific"]
_GENDERS = ["Woman", "Man", "NonBinary", "CulturallySpecific", "Transgender", "Questioning", "DifferentIdentity"]
_TAIL = ["DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID"]
_CLIENT_HEAD = ["PersonalID", "FirstName", "MiddleName", "LastName", "NameSuffix", "NameDataQuality", "SSN"]
_CLIENT_HEAD += ["SSNDataQuality", "DOB", "DOBDataQuality"]
HEADERS: dict[str, dict[str, list[str]]] = {
    "FY2024": {
        "Client.csv": [*_CLIENT_HEAD, *_RACES, "White", "RaceNone", *_GENDERS, "GenderNone", "VeteranStatus", *_TAIL],
    },
    "FY2026": {
        "Client.csv": [
            *_CLIENT_HEAD,
            "Sex",
            *(race.replace("HispanicLatinaeo", "HispanicLatinao") for race in _RACES),
            "White",
            "RaceNone",
            "VeteranStatus",
            *_TAIL,
        ],
    },
}
COMMON = {
    "Export.csv": [
        *("ExportID", "SourceType", "SourceID", "SourceName", "ExportDate", "ExportStartDate", "ExportEndDate"),
        *("SoftwareName", "CSVVersion", "HashStatus"),
    ],
    "Project.csv": ["ProjectID", "OrganizationID", "ProjectName", "ProjectType", *_TAIL],
    "Enrollment.csv": [
        *("EnrollmentID", "PersonalID", "ProjectID", "EntryDate", "HouseholdID", "RelationshipToHoH"),
        *("DateToStreetESSH", "MonthsHomelessPastThreeYears", "DisablingCondition", "MoveInDate", *_TAIL),
    ],
    "Exit.csv": ["ExitID", "EnrollmentID", "PersonalID", "ExitDate", "Destination", *_TAIL],
    "Services.csv": ["ServicesID", "EnrollmentID", "PersonalID", "DateProvided", "RecordType", "TypeProvided", *_TAIL],
    "CurrentLivingSituation.csv": [
        *("CurrentLivingSitID", "EnrollmentID", "PersonalID", "InformationDate", "CurrentLivingSituation", *_TAIL),
    ],
}
CSV_VERSIONS = {"FY2024": "2024 v1.3", "FY2026": "2026 v1.0"}


def export_row(version: str = "FY2024", **overrides: Any) -> Row:
    return {
        "ExportID": "1036",
        "SourceType": "4",
        "SourceID": "1106",
        "SourceName": "Test CoC",
        "ExportDate": "10-01-2022 12:00:00",
        "ExportStartDate": "2021-10-01",
        "ExportEndDate": "2022-09-30",
        "SoftwareName": "tests",
        "CSVVersion": CSV_VERSIONS[version],
        "HashStatus": "1",
        **overrides,
    }


def client(personal_id: str, **overrides: Any) -> Row:
    """A client: white, not a veteran, a man (FY2024 Man=1; FY2026 rows set Sex themselves)."""
    return {
        "PersonalID": personal_id,
        "FirstName": "Ana",
        "LastName": "Lopez",
        "SSN": "123456789",
        "DOB": "1980-05-06",
        **dict.fromkeys(_RACES, "0"),
        "White": "1",
        **dict.fromkeys(_GENDERS, "0"),
        "Man": "1",
        "VeteranStatus": "0",
        **overrides,
    }


def project(project_id: str, project_type: int | str = 0, **overrides: Any) -> Row:
    return {"ProjectID": project_id, "ProjectName": f"Project {project_id}", "ProjectType": project_type, **overrides}


def enrollment(enrollment_id: str, personal_id: str, project_id: str, entry: str, **overrides: Any) -> Row:
    return {
        "EnrollmentID": enrollment_id,
        "PersonalID": personal_id,
        "ProjectID": project_id,
        "EntryDate": entry,
        "HouseholdID": f"h{enrollment_id}",
        "RelationshipToHoH": "1",
        **overrides,
    }


def exit_row(enrollment_id: str, exit_date: str, destination: int | str = 410, **overrides: Any) -> Row:
    return {
        "ExitID": enrollment_id,
        "EnrollmentID": enrollment_id,
        "ExitDate": exit_date,
        "Destination": destination,
        **overrides,
    }


def service(enrollment_id: str, provided: str, **overrides: Any) -> Row:
    return {"EnrollmentID": enrollment_id, "DateProvided": provided, "RecordType": 200, **overrides}


def living_situation(enrollment_id: str, information_date: str, situation: int | str = 116, **overrides: Any) -> Row:
    return {
        "EnrollmentID": enrollment_id,
        "InformationDate": information_date,
        "CurrentLivingSituation": situation,
        **overrides,
    }


def write_csv(path: Path, header: list[str], rows: list[Row]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=header, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_export(
    folder: Path,
    *,
    version: str = "FY2024",
    export: list[Row] | None = None,
    clients: list[Row] = (),
    projects: list[Row] = (),
    enrollments: list[Row] = (),
    exits: list[Row] = (),
    services: list[Row] | None = None,
    living_situations: list[Row] | None = None,
) -> Path:
    """Writes the export's CSVs into `folder` (created) and returns it. Services.csv and
    CurrentLivingSituation.csv are written only when given."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = {
        "Export.csv": [export_row(version)] if export is None else export,
        "Client.csv": clients,
        "Project.csv": projects,
        "Enrollment.csv": enrollments,
        "Exit.csv": exits,
        "Services.csv": services,
        "CurrentLivingSituation.csv": living_situations,
    }
    headers = {**COMMON, **HEADERS[version]}
    for name, file_rows in rows.items():
        if file_rows is not None:
            write_csv(folder / name, headers[name], list(file_rows))
    return folder


def zip_folder(folder: Path, zip_path: Path, prefix: str = "") -> Path:
    """A zip of the folder's files, at its root (or under `prefix`)."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, prefix + file.name)
    return zip_path
