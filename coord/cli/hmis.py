"""`coord import-hmis PATH`: import an HMIS CSV export (FY2024 or FY2026; a folder or a zip)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from coord.config import Config
from coord.hmis.export import read_export
from coord.hmis.importer import JOB, import_export
from coord.hmis.records import ExportError
from coord.service.principal import Principal
from coord.wiring import open_coord


@click.command("import-hmis")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--inactive-days",
    type=click.IntRange(1, 3650),
    default=None,
    help="days without contact before a person counts as inactive (default COORD_INACTIVE_DAYS, 90)",
)
@click.option("--agency", default=None, help="the agency the imported persons and services belong to")
@click.option("--dry-run", is_flag=True, help="print the summary, append nothing")
def import_hmis(path: Path, inactive_days: int | None, agency: str | None, dry_run: bool) -> None:
    """Import an HMIS CSV export into the by-name list; importing it again appends nothing."""
    try:
        export = read_export(path)
    except ExportError as error:
        raise click.ClickException(f"the export cannot be imported, nothing was appended: {error}") from None
    config = Config.from_env()
    coord = open_coord(config)
    try:
        with click.progressbar(length=len(export.clients), label="importing clients", file=sys.stderr) as bar:
            summary = import_export(
                coord.service,
                Principal.system(JOB),
                export,
                inactive_days=inactive_days or config.inactive_days,
                agency=agency,
                dry_run=dry_run,
                progress=bar.update,
            )
    finally:
        coord.close()
    click.echo(json.dumps(summary.as_json(), indent=2))
