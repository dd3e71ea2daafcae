"""/imports/hmis: an admin uploads an HMIS CSV export (a zip) and gets the import's summary back.

The same import as `coord import-hmis` (coord/hmis/importer.py); the upload is kept in a private temporary
file only while it is read.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from coord.api.http import caller, coord
from coord.hmis.importer import import_hmis
from coord.hmis.records import ExportError

blp = Blueprint("imports", __name__, url_prefix="/imports", description="Imports from other systems (admins)")

#: The largest export accepted over HTTP; larger ones go through `coord import-hmis` on the server.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024

UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "the export, a zip"},
                        "inactive_days": {"type": "integer", "minimum": 1, "maximum": 3650},
                        "agency": {"type": "string"},
                        "dry_run": {"type": "boolean"},
                    },
                    "required": ["file"],
                }
            }
        },
    }
}


@blp.route("/hmis")
class HmisImport(MethodView):
    @blp.doc(**UPLOAD_DOC)
    @blp.response(200)
    def post(self) -> dict[str, Any]:
        """Import an HMIS CSV export (FY2024 or FY2026, a zip with the CSVs at its root)"""
        who = caller()
        request.max_content_length = MAX_UPLOAD_BYTES
        upload = request.files.get("file")
        if upload is None:
            abort(422, message="send the export as the multipart field `file` (a zip)")
        inactive_days = _whole(request.form.get("inactive_days"), coord().config.inactive_days)
        dry_run = request.form.get("dry_run", "false").lower() in ("1", "true", "yes")
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "export.zip"
            upload.save(path)
            try:
                summary = import_hmis(
                    coord().service,
                    who,
                    path,
                    inactive_days=inactive_days,
                    agency=request.form.get("agency") or None,
                    dry_run=dry_run,
                )
            except ExportError as error:
                abort(422, message=f"the export cannot be imported, nothing was appended: {error}")
        return summary.as_json()


def _whole(text: str | None, default: int) -> int:
    if text is None or text == "":
        return default
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        abort(422, message="inactive_days must be a whole number of days from 1 to 3650")
    return int(text)
