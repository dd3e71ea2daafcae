"""The CSV files of an export, a folder or a zip with the CSVs at its root, read as a stream of rows; anything
that makes a file unreadable (a corrupt zip, a file that is not UTF-8 CSV) is an ExportError naming the file."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from coord.hmis.records import ExportError, Problem

#: What reading a damaged zip member or a non-CSV file can raise.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)
_NOT_CSV = (UnicodeDecodeError, csv.Error)
#: An encrypted zip member (RuntimeError), an unsupported compression (NotImplementedError), a file not readable.
_CANNOT_OPEN = (RuntimeError, NotImplementedError, OSError)
NOT_CSV = "not a readable CSV file (UTF-8, comma-separated)"
DAMAGED = "damaged in the zip file (its data does not match its checksum)"
CANNOT_OPEN = "cannot be opened (an encrypted or unusually compressed zip member, or no permission to read it)"


class ExportFiles:
    """The files of one export by name (matched ignoring case), each opened as UTF-8 text (a BOM is dropped)."""

    def __init__(self, path: Path) -> None:
        self._zip: zipfile.ZipFile | None = None
        self._folder: Path | None = None
        if path.is_dir():
            self._folder = path
            names = [child.name for child in path.iterdir() if child.is_file()]
            self.nested = []
        elif path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError):
                with path.open("rb") as head:
                    zip_like = head.read(2) == b"PK"
                reason = "a truncated or corrupt zip file" if zip_like else "neither a folder nor a zip file"
                raise ExportError([Problem(path.name, None, reason)]) from None
            members = [info.filename for info in self._zip.infolist() if not info.is_dir()]
            names = [name for name in members if "/" not in name]
            #: CSVs in a folder of the zip, not at its root: named when a required file is missing.
            self.nested = sorted({name.rsplit("/", 1)[0] for name in members if "/" in name and name.endswith(".csv")})
        else:
            raise ExportError([Problem(path.name, None, "no such folder or zip file")])
        self._names = {name.casefold(): name for name in names}

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __contains__(self, name: str) -> bool:
        return name.casefold() in self._names

    @contextmanager
    def _text(self, name: str) -> Iterator[IO[str]]:
        actual = self._names[name.casefold()]
        raw = self._zip.open(actual) if self._zip is not None else (self._folder / actual).open("rb")
        with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            yield text

    def header(self, name: str) -> list[str]:
        """The column names of `name`, read from its first line only."""
        try:
            with self._text(name) as text:
                header = next(csv.reader(text), [])
        except _DAMAGED:
            raise ExportError([Problem(name, None, DAMAGED)]) from None
        except _NOT_CSV:
            raise ExportError([Problem(name, None, NOT_CSV)]) from None
        except _CANNOT_OPEN:
            raise ExportError([Problem(name, None, CANNOT_OPEN)]) from None
        if any("\x00" in column for column in header):
            raise ExportError([Problem(name, None, NOT_CSV)])
        return [column.strip() for column in header]

    def rows(self, name: str) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, row) for each data row of `name`, 1 for the first, streamed. A row whose number of fields
        differs from the header's comes as {"": "<reason>"} so the caller reports it."""
        row_number = 0
        try:
            with self._text(name) as text:
                reader = csv.reader(text)
                header = [column.strip() for column in next(reader, [])]
                for row_number, values in enumerate(reader, start=1):
                    if not values:
                        continue
                    if len(values) != len(header):
                        yield row_number, {"": f"has {len(values)} fields, the header has {len(header)}"}
                        continue
                    yield row_number, dict(zip(header, (value.strip() for value in values), strict=True))
        except _DAMAGED:
            raise ExportError([Problem(name, None, DAMAGED)]) from None
        except _CANNOT_OPEN:
            raise ExportError([Problem(name, None, CANNOT_OPEN)]) from None
        except _NOT_CSV:
            # Text is decoded ahead in chunks: the row is where reading stopped, the fault may be a little later.
            raise ExportError([Problem(name, row_number + 1, NOT_CSV)]) from None
