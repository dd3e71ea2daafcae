"""The service's own mutable tables: API tokens, the PII access log and idempotency records."""

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table

metadata = MetaData()

tokens = Table(
    "tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("agency", String(64)),
    Column("label", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

access_log = Table(
    "access_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("agency", String(64)),
    Column("person_id", String(32), nullable=False),
    Column("fields", String(200), nullable=False),
    Column("purpose", String(200), nullable=False),
)

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("state", String(12), nullable=False),
    Column("status_code", Integer),
    Column("resource_kind", String(16)),
    Column("resource_id", String(32)),
    Column("resource_version", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
