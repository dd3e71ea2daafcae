"""Reading and checking an HMIS CSV export: fatal checks (ExportError, nothing read), per-row problems (reported,
row left out) and rows left out on purpose (counted), on small exports the tests write, and on the samples."""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from coord.hmis.export import read_export
from coord.hmis.records import Client, Enrollment, Exit, ExportError, LivingSituation, Problem, Project, Service
from tests.hmis_fixtures import (
    client,
    enrollment,
    exit_row,
    export_row,
    living_situation,
    project,
    service,
    write_csv,
    write_export,
    zip_folder,
)

SAMPLES = Path(__file__).parents[2] / ".." / "shared" / "data" / "hmis"


def minimal(folder: Path, version: str = "FY2024", **rows) -> Path:
    """One client in one emergency shelter project, entered 2022-01-10, exited 2022-03-01."""
    return write_export(
        folder,
        version=version,
        **{
            "clients": [client("1")],
            "projects": [project("10", 0)],
            "enrollments": [enrollment("100", "1", "10", "2022-01-10")],
            "exits": [exit_row("100", "2022-03-01", 410)],
            **rows,
        },
    )


def fatal(path: Path) -> list[Problem]:
    with pytest.raises(ExportError) as raised:
        read_export(path)
    return raised.value.problems


# --- a readable export ------------------------------------------------------------------------------------


def test_minimal_fy2024_folder_and_zip(tmp_path: Path) -> None:
    folder = minimal(tmp_path / "export", services=[service("100", "2022-01-11")], living_situations=[])
    for path in (folder, zip_folder(folder, tmp_path / "export.zip")):
        export = read_export(path)
        assert (export.version, export.export_id, export.source_id) == ("FY2024", "1036", "1106")
        assert (export.start, export.end, export.hashed) == (date(2021, 10, 1), date(2022, 9, 30), False)
        assert export.clients == {
            "1": Client("1", "Ana", "Lopez", date(1980, 5, 6), "6789", 0, ["white"], "male"),
        }
        assert export.projects == {"10": Project("10", "Project 10", 0)}
        assert export.enrollments == {
            "100": Enrollment("100", "1", "10", "h100", date(2022, 1, 10), None, None, None, None),
        }
        assert export.exits == {"100": Exit("100", date(2022, 3, 1), 410)}
        assert export.services == [Service("100", date(2022, 1, 11))]
        assert export.living_situations == []
        assert (export.problems, export.skipped) == ([], Counter())


def test_fy2026_sex_and_hispanic_column(tmp_path: Path) -> None:
    clients = [
        client("1", Sex="0", HispanicLatinao="1", White="0"),
        client("2", Sex="1", BlackAfAmerican="1"),
        client("3", Sex="8"),
        client("4", Sex="9"),
        client("5", Sex="99"),
        client("6", Sex=""),
    ]
    export = read_export(minimal(tmp_path, "FY2026", clients=clients))
    assert export.version == "FY2026"
    assert {key: (c.sex, c.race_ethnicity) for key, c in export.clients.items()} == {
        "1": ("female", ["hispanic_latina_o"]),
        "2": ("male", ["black_af_american", "white"]),
        "3": ("unknown", ["white"]),
        "4": ("refused", ["white"]),
        "5": ("unknown", ["white"]),
        "6": ("unknown", ["white"]),
    }


def test_fy2024_gender_to_sex_and_races(tmp_path: Path) -> None:
    no_race = {"White": "0"}
    clients = [
        client("1", Woman="1", Man="0", HispanicLatinaeo="1", AmIndAKNative="1", NativeHIPacific="1"),
        client("2", Woman="1", Man="1", **no_race),
        client("3", Woman="1", Man="0", Transgender="1", **no_race, RaceNone="9"),
        client("4", Man="0", GenderNone="9", **no_race, RaceNone="8"),
        client("5", Man="0", GenderNone="99", **no_race, RaceNone="99"),
        client("6", Man="1", MidEastNAfrican="1", Asian="1"),
    ]
    export = read_export(minimal(tmp_path, clients=clients))
    assert {key: (c.sex, c.race_ethnicity) for key, c in export.clients.items()} == {
        "1": ("female", ["am_ind_ak_native", "hispanic_latina_o", "native_hi_pacific", "white"]),
        "2": ("unknown", ["unknown"]),
        "3": ("unknown", ["refused"]),
        "4": ("refused", ["unknown"]),
        "5": ("unknown", ["unknown"]),
        "6": ("male", ["asian", "mid_east_n_african", "white"]),
    }


