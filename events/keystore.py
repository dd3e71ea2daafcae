"""The keystore: one data key per person, wrapped by the master key, in the mutable `person_keys` table.

Deleting a person's key is erasure (crypto-shredding): the events stay, their personal data no longer opens.
The same store keeps the blind index (an HMAC of normalised name + dob) that finds possible duplicates
without decrypting; it is deleted with the key. Tables are created by the Alembic migrations; SQL runs on
the event store's own connection pool so a keystore write shares the store's locking.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.utils import retry

from events.crypto import CryptoError, MasterKey, new_key, open_sealed, seal
from events.errors import ErasedError
from events.key_cache import KeyCache
from events.pii import PII
from events.recorders import Execute, RowWriter, write_rows

BLIND_INDEX_KEY = "blind_index"

#: One retry of a keystore call that met a dropped connection (the pool then hands out a checked one).
RETRY_ONCE = retry((InterfaceError, OperationalError), max_attempts=2, wait=0.1)


class UnknownMasterKeyError(CryptoError):
    """A stored key is wrapped by a master key this process was not given."""


def normalise_for_index(first_name: str, last_name: str, dob: str) -> str:
    """Case, accents, spaces and punctuation do not make two people different."""

    def fold(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        return "".join(c for c in decomposed if c.isalnum())

    return f"{fold(first_name)}|{fold(last_name)}|{dob.strip()}"


class KeyStore:
    def __init__(self, datastore: Any, master: MasterKey, previous: Sequence[MasterKey] = ()) -> None:
        self.datastore = datastore
        self.master = master
        self._masters = {k.key_id: k for k in (*previous, master)}
        self._is_sqlite = isinstance(datastore, SQLiteDatastore)
        self._cache = KeyCache()
        #: Keys of persons being identified in this process, until their first events commit (`new_key`).
        self._pending: dict[UUID, bytes] = {}
        self._index_key: bytes | None = None

    # -- SQL plumbing: the library's datastores differ only in parameter style --------------------

    @contextmanager
    def _transaction(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def _sql(self, statement: str) -> str:
        return statement.replace("%s", "?") if self._is_sqlite else statement

    def _now(self) -> datetime | str:
        now = datetime.now(UTC)
        return now.isoformat() if self._is_sqlite else now

    @RETRY_ONCE
    def _fetchone(self, statement: str, params: Sequence[Any]) -> Any:
        with self._transaction(commit=False) as cursor:
            cursor.execute(self._sql(statement), params)
            return cursor.fetchone()

    def _unwrap(self, wrapped: bytes, key_id: str, owner: bytes) -> bytes:
        try:
            master = self._masters[key_id]
        except KeyError:
            raise UnknownMasterKeyError(
                "a data key is wrapped by a master key this process does not have; "
                "finish `coord keys rotate` or set COORD_MASTER_KEY_PREVIOUS"
            ) from None
        return master.unwrap(bytes(wrapped), owner)

    # -- data keys ------------------------------------------------------------------------------

    @RETRY_ONCE
    def create(self, person_id: UUID) -> None:
        """Give a new person a data key in a transaction of its own (nothing happens if they have one)."""
        rows = [self._key_row(person_id, new_key())]
        with self._transaction(commit=True) as cursor:
            write_rows(cursor, rows, self._is_sqlite)
        self._cache.drop(person_id)

    @contextmanager
    def new_key(self, person_id: UUID) -> Iterator[RowWriter]:
        """A data key for a new person, stored by the row writer this yields in the transaction of the
        person's first events (events/recorders.py). Within the block the key seals their personal data in
        this process; after it, the key is this process's cached key if the block ended well, else gone."""
        key = new_key()
        self._pending[person_id] = key
        try:
            yield self._key_row(person_id, key)
        except BaseException:
            self._cache.drop(person_id)
            raise
        else:
            self._cache.put(person_id, key)
        finally:
            self._pending.pop(person_id, None)

    def _key_row(self, person_id: UUID, key: bytes) -> RowWriter:
        values = (person_id.hex, self.master.wrap(key, person_id.bytes), self.master.key_id, self._now())

        def write(execute: Execute, _sqlite: bool) -> None:
            execute(
                "INSERT INTO person_keys (person_id, wrapped_key, master_key_id, created_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (person_id) DO NOTHING",
                values,
            )

        return write

    def data_key(self, person_id: UUID) -> bytes | None:
        """The person's data key, or None when erased (or never created)."""
        pending = self._pending.get(person_id)
        if pending is not None:
            return pending
        hit, key = self._cache.get(person_id)
        if hit:
            return key
        row = self._fetchone(
            "SELECT wrapped_key, master_key_id FROM person_keys WHERE person_id = %s", (person_id.hex,)
        )
        if row is not None and row["wrapped_key"] is not None:
            key = self._unwrap(row["wrapped_key"], row["master_key_id"], person_id.bytes)
        self._cache.put(person_id, key)
        return key

    def is_erased(self, person_id: UUID) -> bool:
        row = self._fetchone("SELECT erased_at FROM person_keys WHERE person_id = %s", (person_id.hex,))
        return row is not None and row["erased_at"] is not None

    @RETRY_ONCE
    def erase(self, person_id: UUID) -> None:
        """Delete the person's data key and blind index entry. Safe to repeat."""
        with self._transaction(commit=True) as cursor:
            if self._is_sqlite:
                # Zero freed pages so the deleted key is not left readable in the database file.
                cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(self._sql("DELETE FROM person_keys WHERE person_id = %s"), (person_id.hex,))
            cursor.execute(
                self._sql("INSERT INTO person_keys (person_id, created_at, erased_at) VALUES (%s, %s, %s)"),
                (person_id.hex, self._now(), self._now()),
            )
            cursor.execute(self._sql("DELETE FROM person_blind_index WHERE person_id = %s"), (person_id.hex,))
        if self._is_sqlite:
            # The old page images also sit in the write-ahead log until it is checkpointed.
            with self.datastore.get_connection(commit=True) as connection:
                connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._cache.put(person_id, None)

    # -- field encryption -----------------------------------------------------------------------

    def seal(self, subject: UUID, plaintext: str) -> str:
        key = self.data_key(subject)
        if key is None:
            raise ErasedError("this person's personal data was erased; it cannot be written again")
        return base64.b64encode(seal(key, plaintext.encode("utf-8"), subject.bytes)).decode("ascii")

    def open(self, pii: PII) -> str | None:
        """The plaintext of a PII value, or None when the person was erased."""
        if pii.plaintext is not None:
            return pii.plaintext
        key = self.data_key(pii.subject)
        if key is None or pii.envelope is None:
            return None
        return open_sealed(key, base64.b64decode(pii.envelope), pii.subject.bytes).decode("utf-8")

    # -- rotation ------------------------------------------------------------------------------

    def rotate(
        self, new_master: MasterKey, batch_size: int = 500, progress: Callable[[int], None] | None = None
    ) -> int:
        """Re-wrap every data key (and the index key) under `new_master`, a batch per transaction.

        Resumable: keys already under the new master are skipped, so an interrupted rotation is
        finished by running it again with the same keys.
        """
        self._masters[new_master.key_id] = new_master
        rewrapped = 0
        for table, id_column in (("index_keys", "name"), ("person_keys", "person_id")):
            while True:
                with self._transaction(commit=True) as cursor:
                    cursor.execute(
                        self._sql(
                            f"SELECT {id_column} AS owner, wrapped_key, master_key_id FROM {table} "
                            "WHERE wrapped_key IS NOT NULL AND master_key_id <> %s LIMIT %s"
                        ),
                        (new_master.key_id, batch_size),
                    )
                    rows = cursor.fetchall()
                    for row in rows:
                        owner = _owner_bytes(table, row["owner"])
                        data_key = self._unwrap(row["wrapped_key"], row["master_key_id"], owner)
                        cursor.execute(
                            self._sql(
                                f"UPDATE {table} SET wrapped_key = %s, master_key_id = %s WHERE {id_column} = %s"
                            ),
                            (new_master.wrap(data_key, owner), new_master.key_id, row["owner"]),
                        )
                rewrapped += len(rows)
                if progress and rows:
                    progress(len(rows))
                if len(rows) < batch_size:
                    break
        self.master = new_master
        return rewrapped

    def count_keys(self) -> int:
        row = self._fetchone("SELECT COUNT(*) AS n FROM person_keys WHERE wrapped_key IS NOT NULL", ())
        return int(row["n"])

    # -- blind index ---------------------------------------------------------------------------

    @RETRY_ONCE
    def _blind_index_key(self) -> bytes:
        if self._index_key is None:
            owner = _owner_bytes("index_keys", BLIND_INDEX_KEY)
            with self._transaction(commit=True) as cursor:
                cursor.execute(
                    self._sql(
                        "INSERT INTO index_keys (name, wrapped_key, master_key_id) VALUES (%s, %s, %s) "
                        "ON CONFLICT (name) DO NOTHING"
                    ),
                    (BLIND_INDEX_KEY, self.master.wrap(new_key(), owner), self.master.key_id),
                )
            row = self._fetchone(
                "SELECT wrapped_key, master_key_id FROM index_keys WHERE name = %s", (BLIND_INDEX_KEY,)
            )
            self._index_key = self._unwrap(row["wrapped_key"], row["master_key_id"], owner)
        return self._index_key

    def _digest(self, first_name: str, last_name: str, dob: str) -> str:
        return hmac.new(
            self._blind_index_key(), normalise_for_index(first_name, last_name, dob).encode(), hashlib.sha256
        ).hexdigest()

    @RETRY_ONCE
    def index_person(self, person_id: UUID, agency: str, first_name: str, last_name: str, dob: str) -> None:
        """Index the person in a transaction of its own."""
        rows = [self.index_row(person_id, agency, first_name, last_name, dob)]  # may create the index key first
        with self._transaction(commit=True) as cursor:
            write_rows(cursor, rows, self._is_sqlite)

    def index_row(self, person_id: UUID, agency: str, first_name: str, last_name: str, dob: str) -> RowWriter:
        """The person's blind-index entry, replacing any earlier one, written by the returned row writer
        (in the transaction of the events that state the name and dob: events/recorders.py)."""
        digest = self._digest(first_name, last_name, dob)

        def write(execute: Execute, _sqlite: bool) -> None:
            execute("DELETE FROM person_blind_index WHERE person_id = %s", (person_id.hex,))
            execute(
                "INSERT INTO person_blind_index (person_id, digest, agency) VALUES (%s, %s, %s)",
                (person_id.hex, digest, agency),
            )

        return write

    @RETRY_ONCE
    def matching(self, first_name: str, last_name: str, dob: str) -> list[UUID]:
        """Persons indexed under this normalised name and dob (find before you add), without decrypting."""
        digest = self._digest(first_name, last_name, dob)
        with self._transaction(commit=False) as cursor:
            cursor.execute(
                self._sql("SELECT person_id FROM person_blind_index WHERE digest = %s ORDER BY person_id"), (digest,)
            )
            return [UUID(row["person_id"]) for row in cursor.fetchall()]

    @RETRY_ONCE
    def duplicate_groups(self) -> list[list[UUID]]:
        """Groups of persons whose normalised name and dob match, largest first."""
        with self._transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT b.digest AS digest, b.person_id AS person_id FROM person_blind_index b "
                "JOIN (SELECT digest FROM person_blind_index GROUP BY digest HAVING COUNT(*) > 1) d "
                "ON d.digest = b.digest ORDER BY b.digest, b.person_id"
            )
            groups: dict[str, list[UUID]] = {}
            for row in cursor.fetchall():
                groups.setdefault(row["digest"], []).append(UUID(row["person_id"]))
        return sorted(groups.values(), key=len, reverse=True)


def _owner_bytes(table: str, owner: str) -> bytes:
    return UUID(owner).bytes if table == "person_keys" else owner.encode()
