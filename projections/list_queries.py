"""Queries over the list read models: filtered, paged listings of persons, services and handoffs.
They filter on what the list projector stored (statuses, populations, awaiting an answer), never re-deriving it."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from events.handoff_vocabulary import HANDOFF_EVENTS
from events.vocabulary import ENTERED_IN_ERROR
from projections.db import Database
from projections.tables import handoffs, person_populations, persons, services

#: Handoffs still open: in a status no closing event leads to.
OPEN_HANDOFF_STATUSES = tuple(dict.fromkeys(m.leads_to for m in HANDOFF_EVENTS.values() if not m.terminal))


def _page(db: Database, query: Select[Any], id_column: Any, after: UUID | None, limit: int) -> list[UUID]:
    if after:
        query = query.where(id_column > after.hex)
    with db.read() as connection:
        return [UUID(row[0]) for row in connection.execute(query.order_by(id_column).limit(limit))]


def person_ids(
    db: Database,
    *,
    status: str | None = None,
    population: str | None = None,
    agency: str | None = None,
    after: UUID | None = None,
    limit: int = 50,
) -> list[UUID]:
    query = select(persons.c.id)
    if population:
        query = query.join(
            person_populations,
            and_(person_populations.c.person_id == persons.c.id, person_populations.c.population == population),
        )
    # A person entered in error is listed only when asked for by that status.
    query = query.where(persons.c.status == status if status else persons.c.status != ENTERED_IN_ERROR)
    if agency:
        query = query.where(persons.c.agency == agency)
    return _page(db, query, persons.c.id, after, limit)


def handoff_ids(
    db: Database,
    *,
    status: str | None = None,
    to_service: UUID | None = None,
    overdue: bool | None = None,
    on: date,
    after: UUID | None = None,
    limit: int = 50,
) -> list[UUID]:
    # The handoffs of a person entered in error went with them: that person was never on the list.
    struck_out = select(persons.c.id).where(persons.c.status == ENTERED_IN_ERROR)
    conditions: list[ColumnElement[bool]] = [handoffs.c.person_id.not_in(struck_out)]
    if status:
        conditions.append(handoffs.c.status == status)
    if to_service:
        conditions.append(handoffs.c.to_service_id == to_service.hex)
    if overdue is not None:
        # Overdue: still waiting for an answer past its due date.
        late = and_(handoffs.c.awaiting_answer, handoffs.c.due_on < on)
        conditions.append(late if overdue else ~late)
    return _page(db, select(handoffs.c.id).where(*conditions), handoffs.c.id, after, limit)


def service_rows(db: Database, *, stage: str | None = None, agency: str | None = None) -> list[dict[str, Any]]:
    query = select(services).order_by(services.c.name, services.c.id)
    if stage:
        query = query.where(services.c.stage == stage)
    if agency:
        query = query.where(services.c.agency == agency)
    with db.read() as connection:
        return [{**row._mapping, "id": str(UUID(row.id))} for row in connection.execute(query)]


def episode_person(db: Database, episode_id: UUID) -> UUID | None:
    with db.read() as connection:
        row = connection.execute(
            select(handoffs.c.person_id).where(handoffs.c.episode_id == episode_id.hex).limit(1)
        ).first()
    return UUID(row[0]) if row else None


def lapsed_person_ids(db: Database, *, seen_before: date, after: UUID | None = None, limit: int = 500) -> list[UUID]:
    """Active persons whom nobody has seen (a contact, or a move back onto the list) since before `seen_before`:
    the inactivity sweep's candidates. The sweep decides on each person's own record (events/lapses.py)."""
    seen = func.max(persons.c.last_contact_on, persons.c.last_transition_on)
    if db.engine.dialect.name == "postgresql":
        seen = func.greatest(persons.c.last_contact_on, persons.c.last_transition_on)
    query = select(persons.c.id).where(persons.c.status == "active", seen < seen_before)
    return _page(db, query, persons.c.id, after, limit)


def expired_handoff_ids(
    db: Database, *, requested_before: date, after: UUID | None = None, limit: int = 500
) -> list[UUID]:
    """Handoffs still waiting in `requested` that were requested before `requested_before`: the expiry job's
    candidates (the handoff's own record decides: events/lapses.py)."""
    query = select(handoffs.c.id).where(handoffs.c.status == "requested", handoffs.c.requested_on < requested_before)
    return _page(db, query, handoffs.c.id, after, limit)


def worklist_person_ids(
    db: Database,
    *,
    status: str | None = None,
    population: str | None = None,
    agency: str | None = None,
    seen_before: date | None = None,
    after: UUID | None = None,
    limit: int = 50,
) -> list[UUID]:
    """The list in case-conferencing order: longest on the list first (earliest identification), then by id.
    `seen_before`: only persons last contacted before that day. `after` pages on from that person's place."""
    query = select(persons.c.id)
    if population:
        query = query.join(
            person_populations,
            and_(person_populations.c.person_id == persons.c.id, person_populations.c.population == population),
        )
    query = query.where(persons.c.status == status if status else persons.c.status != ENTERED_IN_ERROR)
    if agency:
        query = query.where(persons.c.agency == agency)
    if seen_before:
        query = query.where(persons.c.last_contact_on < seen_before)
    if after:
        place = select(persons.c.identified_on).where(persons.c.id == after.hex).scalar_subquery()
        query = query.where(
            or_(persons.c.identified_on > place, and_(persons.c.identified_on == place, persons.c.id > after.hex))
        )
    query = query.order_by(persons.c.identified_on, persons.c.id).limit(limit)
    with db.read() as connection:
        return [UUID(row[0]) for row in connection.execute(query)]


def queue_handoff_ids(
    db: Database, *, incoming: bool, agency: str | None, on: date, open_only: bool = True, limit: int = 200
) -> list[UUID]:
    """A queue of handoffs for an agency's services (None: every agency's). Incoming: to its services, those
    waiting for an answer past their due date first, then by due date. Outgoing: from its services (or asked
    by it without a from-service), the latest requested first."""
    struck_out = select(persons.c.id).where(persons.c.status == ENTERED_IN_ERROR)
    query = select(handoffs.c.id).where(handoffs.c.person_id.not_in(struck_out))
    if agency:
        ours = select(services.c.id).where(services.c.agency == agency)
        if incoming:
            query = query.where(handoffs.c.to_service_id.in_(ours))
        else:
            query = query.where(
                or_(
                    handoffs.c.from_service_id.in_(ours),
                    and_(handoffs.c.from_service_id.is_(None), handoffs.c.agency == agency),
                )
            )
    if incoming:
        if open_only:
            query = query.where(handoffs.c.status.in_(OPEN_HANDOFF_STATUSES))
        late = and_(handoffs.c.awaiting_answer, handoffs.c.due_on < on)
        query = query.order_by(case((late, 0), else_=1), handoffs.c.due_on, handoffs.c.id)
    else:
        query = query.order_by(handoffs.c.requested_on.desc(), handoffs.c.id)
    with db.read() as connection:
        return [UUID(row[0]) for row in connection.execute(query.limit(limit))]


def person_handoff_ids(db: Database, person_id: UUID, *, limit: int = 100) -> list[UUID]:
    """A person's handoffs, the latest requested first."""
    query = select(handoffs.c.id).where(handoffs.c.person_id == person_id.hex)
    query = query.order_by(handoffs.c.requested_on.desc(), handoffs.c.id).limit(limit)
    with db.read() as connection:
        return [UUID(row[0]) for row in connection.execute(query)]
