"""What an import did: clients read, persons created and matched, events appended by type, rows skipped by
reason and the problems, each with its file, row and reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from coord.hmis.records import Problem


@dataclass
class Summary:
    clients: int = 0
    created: int = 0
    matched: int = 0
    services_created: int = 0
    events: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "clients": self.clients,
            "persons_created": self.created,
            "persons_matched": self.matched,
            "services_created": self.services_created,
            "events": dict(sorted(self.events.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "problems": [{"file": p.file, "row": p.row, "reason": p.reason} for p in self.problems],
            "dry_run": self.dry_run,
        }
