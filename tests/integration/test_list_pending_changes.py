"""The list shows the attributes in force on the day: a change dated ahead is stored as pending and the
first catch-up on or after its day derives the row again, without any new event."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from uuid import uuid4

import pytest

from events.dates import today
from events.person import Person
from projections import list_projector, list_queries
from projections.runner import CatchUp
from projections.tables import persons
from tests.projection_support import Log, project, read_models

WHO = {"actor": "t", "agency": "harbor"}


#: A log with no new events: a catch-up then only refreshes what depends on the day.
NO_NEW_EVENTS = SimpleNamespace(recorder=SimpleNamespace(select_notifications=lambda **_: []))


def test_a_change_dated_tomorrow_becomes_current_on_the_first_catch_up_of_its_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = Log()
    person = Person.identify(
        id=uuid4(), attributes={"household_type": "single_adult", "veteran": "no"}, pii={}, effective_on=today(), **WHO
    )
    tomorrow = today() + timedelta(days=1)
    person.change_attributes(attributes={"veteran": "yes"}, pii={}, effective_on=tomorrow, **WHO)
    log.record(person)
    db = read_models(tmp_path)
    try:
        projector = list_projector.lists_projector()
        project(db, [projector], log.events)
        assert list_queries.person_ids(db, population="veterans") == []
        with db.read() as connection:
            assert connection.execute(persons.select()).one()._mapping["pending_on"] == tomorrow

        monkeypatch.setattr(list_projector, "today", lambda: tomorrow)
        CatchUp(NO_NEW_EVENTS, db, [projector]).run()
        assert list_queries.person_ids(db, population="veterans") == [person.id]
        with db.read() as connection:
            row = connection.execute(persons.select()).one()._mapping
        assert (row["veteran"], row["pending_on"]) == ("yes", None)
    finally:
        db.dispose()
