"""HMIS CSV import (FY2024 and FY2026 exports): read an export (`export.py`) into the typed records of
`records.py`, turn each client's records into a dated history of by-name-list steps (`history.py`), by the
rules of docs/design.md "HMIS import"."""
