"""Bulk loads commit many saves a transaction (coord/service/batching.py), on SQLite and PostgreSQL: the log is
the one unbatched saves would write; the loading thread reads its own saves, others see them only once
committed; a block that fails keeps its whole saves and none of a command that failed; a transaction that meets
a concurrent change is stored not at all."""

from __future__ import annotations

import contextlib
import threading
from datetime import date

import pytest
from eventsourcing.persistence import IntegrityError

from coord.config import Config
from coord.demo import generate
from coord.service.principal import Principal
from coord.wiring import open_coord
from events.crypto import MasterKey
from events.errors import DomainError

HARBOR = Principal("t", "case_manager", "harbor")
ATTRIBUTES = {"veteran": "no", "household_type": "single_adult"}


def _identify(app, name: str = "Ana"):
    return app.identify_person(HARBOR, attributes=ATTRIBUTES, pii={"first_name": name}, effective_on=date(2026, 1, 5))


def _log(app) -> list[tuple[str, int]]:
    return [(n.topic.rsplit(".", 1)[-1], n.originator_version) for n in app.recorder.select_notifications(0, 10**6)]


def _head(app) -> int:
    return app.recorder.max_notification_id() or 0


def test_the_demo_writes_the_same_log_batched_as_unbatched(coord, tmp_path, monkeypatch):
    generate(coord.service, persons=40, seed=3, today=date(2026, 11, 30))
    unbatched = open_coord(
        Config.from_env(
            {"COORD_DATA_DIR": str(tmp_path / "unbatched"), "COORD_MASTER_KEY": MasterKey.generate().to_base64()}
        )
    )
    try:
        monkeypatch.setattr(type(unbatched.service), "batch", lambda _self, size=0: contextlib.nullcontext())
        generate(unbatched.service, persons=40, seed=3, today=date(2026, 11, 30))
        assert _log(unbatched.service) == _log(coord.service)
    finally:
        unbatched.close()


def test_saves_commit_a_batch_at_a_time_and_the_loading_thread_reads_its_own(coord):
    app = coord.service
    with app.batch(size=5):
        person = _identify(app)
        for day in (9, 10, 11):
            app.record_contact(HARBOR, person.id, effective_on=date(2026, 1, day))
        assert _head(app) == 0, "4 events: not committed yet"
        assert app.get_person(person.id).version == 4, "the loading thread reads its own saves"
        seen = []
        reader = threading.Thread(target=lambda: seen.append(app.recorder.max_notification_id()))
        reader.start()
        reader.join()
        assert seen == [None], "another thread sees nothing before the commit"
        app.record_contact(HARBOR, person.id, effective_on=date(2026, 1, 12))
        assert _head(app) == 5, "the fifth event filled the batch"
        second = _identify(app, "Bo")
        assert _head(app) == 5
    assert _head(app) == 6, "the end of the block commits the rest"
    assert app.get_person(second.id).pii and app.get_person(person.id).version == 5


def test_a_block_that_fails_keeps_its_whole_saves_and_none_of_a_failed_command(coord):
    app = coord.service
    with pytest.raises(DomainError), app.batch(size=100):
        person = _identify(app)
        app.transition_person(HARBOR, person.id, to="housed", destination=435, effective_on=date(2026, 2, 1))
        app.transition_person(HARBOR, person.id, to="housed", destination=435, effective_on=date(2026, 2, 2))
    assert [kind for kind, _ in _log(app)] == ["Identified", "Housed"]


def test_a_transaction_that_meets_a_concurrent_change_is_not_stored(coord):
    app = coord.service
    person = _identify(app)
    head = _head(app)
    with pytest.raises(IntegrityError), app.batch(size=100):
        newcomer = _identify(app, "Cy")
        app.record_contact(HARBOR, person.id, effective_on=date(2026, 1, 9))
        done = threading.Event()

        def elsewhere() -> None:  # another request changes the same person meanwhile
            app.record_contact(HARBOR, person.id, effective_on=date(2026, 1, 10))
            done.set()

        threading.Thread(target=elsewhere).start()
        assert done.wait(10)
    assert _head(app) == head + 1, "only the other request's contact"
    with pytest.raises(Exception, match="no person"):
        app.get_person(newcomer.id)
