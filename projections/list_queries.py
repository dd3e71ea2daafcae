"""Queries over the list read models: filtered, paged listings of persons, services and handoffs."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, select, true

from projections.db import Database
from projections.tables import handoffs, persons, services

TERMINAL_HANDOFF_STATUSES = ("rejected", "cancelled", "completed", "failed", "entered_in_error")


def population_filter(population: str) -> ColumnElement[bool]:
    return {
        "all": true(),
        "single_adults": persons.c.household_type == "single_adult",
        "veterans": persons.c.veteran == "yes",
        "chronic": persons.c.chronic.is_(True),
        "youth": persons.c.household_type == "youth",
        "families": persons.c.household_type == "family",
    }[population]


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
    conditions = [population_filter(population or "all")]
    if status:
        conditions.append(persons.c.status == status)
    if agency:
        conditions.append(persons.c.agency == agency)
    return _page(db, select(persons.c.id).where(and_(*conditions)), persons.c.id, after, limit)


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
    conditions: list[ColumnElement[bool]] = []
    if status:
        conditions.append(handoffs.c.status == status)
    if to_service:
        conditions.append(handoffs.c.to_service_id == to_service.hex)
    if overdue is not None:
        # Overdue: still waiting for an answer past its due date.
        late = and_(handoffs.c.status == "requested", handoffs.c.due_on < on)
        conditions.append(late if overdue else ~late)
    return _page(db, select(handoffs.c.id).where(and_(true(), *conditions)), handoffs.c.id, after, limit)


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
