"""AES-256-GCM sealing for personal data and for the data keys that protect it.

A sealed value is nonce || ciphertext-with-tag. Associated data binds each sealed value to whom (and what)
it is about, so a value copied onto another person's record does not open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12


class CryptoError(Exception):
    """A key is malformed or does not open what it was given."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def open_sealed(key: bytes, sealed: bytes, associated_data: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated_data)
    except (InvalidTag, ValueError):
        raise CryptoError("sealed value does not open with this key") from None


@dataclass(frozen=True)
class MasterKey:
    """The key that wraps every data key. Only its id (a one-way fingerprint) is ever stored."""

    key: bytes

    def __repr__(self) -> str:
        return f"MasterKey(id={self.key_id})"

    @property
    def key_id(self) -> str:
        return hmac.new(self.key, b"coord master key id", hashlib.sha256).hexdigest()[:16]

    @classmethod
    def from_base64(cls, text: str) -> MasterKey:
        try:
            key = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("master key is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise CryptoError(f"master key must be {KEY_BYTES} bytes, base64-encoded; got {len(key)} bytes")
        return cls(key)

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(new_key())

    def to_base64(self) -> str:
        return base64.b64encode(self.key).decode("ascii")

    def wrap(self, data_key: bytes, owner: bytes) -> bytes:
        return seal(self.key, data_key, b"coord data key:" + owner)

    def unwrap(self, wrapped: bytes, owner: bytes) -> bytes:
        return open_sealed(self.key, wrapped, b"coord data key:" + owner)