def test_personal_data_ssn_and_messy_dates(tmp_path: Path) -> None:
    clients = [
        client("1", SSN="123-45-6789", DOB="05-06-1980", VeteranStatus="1"),
        client("2", SSN="xxxxx4321", DOB="06-05-80 00:00:00", FirstName="", LastName=""),
        client("3", SSN="12345", DOB=""),
        client("4", SSN="", VeteranStatus=""),
    ]
    enrollments = [
        enrollment(
            "100",
            "1",
            "10",
            "01-10-2022 09:30:00",
            MoveInDate="15-02-22",
            DisablingCondition="1",
            MonthsHomelessPastThreeYears="112",
            DateToStreetESSH="2020-01-01",
        )
    ]
    export = read_export(minimal(tmp_path, clients=clients, enrollments=enrollments))
    assert [(c.first_name, c.dob, c.ssn_last4, c.veteran_status) for c in export.clients.values()] == [
        ("Ana", date(1980, 5, 6), "6789", 1),
        (None, date(1980, 5, 6), "4321", 0),
        ("Ana", None, None, 0),
        ("Ana", date(1980, 5, 6), None, None),
    ]
    assert export.enrollments["100"] == Enrollment(
        "100", "1", "10", "h100", date(2022, 1, 10), date(2022, 2, 15), 1, 112, date(2020, 1, 1)
    )
    assert export.problems == []


def test_hashed_export_keeps_no_personal_data(tmp_path: Path) -> None:
    digest = "a" * 64
    folder = minimal(
        tmp_path,
        export=[export_row(HashStatus="4")],
        clients=[client("1", FirstName=digest, LastName=digest, SSN=digest, DOB=digest)],
    )
    export = read_export(folder)
    assert export.hashed is True
    assert export.clients["1"] == Client("1", None, None, None, None, 0, ["white"], "male")
    assert export.problems == []


# --- fatal: ExportError with every problem ------------------------------------------------------------


def test_not_a_folder_nor_a_zip(tmp_path: Path) -> None:
    text = tmp_path / "export.txt"
    text.write_text("hello")
    assert fatal(text) == [Problem("export.txt", None, "neither a folder nor a zip file")]
    assert fatal(tmp_path / "absent") == [Problem("absent", None, "no such folder or zip file")]


def test_truncated_zip(tmp_path: Path) -> None:
    archive = zip_folder(minimal(tmp_path / "export"), tmp_path / "export.zip")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    assert fatal(archive) == [Problem("export.zip", None, "a truncated or corrupt zip file")]


def test_corrupt_zip_member(tmp_path: Path) -> None:
    # Big enough that the header is read before the end of the member, where the checksum is checked.
    folder = minimal(tmp_path / "export", clients=[client(str(n)) for n in range(1, 500)])
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as out:
        for file in sorted(folder.iterdir()):
            out.write(file, file.name)
    data = bytearray(archive.read_bytes())
    data[data.index(b"\n499,Ana") + 1] = ord("8")  # the stored bytes change, the checksum does not
    archive.write_bytes(bytes(data))
    assert fatal(archive) == [
        Problem("Client.csv", None, "damaged in the zip file (its data does not match its checksum)")
    ]


