"""Ed25519 signatures for the audit checkpoints: whoever holds the key vouches for (position, hash, time)."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from events.crypto import CryptoError

SEED_BYTES = 32


class SigningKey:
    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self._public = private.public_key()

    def __repr__(self) -> str:
        return f"SigningKey(id={self.key_id})"

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_base64(cls, text: str) -> SigningKey:
        try:
            seed = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("audit signing key is not valid base64") from None
        if len(seed) != SEED_BYTES:
            raise CryptoError(f"audit signing key must be {SEED_BYTES} bytes, base64-encoded; got {len(seed)} bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    def to_base64(self) -> str:
        seed = self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return base64.b64encode(seed).decode("ascii")

    @property
    def key_id(self) -> str:
        """A fingerprint of the public key: which key signed a checkpoint."""
        return hashlib.sha256(self._public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]

    def sign(self, message: bytes) -> str:
        return self._private.sign(message).hex()

    def verifies(self, message: bytes, signature: str) -> bool:
        try:
            self._public.verify(bytes.fromhex(signature), message)
        except (InvalidSignature, ValueError):
            return False
        return True
