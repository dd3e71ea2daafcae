"""Who is acting: a token's id, role and agency, or the system itself (`coord` on the server, the demo loader)."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("case_manager", "backbone", "auditor", "admin")
#: The agency recorded on events by actors that act for the whole partnership (admins, the system).
PARTNERSHIP = "partnership"


@dataclass(frozen=True)
class Principal:
    id: str
    role: str
    agency: str | None = None

    @property
    def acting_agency(self) -> str:
        return self.agency or PARTNERSHIP

    @classmethod
    def system(cls, job: str, agency: str | None = None) -> Principal:
        return cls(id=f"system:{job}", role="admin", agency=agency)
