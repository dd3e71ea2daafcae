"""The PII type: a personal-data value bound to the person it is about.

Plaintext exists only in memory between a command and its save; the event store sees the value sealed
by the field-encryption transcoding (events/fieldcrypt.py), and a loaded event holds it sealed until a
reader who may see it opens it through the keystore.
"""

from __future__ import annotations

from uuid import UUID

#: The value every reader gets for a field it may not see, or one whose key was erased.
REDACTED = "[redacted]"

#: The fields of a person that are personal data (docs/design.md, "Where each rule lives").
PERSON_PII_FIELDS = ("first_name", "last_name", "dob", "ssn_last4", "phone", "email", "notes")


class PII:
    """One field value about `subject`: either plain (not yet stored) or sealed (loaded)."""

    __slots__ = ("envelope", "plaintext", "subject")

    def __init__(self, plaintext: str, subject: UUID) -> None:
        self.subject = subject
        self.plaintext: str | None = plaintext
        self.envelope: str | None = None

    @classmethod
    def sealed(cls, envelope: str, subject: UUID) -> PII:
        pii = cls.__new__(cls)
        pii.subject, pii.plaintext, pii.envelope = subject, None, envelope
        return pii

    def __repr__(self) -> str:
        # Never let a plaintext value reach a log line or a traceback.
        return f"PII(subject={self.subject}, {'plain' if self.plaintext is not None else 'sealed'})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PII):
            return NotImplemented
        return (self.subject, self.plaintext, self.envelope) == (
            other.subject,
            other.plaintext,
            other.envelope,
        )

    def __hash__(self) -> int:
        return hash((self.subject, self.plaintext, self.envelope))
