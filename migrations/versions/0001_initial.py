"""Keystore, tokens, access log, idempotency records and the first read models.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(32)
AGENCY = sa.String(64)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "person_keys",
        sa.Column("person_id", ID, primary_key=True),
        sa.Column("wrapped_key", sa.LargeBinary),
        sa.Column("master_key_id", sa.String(16)),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("erased_at", WHEN),
    )
    op.create_index("person_keys_master_key_id", "person_keys", ["master_key_id"])
    op.create_table(
        "index_keys",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("wrapped_key", sa.LargeBinary),
        sa.Column("master_key_id", sa.String(16)),
    )
    op.create_table(
        "person_blind_index",
        sa.Column("person_id", ID, primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False, index=True),
        sa.Column("agency", AGENCY, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("id", ID, primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agency", AGENCY),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agency", AGENCY),
        sa.Column("person_id", ID, nullable=False, index=True),
        sa.Column("fields", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("token_id", ID, primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("resource_kind", sa.String(16)),
        sa.Column("resource_id", ID),
        sa.Column("resource_version", sa.Integer),
        sa.Column("created_at", WHEN, nullable=False, index=True),
    )
    op.create_table(
        "projection_positions",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "persons",
        sa.Column("id", ID, primary_key=True),
        sa.Column("agency", AGENCY, nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("identified_on", sa.Date, nullable=False),
        sa.Column("last_contact_on", sa.Date, nullable=False),
        sa.Column("last_transition_on", sa.Date, nullable=False),
        sa.Column("household_type", sa.String(16), nullable=False),
        sa.Column("veteran", sa.String(8), nullable=False),
        sa.Column("chronic", sa.Boolean, nullable=False),
        sa.Column("erased", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "services",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("agency", AGENCY, nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("handoff_window_days", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "handoffs",
        sa.Column("id", ID, primary_key=True),
        sa.Column("person_id", ID, nullable=False, index=True),
        sa.Column("episode_id", ID, nullable=False, index=True),
        sa.Column("from_service_id", ID),
        sa.Column("to_service_id", ID, nullable=False, index=True),
        sa.Column("agency", AGENCY, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("requested_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("last_transition_on", sa.Date, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "handoffs",
        "services",
        "persons",
        "projection_positions",
        "idempotency_records",
        "access_log",
        "tokens",
        "person_blind_index",
        "index_keys",
        "person_keys",
    ):
        op.drop_table(table)
