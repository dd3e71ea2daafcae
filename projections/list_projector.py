"""The list projector: one row per person, service and handoff, for the filtered listings of the API.

Rows hold only clear attributes; they are keyed by aggregate id and carry its version (the ETag). Statuses
come from each aggregate's vocabulary table, and a person's populations are stored with the row, so no
listing restates a domain rule. A page is written in a few statements (projections/batch.py).

A person's row shows the membership attributes in force on the day it was projected, derived from every
statement of them (docs/design.md "Vocabularies"); a statement dated ahead sets `pending_on`, and the first
catch-up on or after that day derives the row again (`refresh`), so the list always shows today's values.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, case, delete, insert, select, update

from events.attributes import Statement, in_force, statement
from events.dates import today
from events.handoff import Handoff
from events.handoff_vocabulary import HANDOFF_EVENTS, HandoffEvent
from events.person import Person
from events.person_vocabulary import PERSON_EVENTS, PersonEvent
from events.populations import MEMBERSHIP_ATTRIBUTES, populations_of
from events.service import Service
from projections.batch import PageRows
from projections.runner import Positioned, Projector
from projections.tables import handoffs, person_populations, person_statements, persons, services

#: A function of an event giving the columns it sets on its aggregate's row.
Change = Callable[[Any], dict[str, Any]]


def _person_status(meaning: PersonEvent) -> dict[str, Any]:
    return {"status": meaning.leads_to}


def _handoff_status(meaning: HandoffEvent) -> dict[str, Any]:
    return {"status": meaning.leads_to, "awaiting_answer": meaning.awaits_answer}


def _identified(e: Person.Identified) -> dict[str, Any]:
    return {
        "id": e.originator_id.hex,
        "agency": e.agency,
        **_person_status(PERSON_EVENTS["Identified"]),
        "identified_on": e.effective_on,
        "last_contact_on": e.effective_on,
        "last_transition_on": e.effective_on,
        "household_type": e.attributes["household_type"],
        "veteran": e.attributes["veteran"],
        "chronic": bool(e.attributes.get("chronic", False)),
        "erased": False,
        "version": e.originator_version,
    }


def _registered(e: Service.Registered) -> dict[str, Any]:
    return {
        "id": e.originator_id.hex,
        "name": e.name,
        "agency": e.agency,
        "stage": e.stage,
        "handoff_window_days": e.handoff_window_days,
        "version": e.originator_version,
    }


def _requested(e: Handoff.Requested) -> dict[str, Any]:
    return {
        "id": e.originator_id.hex,
        "person_id": e.person_id.hex,
        "episode_id": e.episode_id.hex,
        "from_service_id": e.from_service_id.hex if e.from_service_id else None,
        "to_service_id": e.to_service_id.hex,
        "agency": e.agency,
        **_handoff_status(HANDOFF_EVENTS["Requested"]),
        "priority": e.priority,
        "requested_on": e.requested_on,
        "due_on": e.due_on,
        "last_transition_on": e.requested_on,
        "version": e.originator_version,
    }


def _statement(e: Person.Identified | Person.AttributesChanged) -> dict[str, Any] | None:
    stated = {name: e.attributes[name] for name in MEMBERSHIP_ATTRIBUTES if name in e.attributes}
    if not stated:
        return None
    return {
        "person_id": e.originator_id.hex,
        "version": e.originator_version,
        "effective_on": e.effective_on,
        "identification": isinstance(e, Person.Identified),
        "attributes": stated,
    }


NEW_ROWS: dict[type, tuple[Table, Change]] = {
    Person.Identified: (persons, _identified),
    Service.Registered: (services, _registered),
    Handoff.Requested: (handoffs, _requested),
}
#: Columns other than the status that an event sets on its row.
COLUMNS: dict[type, Change] = {
    Person.ContactRecorded: lambda e: {"last_contact_on": e.effective_on},
    Person.Erased: lambda e: {"erased": True},
}
#: Each aggregate whose row its later events change: the table, its vocabulary, the status columns of a move.
ROWS: dict[type, tuple[Table, Mapping[str, Any], Callable[[Any], dict[str, Any]]]] = {
    Person.Event: (persons, PERSON_EVENTS, _person_status),
    Handoff.Event: (handoffs, HANDOFF_EVENTS, _handoff_status),
}


@functools.cache
def _aggregate(kind: type) -> type | None:
    """The aggregate of ROWS an event class belongs to (asked once per class: a rebuild asks per event)."""
    return next((base for base in ROWS if issubclass(kind, base)), None)


def _change(event: Any) -> tuple[Table, dict[str, Any]] | None:
    """The row an event changes and the columns it sets, if it changes one."""
    aggregate = _aggregate(type(event))
    if aggregate is None:
        return None
    table, meanings, status = ROWS[aggregate]
    meaning = meanings[type(event).__name__]
    values = COLUMNS[type(event)](event) if type(event) in COLUMNS else {}
    if meaning.leads_to is not None:
        values.update(status(meaning), last_transition_on=event.effective_on)
    return table, values


class ListsProjector(Projector):
    def __init__(self, aside: bool = False) -> None:
        super().__init__("lists", (persons, services, handoffs, person_populations, person_statements), aside)
        self.persons, self.services, self.handoffs, self.person_populations, self.person_statements = self.tables

    def apply_page(self, connection: Connection, page: Sequence[Positioned]) -> None:
        rows = self._rows()
        statements: list[dict[str, Any]] = []
        for _position, event in page:
            if isinstance(event, Person.EntryVoided):
                # A void may set a column back (an earlier last contact): what came before it is written first.
                self._write(connection, rows, statements)
                rows, statements = self._rows(), []
                self._void(connection, event)
            elif type(event) in NEW_ROWS:
                table, row = NEW_ROWS[type(event)]
                rows.add(self.table(table), row(event))
            elif changed := _change(event):
                table, values = changed
                merged = rows.change(self.table(table), event.originator_id.hex)
                if "last_contact_on" in merged and "last_contact_on" in values:
                    values["last_contact_on"] = max(values["last_contact_on"], merged["last_contact_on"])
                merged.update(values, version=event.originator_version)
            if isinstance(event, Person.Identified | Person.AttributesChanged) and (stated := _statement(event)):
                statements.append(stated)
        self._write(connection, rows, statements)

    def refresh(self, connection: Connection) -> None:
        persons = self.persons
        due = connection.execute(select(persons.c.id).where(persons.c.pending_on <= today())).scalars().all()
        if due:
            self._derive(connection, list(due))

    def _rows(self) -> PageRows:
        return PageRows({self.persons: "id", self.services: "id", self.handoffs: "id"}, {"last_contact_on": _latest})

    def _write(self, connection: Connection, rows: PageRows, statements: list[dict[str, Any]]) -> None:
        """Write the rows and statements; then each person's attributes in force and populations. A person
        identified in these rows has every statement here: their row is derived before it is inserted."""
        by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for stated in statements:
            by_person[stated["person_id"]].append(stated)
        fresh = {
            person_id: rows.added[(self.persons, person_id)]
            for person_id in by_person
            if (self.persons, person_id) in rows.added
        }
        for person_id, row in fresh.items():
            row.update(_in_force_today(row["identified_on"], by_person[person_id]))
        rows.write(connection)
        if statements:
            connection.execute(insert(self.person_statements), statements)
        memberships = [
            {"population": population, "person_id": person_id}
            for person_id, row in fresh.items()
            for population in populations_of(row)
        ]
        if memberships:
            connection.execute(insert(self.person_populations), memberships)
        if known := sorted(by_person.keys() - fresh.keys()):
            self._derive(connection, known)

    def _void(self, connection: Connection, event: Any) -> None:
        """Set the row back as the event says, and derive its attributes again without a voided statement."""
        persons, person_statements = self.persons, self.person_statements
        person_id = event.originator_id.hex
        values = {**event.row, "version": event.originator_version}
        connection.execute(update(persons).where(persons.c.id == person_id).values(values))
        voided = person_statements.c.person_id == person_id, person_statements.c.version == event.voids
        if connection.execute(delete(person_statements).where(*voided)).rowcount:
            self._derive(connection, [person_id])

    def _derive(self, connection: Connection, person_ids: list[str]) -> None:
        """Store the membership attributes in force today (or, before identification, identification's own),
        the next day a statement starts to apply, and the populations the attributes make."""
        persons, person_statements = self.persons, self.person_statements
        identified_on = dict(
            connection.execute(select(persons.c.id, persons.c.identified_on).where(persons.c.id.in_(person_ids))).all()
        )
        stated: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        query = select(person_statements).where(person_statements.c.person_id.in_(person_ids))
        for row in connection.execute(query.order_by(person_statements.c.version)):
            stated[row.person_id].append(row._mapping)
        rows = PageRows({persons: "id"})
        for person_id, statements in stated.items():
            rows.change(persons, person_id).update(_in_force_today(identified_on[person_id], statements))
        rows.write(connection)
        self._store_populations(connection, person_ids)

    def _store_populations(self, connection: Connection, person_ids: list[str]) -> None:
        """Replace the populations of these persons, from their rows as now written."""
        persons, person_populations = self.persons, self.person_populations
        current = connection.execute(
            select(persons.c.id, *(persons.c[name] for name in MEMBERSHIP_ATTRIBUTES)).where(
                persons.c.id.in_(person_ids)
            )
        )
        memberships = [
            {"population": population, "person_id": row.id}
            for row in current
            for population in populations_of(row._mapping)
        ]
        connection.execute(delete(person_populations).where(person_populations.c.person_id.in_(person_ids)))
        connection.execute(insert(person_populations), memberships)


def _in_force_today(identified_on: date, statements: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The membership attributes in force today (before identification, identification's own) from a
    person's statements in log order, and the next day a statement starts to apply."""
    by_name: dict[str, list[Statement]] = defaultdict(list)
    for stated in statements:
        for name, value in stated["attributes"].items():
            by_name[name].append(statement(value, stated["effective_on"], identified_on, stated["identification"]))
    day = max(today(), identified_on)
    ahead = [s[0] for named in by_name.values() for s in named if s[0] > day]
    return {name: in_force(by_name[name], day) for name in MEMBERSHIP_ATTRIBUTES} | {
        "pending_on": min(ahead, default=None)
    }


def _latest(column: Any, seen: Any) -> Any:
    """A back-dated contact must not make the person look less recently seen."""
    return case((column < seen, seen), else_=column)


def lists_projector() -> ListsProjector:
    return ListsProjector()
