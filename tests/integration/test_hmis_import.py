"""Importing an HMIS export into the log: each client's history appended as ordinary events, idempotently;
a later export appends only what is new and voids what it contradicts; a malformed export appends nothing.
The CLI and the admins' upload give the same summary. The samples in ../shared/data/hmis are imported when
present (FY2024 and FY2026 give identical monthly metrics)."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from coord.errors import ForbiddenError
from coord.hmis.importer import import_hmis, person_id_of
from coord.hmis.records import ExportError
from coord.service import reports
from coord.service.principal import Principal
from tests.hmis_fixtures import client, enrollment, exit_row, project, service, write_export, zip_folder
from tests.support import auth

ADMIN = Principal.system("hmis-import")
SAMPLES = Path(__file__).parents[2] / ".." / "shared" / "data" / "hmis"


def small_export(folder: Path, **extra: Any) -> Path:
    """One outreach client seen three times then housed by an exit; one shelter stay left inactive."""
    write_export(
        folder,
        clients=[client("1"), client("2", VeteranStatus="1")],
        projects=[project("P1", 4), project("P2", 1)],
        enrollments=[
            enrollment("E1", "1", "P1", "2022-01-10"),
            enrollment("E2", "2", "P2", "2022-02-01"),
            *extra.get("enrollments", []),
        ],
        exits=[exit_row("E1", "2022-03-15", 410), *extra.get("exits", [])],
        services=[service("E1", "2022-02-01"), service("E2", "2022-02-03"), *extra.get("services", [])],
    )
    return folder


def stored(coord) -> Counter[str]:
    notifications = coord.service.recorder.select_notifications(start=1, limit=100_000)
    return Counter(n.topic.rsplit(".", 1)[-1] for n in notifications)


def test_an_export_becomes_each_clients_history_and_a_second_import_appends_nothing(coord, tmp_path):
    path = small_export(tmp_path / "export")
    first = import_hmis(coord.service, ADMIN, path, inactive_days=90)
    again = import_hmis(coord.service, ADMIN, path, inactive_days=90)

    assert (first.clients, first.created, first.services_created) == (2, 2, 2)
    assert dict(first.events) == {
        "Registered": 2,
        "Identified": 2,
        "ContactRecorded": 4,
        "Housed": 1,
        "MarkedInactive": 1,
    }
    assert (again.created, again.matched, dict(again.events)) == (0, 2, {})
    assert stored(coord) == Counter(first.events)
    housed = coord.service.get_person(person_id_of("1106", "1"))
    inactive = coord.service.get_person(person_id_of("1106", "2"))
    assert (housed.status, housed.destination, housed.attributes["source"]) == ("housed", 410, "hmis:1106:1")
    assert (inactive.status, inactive.inactive_reason, inactive.last_transition_on.isoformat()) == (
        "inactive",
        "no_contact",
        "2022-05-04",
    )
    assert inactive.attributes["veteran"] == "yes"


def test_a_later_export_appends_only_what_is_new_and_voids_what_it_contradicts(coord, tmp_path):
    import_hmis(coord.service, ADMIN, small_export(tmp_path / "first"), inactive_days=90)
    # Client 2 came back to the shelter in April: not inactive after all, and seen again.
    later = small_export(tmp_path / "later", services=[service("E2", "2022-04-20")])
    summary = import_hmis(coord.service, ADMIN, later, inactive_days=90)

    assert dict(summary.events) == {"EntryVoided": 1, "ContactRecorded": 1, "MarkedInactive": 1}
    person = coord.service.get_person(person_id_of("1106", "2"))
    assert (person.status, person.last_transition_on.isoformat(), person.last_contact_on.isoformat()) == (
        "inactive",
        "2022-07-19",
        "2022-04-20",
    )


def test_a_dry_run_appends_nothing(coord, tmp_path):
    summary = import_hmis(coord.service, ADMIN, small_export(tmp_path / "export"), inactive_days=90, dry_run=True)
    assert (summary.dry_run, summary.events["Identified"], sum(stored(coord).values())) == (True, 2, 0)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda folder: (folder / "Client.csv").unlink(), "Client.csv"),
        (lambda folder: (folder / "Export.csv").write_text("Nothing,Here\n1,2\n"), "Export.csv"),
    ],
    ids=["no Client.csv", "wrong headers"],
)
def test_a_malformed_export_fails_with_one_message_and_appends_nothing(coord, tmp_path, damage, message):
    folder = small_export(tmp_path / "export")
    damage(folder)
    with pytest.raises(ExportError, match=message):
        import_hmis(coord.service, ADMIN, folder, inactive_days=90)
    assert sum(stored(coord).values()) == 0


def test_only_an_admin_may_import(coord, tmp_path):
    backbone = Principal("b", "backbone", None)
    with pytest.raises(ForbiddenError):
        import_hmis(coord.service, backbone, small_export(tmp_path / "export"), inactive_days=90)


def upload(client, token: str, archive: bytes) -> Any:
    return client.post(
        "/api/v1/imports/hmis",
        data={"file": (io.BytesIO(archive), "export.zip")},
        headers=auth(token),
        content_type="multipart/form-data",
    )


def test_an_admin_uploads_a_zip_and_gets_the_summary(client, tokens, coord, tmp_path):
    archive = zip_folder(small_export(tmp_path / "export"), tmp_path / "export.zip")
    response = upload(client, tokens["admin"], archive.read_bytes())
    assert (response.status_code, response.json["persons_created"], response.json["events"]["Housed"]) == (200, 2, 1)
    refused = upload(client, tokens["backbone"], archive.read_bytes())
    assert refused.status_code == 403
    truncated = upload(client, tokens["admin"], archive.read_bytes()[:200])
    assert truncated.status_code == 422 and "nothing was appended" in truncated.json["message"]
    not_csv = io.BytesIO()
    with zipfile.ZipFile(not_csv, "w") as bad:
        bad.writestr("Export.csv", b"\x00\x01\x02binary")
    rejected = upload(client, tokens["admin"], not_csv.getvalue())
    assert rejected.status_code == 422
    assert sum(stored(coord).values()) == 10, "only the first upload appended anything"


def _sample(version: str) -> Path:
    folder = SAMPLES / version
    if not folder.is_dir():
        pytest.skip(f"the sample HMIS exports are not here: {SAMPLES.resolve()} (the repo's sibling ../shared)")
    return folder


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_samples_in_both_formats_give_identical_monthly_metrics(tmp_path, store_url):
    from coord.config import Config
    from coord.wiring import open_coord
    from events.crypto import MasterKey

    metrics = {}
    for version in ("fy2024", "fy2026"):
        config = Config.from_env(
            {"COORD_DATA_DIR": str(tmp_path / version), "COORD_MASTER_KEY": MasterKey.generate().to_base64()}
        )
        coord = open_coord(config)
        try:
            first = import_hmis(coord.service, ADMIN, _sample(version), inactive_days=90)
            again = import_hmis(coord.service, ADMIN, _sample(version), inactive_days=90)
            assert (first.created > 300, dict(again.events)) == (True, {}), json.dumps(again.as_json())[:500]
            rows = reports.monthly_report(coord, Principal("b", "backbone", None), first=_month(2021, 10)).rows
            metrics[version] = [{k: str(v) for k, v in row.items()} for row in rows]
        finally:
            coord.close()
    assert metrics["fy2024"] == metrics["fy2026"]
    assert any(row["housing_placements"] != "0" for row in metrics["fy2024"])


def _month(year: int, month: int) -> Any:
    from datetime import date

    return date(year, month, 1)


def test_an_import_that_dies_part_way_leaves_whole_clients_and_a_rerun_completes_it(coord, tmp_path):
    path = small_export(tmp_path / "export")
    clean = import_hmis(coord.service, ADMIN, path, inactive_days=90, dry_run=True)

    def die_after_the_first_client(_done: int) -> None:
        raise KeyboardInterrupt  # the process killed between two clients' transactions

    with pytest.raises(KeyboardInterrupt):
        import_hmis(coord.service, ADMIN, path, inactive_days=90, progress=die_after_the_first_client)
    assert sorted(stored(coord).elements()).count("Identified") == 1, "the first client whole, the second not begun"
    rerun = import_hmis(coord.service, ADMIN, path, inactive_days=90)

    assert (rerun.created, rerun.matched) == (1, 1)
    assert stored(coord) == Counter(clean.events)
    assert coord.service.project_on_write is True, "the writing process reads its own writes again"