def test_a_non_csv_file_where_a_csv_is_required(tmp_path: Path) -> None:
    folder = minimal(tmp_path)
    (folder / "Client.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    (folder / "Exit.csv").write_bytes(b"EnrollmentID,ExitDate\x00,Destination\n")
    (folder / "Project.csv").write_bytes((folder / "Project.csv").read_bytes() + "10,1,Caf\u00e9,0\n".encode("latin-1"))
    assert fatal(folder) == [
        Problem("Client.csv", None, "not a readable CSV file (UTF-8, comma-separated)"),
        Problem("Project.csv", None, "not a readable CSV file (UTF-8, comma-separated)"),
        Problem("Exit.csv", None, "not a readable CSV file (UTF-8, comma-separated)"),
    ]


def test_missing_files_are_all_named(tmp_path: Path) -> None:
    folder = minimal(tmp_path)
    (folder / "Client.csv").unlink()
    (folder / "Exit.csv").unlink()
    assert fatal(folder) == [
        Problem("Client.csv", None, "required file missing"),
        Problem("Exit.csv", None, "required file missing"),
    ]
    (folder / "Export.csv").unlink()
    assert [p.file for p in fatal(folder)] == ["Export.csv", "Client.csv", "Exit.csv"]


def test_csvs_in_a_folder_of_the_zip(tmp_path: Path) -> None:
    archive = zip_folder(minimal(tmp_path / "export"), tmp_path / "export.zip", prefix="hmis/")
    problems = fatal(archive)
    assert len(problems) == 5
    assert problems[0] == Problem(
        "Export.csv", None, "required file missing (found CSVs in hmis/: they must be at the zip's root)"
    )


@pytest.mark.parametrize("count", [0, 2])
def test_export_csv_must_have_exactly_one_row(tmp_path: Path, count: int) -> None:
    folder = minimal(tmp_path, export=[export_row()] * count)
    assert fatal(folder) == [Problem("Export.csv", None, f"must have exactly one row, found {count}")]


def test_unknown_csv_version_and_unreadable_export_dates(tmp_path: Path) -> None:
    folder = minimal(tmp_path, export=[export_row(CSVVersion="2022 v1.0")])
    assert fatal(folder) == [Problem("Export.csv", 1, "unknown CSVVersion '2022 v1.0' (FY2024 or FY2026)")]
    folder = minimal(tmp_path, export=[export_row(ExportEndDate="2022/09/30")])
    reason = "ExportEndDate not a date in a known format (yyyy-mm-dd, mm-dd-yyyy or dd-mm-yy): '9999/99/99'"
    assert fatal(folder) == [Problem("Export.csv", 1, reason)]


def test_empty_source_id(tmp_path: Path) -> None:
    folder = minimal(tmp_path, export=[export_row(SourceID="")])
    assert fatal(folder) == [
        Problem("Export.csv", 1, "SourceID is empty (it names the source of every record imported)")
    ]


def test_an_encrypted_zip_member(tmp_path: Path) -> None:
    archive = zip_folder(minimal(tmp_path / "export"), tmp_path / "export.zip")
    data = bytearray(archive.read_bytes())
    # Set the "encrypted" flag (bit 0 at offset 8) of Client.csv's central directory entry, which ZipFile reads.
    names = [at for at in range(len(data)) if data.startswith(b"Client.csv", at)]
    entry = next(at - 46 for at in names if data[at - 46 : at - 42] == b"PK\x01\x02")
    data[entry + 8] |= 1
    archive.write_bytes(bytes(data))
    reason = "cannot be opened (an encrypted or unusually compressed zip member, or no permission to read it)"
    assert fatal(archive) == [Problem("Client.csv", None, reason)]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    folder = minimal(tmp_path)
    write_csv(folder / "Enrollment.csv", ["EnrollmentID", "PersonalID", "ProjectID", "HouseholdID"], [])
    write_csv(folder / "Services.csv", ["ServicesID", "EnrollmentID"], [])
    assert fatal(folder) == [
        Problem(
            "Enrollment.csv",
            None,
            "required columns missing: EntryDate, MoveInDate, DisablingCondition, MonthsHomelessPastThreeYears, "
            "DateToStreetESSH, DateDeleted",
        ),
        Problem("Services.csv", None, "required columns missing: DateProvided, DateDeleted"),
    ]


def test_fy2026_headers_under_a_fy2024_csv_version(tmp_path: Path) -> None:
    folder = minimal(tmp_path, "FY2026", export=[export_row("FY2024")])
    assert fatal(folder) == [
        Problem("Client.csv", None, "required columns missing: HispanicLatinaeo, Woman, Man, GenderNone"),
    ]


# --- per row: reported, left out ----------------------------------------------------------------------


def test_duplicate_ids_keep_the_first_and_report_the_later(tmp_path: Path) -> None:
    folder = minimal(
        tmp_path,
        clients=[client("1"), client("2"), client("1", FirstName="Other"), client("1", FirstName="Third")],
        projects=[project("10", 0), project("10", 3)],
        enrollments=[enrollment("100", "1", "10", "2022-01-10"), enrollment("100", "2", "10", "2022-02-10")],
        exits=[exit_row("100", "2022-03-01"), exit_row("100", "2022-04-01")],
    )
    export = read_export(folder)
    assert export.problems == [
        Problem("Project.csv", 2, "ProjectID 10 repeats row 1"),
        Problem("Client.csv", 3, "PersonalID 1 repeats row 1"),
        Problem("Client.csv", 4, "PersonalID 1 repeats row 1"),
        Problem("Enrollment.csv", 2, "EnrollmentID 100 repeats row 1"),
        Problem("Exit.csv", 2, "EnrollmentID 100 repeats row 1"),
    ]
    assert export.clients["1"].first_name == "Ana"
    assert export.projects["10"].project_type == 0
    assert export.enrollments["100"].personal_id == "1"
    assert export.exits["100"].exit_date == date(2022, 3, 1)
    assert export.skipped == Counter()


def test_references_to_missing_rows(tmp_path: Path) -> None:
    folder = minimal(
        tmp_path,
        enrollments=[
            enrollment("100", "1", "10", "2022-01-10"),
            enrollment("101", "9", "10", "2022-01-10"),
            enrollment("102", "1", "99", "2022-01-10"),
        ],
        exits=[exit_row("101", "2022-03-01"), exit_row("555", "2022-03-01")],
        services=[service("100", "2022-01-11"), service("102", "2022-01-11")],
        living_situations=[living_situation("777", "2022-01-11")],
    )
    export = read_export(folder)
    assert export.problems == [
        Problem("Enrollment.csv", 2, "PersonalID 9 is not in Client.csv"),
        Problem("Enrollment.csv", 3, "ProjectID 99 is not in Project.csv"),
        Problem("Exit.csv", 1, "EnrollmentID 101 refers to a row of Enrollment.csv left out for a problem"),
        Problem("Exit.csv", 2, "EnrollmentID 555 is not in Enrollment.csv"),
        Problem("Services.csv", 2, "EnrollmentID 102 refers to a row of Enrollment.csv left out for a problem"),
        Problem("CurrentLivingSituation.csv", 1, "EnrollmentID 777 is not in Enrollment.csv"),
    ]
    assert list(export.enrollments) == ["100"]
    assert export.exits == {}
    assert export.services == [Service("100", date(2022, 1, 11))]


def test_unreadable_rows_and_what_refers_to_them(tmp_path: Path) -> None:
    folder = minimal(
        tmp_path,
        clients=[client("1"), client("2", DOB="1980-02-30"), client("3", VeteranStatus="yes")],
        enrollments=[
            enrollment("100", "1", "10", "2022/01/10"),
            enrollment("101", "2", "10", "2022-01-10"),
            enrollment("102", "1", "10", ""),
            enrollment("103", "1", "10", "2022-01-10", MoveInDate="2022-13-01"),
            enrollment("104", "1", "10", "2022-01-10"),
        ],
        exits=[exit_row("100", "2022-03-01"), exit_row("104", "01/03/2022")],
        services=[service("101", "2022-01-11"), service("104", "2022-01-11", DateProvided="2022-01-32")],
        living_situations=[living_situation("104", "2022-01-12", "x")],
    )
    formats = "not a date in a known format (yyyy-mm-dd, mm-dd-yyyy or dd-mm-yy)"
    export = read_export(folder)
    assert export.problems == [
        Problem("Client.csv", 2, f"DOB {formats}: '9999-99-99'"),
        Problem("Client.csv", 3, "VeteranStatus is not a number: 'aaa'"),
        Problem("Enrollment.csv", 1, f"EntryDate {formats}: '9999/99/99'"),
        Problem("Enrollment.csv", 2, "PersonalID 2 refers to a row of Client.csv left out for a problem"),
        Problem("Enrollment.csv", 3, "EntryDate is empty"),
        Problem("Enrollment.csv", 4, f"MoveInDate {formats}: '9999-99-99'"),
        Problem("Exit.csv", 1, "EnrollmentID 100 refers to a row of Enrollment.csv left out for a problem"),
        Problem("Exit.csv", 2, f"ExitDate {formats}: '99/99/9999'"),
        Problem("Services.csv", 1, "EnrollmentID 101 refers to a row of Enrollment.csv left out for a problem"),
        Problem("Services.csv", 2, f"DateProvided {formats}: '9999-99-99'"),
        Problem("CurrentLivingSituation.csv", 1, "CurrentLivingSituation is not a number: 'a'"),
    ]
    assert (list(export.clients), list(export.enrollments)) == (["1"], ["104"])
    assert (export.exits, export.services, export.living_situations) == ({}, [], [])


def test_a_row_with_the_wrong_number_of_fields(tmp_path: Path) -> None:
    folder = minimal(tmp_path)
    with (folder / "Client.csv").open("a") as file:
        file.write("2,Ana,Lopez\n")
    export = read_export(folder)
    assert export.problems == [Problem("Client.csv", 2, "has 3 fields, the header has 32")]
    assert list(export.clients) == ["1"]


# --- left out on purpose: counted -------------------------------------------------------------------------


def test_deleted_rows_and_what_refers_to_them(tmp_path: Path) -> None:
    deleted = {"DateDeleted": "2022-05-01 10:00:00"}
    folder = minimal(
        tmp_path,
        clients=[client("1"), client("2", **deleted)],
        projects=[project("10", 0), project("11", 0, **deleted)],
        enrollments=[
            enrollment("100", "1", "10", "2022-01-10"),
            enrollment("101", "2", "10", "2022-01-10"),
            enrollment("102", "1", "11", "2022-01-10"),
            enrollment("103", "1", "10", "2022-01-10", **deleted),
        ],
        exits=[exit_row("100", "2022-03-01", **deleted), exit_row("101", "2022-03-01"), exit_row("103", "2022-03-01")],
        services=[service("100", "2022-01-11", **deleted), service("102", "2022-01-11")],
        living_situations=[living_situation("103", "2022-01-11")],
    )
    export = read_export(folder)
    assert export.problems == []
    assert export.skipped == Counter({"deleted": 11})
    assert (list(export.clients), list(export.projects), list(export.enrollments)) == (["1"], ["10"], ["100"])
    assert (export.exits, export.services, export.living_situations) == ({}, [], [])


def test_facts_after_the_export_end(tmp_path: Path) -> None:
    folder = minimal(
        tmp_path,
        enrollments=[
            enrollment("100", "1", "10", "2022-01-10", MoveInDate="2022-10-01"),
            enrollment("101", "1", "10", "2022-10-01"),
            enrollment("102", "1", "10", "2022-09-30", MoveInDate="09-30-2022"),
        ],
        exits=[exit_row("100", "2022-10-01"), exit_row("101", "2022-10-02"), exit_row("102", "2022-09-30")],
        services=[service("100", "2022-09-30"), service("100", "10-01-2022"), service("101", "2022-10-01")],
        living_situations=[living_situation("100", "01-10-22"), living_situation("100", "30-09-22")],
    )
    export = read_export(folder)
    assert export.problems == []
    # 101 entered after the end (its exit and service go with it); 100's move-in, exit, one service, one CLS.
    assert export.skipped == Counter({"after the export end": 7})
    assert list(export.enrollments) == ["100", "102"]
    assert export.enrollments["100"].move_in_date is None
    assert export.enrollments["102"].move_in_date == date(2022, 9, 30)
    assert export.exits == {"102": Exit("102", date(2022, 9, 30), 410)}
    assert export.services == [Service("100", date(2022, 9, 30))]
    assert export.living_situations == [LivingSituation("100", date(2022, 9, 30), 116)]


# --- the samples (../shared/data/hmis) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples() -> dict[str, object]:
    if not SAMPLES.is_dir():
        pytest.skip(f"the sample HMIS exports are not here: {SAMPLES.resolve()} (the repo's sibling ../shared)")
    return {version: read_export(SAMPLES / version) for version in ("fy2024", "fy2026")}


def test_samples_read_alike(samples) -> None:
    fy2024, fy2026 = samples["fy2024"], samples["fy2026"]
    assert (fy2024.version, fy2026.version) == ("FY2024", "FY2026")
    for export in (fy2024, fy2026):
        assert (export.start, export.end, export.hashed) == (date(2021, 10, 1), date(2022, 9, 30), False)
        assert (len(export.clients), len(export.projects), len(export.enrollments)) == (514, 10, 574)
        assert (len(export.exits), len(export.services), len(export.living_situations)) == (447, 6385, 20)
        assert (export.problems, export.skipped) == ([], Counter())
    assert fy2024.clients.keys() == fy2026.clients.keys()
    assert fy2024.enrollments == fy2026.enrollments
    assert fy2024.exits == fy2026.exits
    assert fy2024.services == fy2026.services
    assert fy2024.living_situations == fy2026.living_situations
    assert [c.race_ethnicity for c in fy2024.clients.values()] == [c.race_ethnicity for c in fy2026.clients.values()]
    # The FY2026 sample's Sex is empty for every client; FY2024's gender gives sex where Woman or Man stands alone.
    assert Counter(c.sex for c in fy2024.clients.values()) == Counter({"male": 274, "female": 232, "unknown": 8})
    assert Counter(c.sex for c in fy2026.clients.values()) == Counter({"unknown": 514})


def test_a_sample_zipped_reads_as_the_folder(samples, tmp_path: Path) -> None:
    zipped = read_export(zip_folder(SAMPLES / "fy2026", tmp_path / "fy2026.zip"))
    folder = samples["fy2026"]
    assert (zipped.clients, zipped.enrollments, zipped.exits) == (folder.clients, folder.enrollments, folder.exits)
    assert (zipped.services, zipped.problems, zipped.skipped) == (folder.services, [], Counter())
