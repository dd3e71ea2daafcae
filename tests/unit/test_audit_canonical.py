"""The audit chain's canonical bytes, built fast for verification, stay exactly the ones every chain was hashed
with; and the fast reading of an originator id's text agrees with UUID's on any text, or fails alike."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections.audit_chain import _canonical, _id_bytes, canonical


def _as_first_chained(stored) -> bytes:
    """The encoding as the chain was first written: any change to it breaks every recorded chain."""
    state = stored.state if isinstance(stored.state, bytes) else str(stored.state).encode()
    parts = (stored.originator_id.bytes, str(stored.originator_version).encode(), stored.topic.encode(), state)
    return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


@pytest.mark.parametrize(
    ("version", "topic", "state"),
    [
        (1, "events.person:Person.Identified", b'{"timestamp":1}'),
        (12345, "events.handoff:Handoff.Accepted", b""),
        (-3, "t\u00e9pic", "tampered to text"),
        (7, "", b"\x00\xff" * 300),
    ],
)
def test_the_canonical_bytes_are_the_ones_the_chain_was_written_with(version, topic, state):
    stored = SimpleNamespace(
        originator_id=UUID("0b7e5a4e-2f4c-4d7a-9a51-3c1e8f6b2d90"), originator_version=version, topic=topic, state=state
    )
    expected = _as_first_chained(stored)
    assert canonical(stored) == expected
    assert _canonical(_id_bytes(str(stored.originator_id)), version, topic, state) == expected
    assert _canonical(_id_bytes(stored.originator_id), version, topic, state) == expected


def _read(read, text):
    try:
        return read(text)
    except ValueError:
        return ValueError


@given(st.uuids(), st.sampled_from(["{}", "urn:uuid:{}", "{{{}}}", "{}", "{} "]), st.booleans(), st.booleans())
def test_an_originator_ids_text_reads_as_uuid_reads_it(uuid, form, upper, hyphens):
    digits = str(uuid) if hyphens else uuid.hex
    text = form.format(digits.upper() if upper else digits)
    assert _read(_id_bytes, text) == _read(lambda t: UUID(t).bytes, text)


@given(
    st.text(alphabet="0123456789abcdefABCDEFxyz-{} :urnid\u0660_+", max_size=40)
    | st.text(alphabet="0123456789abcdef-- _+\u0660", min_size=31, max_size=38)
)
def test_any_text_reads_as_uuid_reads_it_or_fails_alike(text):
    assert _read(_id_bytes, text) == _read(lambda t: UUID(t).bytes, text)
