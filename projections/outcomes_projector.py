"""The outcomes projector: one row per outcome milestone in force, keyed by the person and the version of the
entry that recorded it, so a void (EntryVoided) deletes exactly its row and the report never sees it again."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, tuple_

from events.person import Person
from projections.runner import Positioned, Projector
from projections.tables import person_outcomes


class OutcomesProjector(Projector):
    def __init__(self, aside: bool = False) -> None:
        super().__init__("outcomes", (person_outcomes,), aside)
        (self.person_outcomes,) = self.tables

    def apply_page(self, connection: Connection, page: Sequence[Positioned]) -> None:
        """A void only ever names an earlier entry: rows of the page are inserted before its voids delete."""
        table = self.person_outcomes
        rows, voided = [], []
        for _position, event in page:
            if type(event) is Person.OutcomeRecorded:
                rows.append(
                    {
                        "person_id": event.originator_id.hex,
                        "version": event.originator_version,
                        "indicator": event.indicator,
                        "met": event.met,
                        "effective_on": event.effective_on,
                        "source": event.source,
                    }
                )
            elif type(event) is Person.EntryVoided:
                voided.append((event.originator_id.hex, event.voids))
        if rows:
            connection.execute(insert(table), rows)
        if voided:
            connection.execute(delete(table).where(tuple_(table.c.person_id, table.c.version).in_(voided)))


def outcomes_projector() -> OutcomesProjector:
    return OutcomesProjector()
