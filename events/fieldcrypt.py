"""Transcodings that let events carry dates and personal data through the library's JSON transcoder.

PII values are sealed with the person's data key on the way in and come back sealed on the way out:
decryption happens only when a reader who may see the value asks the keystore to open it.
"""

from __future__ import annotations

import functools
from datetime import date
from uuid import UUID

from eventsourcing.persistence import Transcoding, UUIDAsHex

from events.keystore import KeyStore
from events.pii import PII


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class PIITranscoding(Transcoding):
    type = PII
    name = "pii"

    def __init__(self, keystore: KeyStore) -> None:
        self.keystore = keystore

    def encode(self, obj: PII) -> list[str]:
        if obj.envelope is None:
            obj.envelope = self.keystore.seal(obj.subject, obj.plaintext or "")
        return [obj.subject.hex, obj.envelope]

    def decode(self, data: list[str]) -> PII:
        subject, envelope = data
        return PII.sealed(envelope, _uuid(subject))


class UUIDAsCachedHex(UUIDAsHex):
    """The library's UUID transcoding, but an id read again is not parsed again: events name the same
    persons, services and episodes over and over, and a rebuild reads them all."""

    def decode(self, data: str) -> UUID:
        return _uuid(data)


@functools.lru_cache(maxsize=8192)
def _uuid(hex_id: str) -> UUID:
    # UUIDs are immutable: one object may stand for every mention of an id. The ids a page of events names
    # recur within it; a cache the size of the log's ids (65,536 before) was ~20 MB held by a rebuild.
    return UUID(hex_id)
