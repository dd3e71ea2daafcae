"""The keystore on SQLite and PostgreSQL: sealing, erasure, rotation and the blind index."""

from __future__ import annotations

from uuid import uuid4

import pytest

from events.crypto import CryptoError, MasterKey
from events.errors import ErasedError
from events.keystore import KeyStore, UnknownMasterKeyError
from events.pii import PII


def _sealed(keystore: KeyStore, person_id, text: str) -> PII:
    return PII.sealed(keystore.seal(person_id, text), person_id)


def test_seal_open_erase(coord):
    keystore = coord.service.keystore
    person_id = uuid4()
    keystore.create(person_id)
    value = _sealed(keystore, person_id, "Marisol")
    assert keystore.open(value) == "Marisol"
    other = uuid4()
    keystore.create(other)
    moved = PII.sealed(value.envelope, other)
    with pytest.raises(CryptoError, match="does not open"):
        keystore.open(moved)  # bound to its person: another person's key does not open it
    keystore.erase(person_id)
    keystore.erase(person_id)
    assert keystore.open(value) is None and keystore.is_erased(person_id)
    with pytest.raises(ErasedError):
        keystore.seal(person_id, "again")


def test_rotation_rewraps_every_key_and_is_needed_to_read(coord, config):
    keystore = coord.service.keystore
    ids = [uuid4() for _ in range(7)]
    values = []
    for person_id in ids:
        keystore.create(person_id)
        values.append(_sealed(keystore, person_id, f"name-{person_id.hex[:4]}"))
    keystore.index_person(ids[0], "harbor", "A", "B", "2000-01-01")
    new = MasterKey.generate()
    assert keystore.rotate(new, batch_size=3) == 8, "seven data keys and the blind-index key"
    assert keystore.rotate(new) == 0, "a second run finds nothing left to do"

    fresh = KeyStore(keystore.datastore, new)
    assert [fresh.open(v) for v in values] == [f"name-{i.hex[:4]}" for i in ids]
    old_only = KeyStore(keystore.datastore, config.master_key)
    with pytest.raises(UnknownMasterKeyError):
        old_only.open(values[0])


def test_blind_index_finds_possible_duplicates_and_forgets_erased(coord):
    keystore = coord.service.keystore
    a, b, c = uuid4(), uuid4(), uuid4()
    keystore.index_person(a, "harbor", "Zoë", "O'Neil", "1970-01-01")
    keystore.index_person(b, "gateway", "zoe", "oneil", "1970-01-01")
    keystore.index_person(c, "gateway", "zoe", "oneil", "1970-01-02")
    assert keystore.duplicate_groups() == [sorted([a, b])]
    keystore.erase(a)
    assert keystore.duplicate_groups() == []


def test_find_before_add_matches_the_normalised_name_and_dob_only(coord):
    keystore = coord.service.keystore
    a, b = uuid4(), uuid4()
    keystore.index_person(a, "harbor", "Zoë", "O'Neil", "1970-01-01")
    keystore.index_person(b, "gateway", "Zoe", "Oneil", "1970-01-02")
    assert keystore.matching(" ZOE", "o neil", "1970-01-01") == [a]
    assert keystore.matching("Zoe", "O'Neil", "1971-01-01") == []
    keystore.erase(a)
    assert keystore.matching("Zoë", "O'Neil", "1970-01-01") == []
