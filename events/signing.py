"""Ed25519 signatures for the audit heads: whoever holds the private key vouches for (position, hash, time);
anyone holding only the public key can check that."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from events.crypto import CryptoError

SEED_BYTES = 32
PUBLIC_BYTES = 32


def _raw(text: str, what: str, size: int) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise CryptoError(f"{what} is not valid base64") from None
    if len(raw) != size:
        raise CryptoError(f"{what} must be {size} bytes, base64-encoded; got {len(raw)} bytes")
    return raw


class VerifyKey:
    """The public half: checks signatures, cannot make them."""

    def __init__(self, public: Ed25519PublicKey) -> None:
        self._public = public

    def __repr__(self) -> str:
        return f"VerifyKey(id={self.key_id})"

    @classmethod
    def from_base64(cls, text: str) -> VerifyKey:
        return cls(Ed25519PublicKey.from_public_bytes(_raw(text, "audit public key", PUBLIC_BYTES)))

    def to_base64(self) -> str:
        return base64.b64encode(self._public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")

    @property
    def key_id(self) -> str:
        """A fingerprint of the public key: which key signed a head."""
        return hashlib.sha256(self._public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]

    def verifies(self, message: bytes, signature: str) -> bool:
        try:
            self._public.verify(bytes.fromhex(signature), message)
        except (InvalidSignature, ValueError):
            return False
        return True


class SigningKey:
    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = VerifyKey(private.public_key())

    def __repr__(self) -> str:
        return f"SigningKey(id={self.key_id})"

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_base64(cls, text: str) -> SigningKey:
        return cls(Ed25519PrivateKey.from_private_bytes(_raw(text, "audit signing key", SEED_BYTES)))

    def to_base64(self) -> str:
        seed = self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return base64.b64encode(seed).decode("ascii")

    @property
    def key_id(self) -> str:
        return self.public.key_id

    def sign(self, message: bytes) -> str:
        return self._private.sign(message).hex()

    def verifies(self, message: bytes, signature: str) -> bool:
        return self.public.verifies(message, signature)
