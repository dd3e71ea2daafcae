"""Concurrent writers on one record: a write that loses the race is retried, never lost or doubled."""

from __future__ import annotations

import threading
from datetime import date

from coord.service.principal import Principal

WRITERS, WRITES_EACH = 4, 5


def test_concurrent_contacts_all_land(coord):
    app = coord.service
    who = Principal("test", "case_manager", "harbor")
    person = app.identify_person(
        who, attributes={"veteran": "no", "household_type": "youth"}, pii={}, effective_on=date.today()
    )
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(WRITES_EACH):
                app.record_contact(who, person.id, effective_on=date.today())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert app.get_person(person.id).version == 1 + WRITERS * WRITES_EACH
    app.projections.run()
    assert app.projections.lag() == 0
