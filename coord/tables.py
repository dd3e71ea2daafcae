"""The service's own mutable tables (API tokens, dashboard sessions, the PII access log, idempotency records, the
keystore, the jobs' runs, the notifications' webhooks, intake addresses and outbox), and `ALL_METADATA`: every
table the project owns, which the migrations must create exactly (test_migrations.py).
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    false,
)

from projections.tables import metadata as read_models

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
    # A local starter token (`coord users starter`, what `make run` prints): the next starter run revokes it.
    Column("starter", Boolean, nullable=False, server_default=false()),
)

# The dashboard's sign-ins. The cookie holds only the session id, stored here as its SHA-256 hash; the session
# is good for the dashboard's own reads, until it expires, is signed out, or its token is revoked.
dashboard_sessions = Table(
    "dashboard_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("token_id", String(32), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
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
    Column("person_id", String(32), nullable=False, index=True),
    Column("fields", String(200), nullable=False),
    Column("purpose", String(200), nullable=False),
    #: SHA-256 (hex) of the previous entry's hash and this entry's content (coord/service/access_log.py).
    Column("hash", String(64), nullable=False),
)

#: Signed heads of the audit: the event chain's (position, hash) and the access log's (id, hash), with the time,
#: the fingerprint of the public key and the Ed25519 signature (coord/service/anchoring.py). Heads signed
#: before revision 0008 cover the events only (access_id and access_hash null).
audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("signature", String(128), nullable=False),
    Column("access_id", BigInteger),
    Column("access_hash", String(64)),
)

#: Replay snapshots (coord/service/replay_snapshots.py): the populations read model of the first events of the log,
#: folded into a scratch SQLite database, kept as that database file compressed (`state`, in the layout `format`
#: names; `digest` is its SHA-256), so a replay of a past moment starts from one instead of the first event.
#: `position`: the last event folded in (every event at or before it is); `events`: how many; `latest_recorded`:
#: the latest recorded time among them; `earliest_recorded`: the earliest among the events after the previous
#: snapshot's position (a replay skips that stretch of the log when nothing in it is earlier than its moment).
replay_snapshots = Table(
    "replay_snapshots",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("events", BigInteger, nullable=False),
    Column("latest_recorded", DateTime(timezone=True), nullable=False),
    Column("earliest_recorded", DateTime(timezone=True), nullable=False),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("format", Integer, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("state", LargeBinary, nullable=False),
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
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)

# The keystore's tables. events/keystore.py reads and writes them in its own SQL (the domain layer does not
# use SQLAlchemy); they are described here so that the migration test covers them too.
person_keys = Table(
    "person_keys",
    metadata,
    Column("person_id", String(32), primary_key=True),
    Column("wrapped_key", LargeBinary),
    Column("master_key_id", String(16)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True)),
    Index("person_keys_master_key_id", "master_key_id"),
)

index_keys = Table(
    "index_keys",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("wrapped_key", LargeBinary),
    Column("master_key_id", String(16)),
)

person_blind_index = Table(
    "person_blind_index",
    metadata,
    Column("person_id", String(32), primary_key=True),
    Column("digest", String(64), nullable=False, index=True),
    Column("agency", String(64), nullable=False),
)

#: Each run of a scheduled job (coord/jobs/): the period it covered (a day, an hour or a month), the clock's time
#: it ran at, who ran it and how it ended, and what it did in counts (never personal data).
job_runs = Table(
    "job_runs",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("job", String(40), nullable=False),
    Column("period", String(16), nullable=False),
    Column("as_of", DateTime(timezone=True), nullable=False),
    #: "schedule" or "cli"
    Column("trigger", String(16), nullable=False),
    #: host:pid of the process that ran it
    Column("runner", String(200), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    #: running, done, failed or interrupted
    Column("outcome", String(16), nullable=False),
    Column("summary", JSON),
    Index("ix_job_runs_job_period", "job", "period"),
)

#: Each scheduler process's last sign of life, and whether it holds the lead (only the leader runs jobs).
schedulers = Table(
    "schedulers",
    metadata,
    Column("runner", String(200), primary_key=True),
    Column("host", String(200), nullable=False),
    Column("leading", Boolean, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# -- notifications (coord/notify/, docs/notifications.md) ------------------------------------------------

#: Each agency's webhook endpoints. The signing secret is shown once at creation and kept only sealed (AES-256-GCM,
#: the webhook id as associated data) with the `webhook_secrets` key of `index_keys`, which the master key wraps.
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("agency", String(64), nullable=False, index=True),
    Column("url", String(2000), nullable=False),
    Column("sealed_secret", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

#: The address each agency takes its handoff emails at (an intake mailbox, not a person's).
agency_contacts = Table(
    "agency_contacts",
    metadata,
    Column("agency", String(64), primary_key=True),
    Column("intake_email", String(320), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

#: The outbox: one row per (event, recipient agency, channel and target), written by the outbox projector in the
#: same transaction as its position; its id (also the `event_id` receivers see) is deterministic, so a page read
#: twice inserts nothing twice. The payload holds no personal data.
notifications = Table(
    "notifications",
    metadata,
    Column("id", String(120), primary_key=True),
    #: The event's position in the log.
    Column("position", BigInteger, nullable=False, index=True),
    Column("agency", String(64), nullable=False),
    #: "webhook" or "email"
    Column("channel", String(16), nullable=False),
    #: The webhook's id, or the agency for email (its intake address is read when sending).
    Column("target", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    #: pending, delivered or failed
    Column("state", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    #: When a pending row is next due (a claimed row's lease ends then, too).
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    #: Why the latest attempt failed: an error's type or an HTTP status, never a message (it may quote data).
    Column("last_error", String(64)),
    Index("ix_notifications_state_next_attempt_at", "state", "next_attempt_at"),
)

#: Every table the project owns; the event store's own table is the eventsourcing library's.
ALL_METADATA = (read_models, metadata)
