"""The log's transcoder decodes what the library's own decodes, to the same objects: typed values at any
depth (innermost first), lists, plain dicts that merely look typed, and what orjson refuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

from events.fieldcrypt import DateAsISO, UUIDAsCachedHex
from events.transcoder import FastJSONTranscoder

PERSON = UUID("12345678123456781234567812345678")


def _transcoders() -> tuple[JSONTranscoder, FastJSONTranscoder]:
    library, fast = JSONTranscoder(), FastJSONTranscoder()
    for transcoder in (library, fast):
        for transcoding in (UUIDAsHex(), DatetimeAsISO(), DateAsISO()):
            transcoder.register(transcoding)
    fast.register(UUIDAsCachedHex())
    return library, fast


STATES = [
    {
        "timestamp": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "effective_on": date(2026, 1, 2),
        "person_id": PERSON,
        "attributes": {"race_ethnicity": ["asian", "white"], "veteran": "no", "birth_year": 1970},
        "ids": [PERSON, [PERSON, {"on": date(2025, 5, 6)}]],
        "nothing": None,
        "text": "d\u00e9j\u00e0 vu \U0001f600",
    },
    {"looks_typed": {"_type_": "date_iso", "other": "2026-01-02"}, "three": {"_type_": 1, "_data_": 2, "x": 3}},
    {"big": 2**70, "effective_on": date(2026, 1, 2)},  # past 64 bits: orjson refuses, the library's parser reads
]


@pytest.mark.parametrize("state", STATES)
def test_decodes_as_the_library_does(state):
    library, fast = _transcoders()
    stored = library.encode(state)
    assert fast.decode(stored) == library.decode(stored) == state


@dataclass(frozen=True)
class Span:
    start: date
    end: date


class SpanAsPair(Transcoding):
    type, name = Span, "span"

    def encode(self, obj: Span) -> list[date]:
        return [obj.start, obj.end]

    def decode(self, data: list[date]) -> Span:
        assert all(isinstance(day, date) for day in data)  # the inner values arrive revived, as the library's
        return Span(*data)


def test_a_typed_value_inside_a_typed_value_is_revived_first():
    library, fast = _transcoders()
    for transcoder in (library, fast):
        transcoder.register(SpanAsPair())
    state = {"spans": [Span(date(2026, 1, 1), date(2026, 2, 1))], "one": Span(date(2025, 1, 1), date(2025, 1, 2))}
    stored = library.encode(state)
    assert fast.decode(stored) == library.decode(stored) == state


def test_a_name_never_registered_is_the_library_error():
    _, fast = _transcoders()
    with pytest.raises(TranscodingNotRegisteredError):
        fast.decode(b'{"x": {"_type_": "unknown", "_data_": "1"}}')


def test_an_id_read_twice_is_one_object():
    _, fast = _transcoders()
    stored = b'[{"_type_": "uuid_hex", "_data_": "%s"}]' % PERSON.hex.encode()
    first, second = fast.decode(stored)[0], fast.decode(stored)[0]
    assert first == second == PERSON and first is second
