"""SQLite persistence for the emulator (WAL, one transaction per request).

SQLite is the source of truth; `Store.index` is the in-memory replica that list and search
read (see `search.py`). Writes made inside `transaction()` are published to the replica
when the transaction commits, never before and never on rollback.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from . import rules
from .search import CustomerIndex, Key, Page, Query

SCHEMA_VERSION = 1
"""`PRAGMA user_version` of an emulator database made by this code.

Bump it with any change to `SCHEMA` or to what a column or a stored document means. A
demo database of another version is moved aside and seeded afresh (`serve.open_demo_store`);
any other database of another version is refused (`SchemaVersionError`). Version 0 is a
database made before versions were recorded.
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    creation_source TEXT NOT NULL,
    doc TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    email_lc TEXT,
    phone_e164 TEXT,
    reference_id TEXT
);
CREATE INDEX IF NOT EXISTS customers_by_sort ON customers (sort_key, id);
CREATE INDEX IF NOT EXISTS customers_by_created ON customers (created_at, id);
CREATE TABLE IF NOT EXISTS customer_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customer_segments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS group_members (
    customer_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    PRIMARY KEY (customer_id, group_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS group_members_by_group ON group_members (group_id);
CREATE TABLE IF NOT EXISTS segment_members (
    customer_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    PRIMARY KEY (customer_id, segment_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cards (
    id TEXT PRIMARY KEY,
    customer_id TEXT,
    reference_id TEXT,
    enabled INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cards_by_customer ON cards (customer_id, created_at);
CREATE INDEX IF NOT EXISTS cards_by_created ON cards (created_at, id);
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS used_sources (
    source TEXT PRIMARY KEY,
    card_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""

# The order of fields in a Customer, as in Square's schema.
CUSTOMER_ORDER = (
    "id",
    "created_at",
    "updated_at",
    "given_name",
    "family_name",
    "nickname",
    "company_name",
    "email_address",
    "address",
    "phone_number",
    "birthday",
    "reference_id",
    "note",
    "preferences",
    "creation_source",
    "group_ids",
    "segment_ids",
    "version",
    "tax_ids",
)
_META_FIELDS = ("id", "created_at", "updated_at", "version", "creation_source")
_LINK_FIELDS = ("group_ids", "segment_ids")


def assemble(row: tuple[Any, ...], groups: list[str], segments: list[str]) -> dict[str, Any]:
    """A customer in Square's shape from a row (id, created, updated, version, source, doc)."""
    cid, created_at, updated_at, version, source, doc_text = row[:6]
    doc: dict[str, Any] = json.loads(doc_text)
    fields: dict[str, Any] = {
        **doc,
        "id": cid,
        "created_at": created_at,
        "updated_at": updated_at,
        "version": version,
        "creation_source": source,
    }
    if groups:
        fields["group_ids"] = groups
    if segments:
        fields["segment_ids"] = segments
    return {name: fields[name] for name in CUSTOMER_ORDER if name in fields}


def _row_values(customer: dict[str, Any], e164: str | None = None) -> tuple[Any, ...]:
    doc = {
        k: v
        for k, v in customer.items()
        if k not in _META_FIELDS and k not in _LINK_FIELDS and v not in (None, "", {}, [])
    }
    phone = customer.get("phone_number")
    email = customer.get("email_address")
    return (
        customer["id"],
        customer["created_at"],
        customer["updated_at"],
        customer["version"],
        customer.get("creation_source") or "THIRD_PARTY",
        json.dumps(doc, ensure_ascii=False, separators=(",", ":")),
        rules.sort_key(customer),
        email.casefold() if email else None,
        (e164 or rules.phone_e164(phone)) if phone else None,
        customer.get("reference_id"),
    )


_UPSERT_CUSTOMER = """
INSERT OR REPLACE INTO customers
    (id, created_at, updated_at, version, creation_source, doc, sort_key, email_lc,
     phone_e164, reference_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_CUSTOMER_COLUMNS = "id, created_at, updated_at, version, creation_source, doc, phone_e164"


class SchemaVersionError(Exception):
    """The file is not an emulator database of this schema version (or not one at all)."""

    def __init__(self, path: Path, found: int | None, reason: str | None = None) -> None:
        self.path = path
        self.found = found
        """The file's schema version; None when it is not a readable SQLite database."""
        if found is None:
            what = f"is not a readable SQLite database ({reason})"
        elif found == 0:
            what = "has no schema version (an emulator older than versions, or another program)"
        else:
            what = f"has schema version {found}"
        super().__init__(
            f"The emulator database {path} {what}; this version of Customer Desk needs "
            f"schema version {SCHEMA_VERSION}. Move the file away or point --db elsewhere."
        )


def _schema_version(conn: sqlite3.Connection) -> int | None:
    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
        return None
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def _create_private(path: Path) -> bool:
    """Create the folders up to `path` (0700) and the empty file itself (0600), whatever
    the umask; True when the file was created here. Existing ones are left as they are."""
    missing: list[Path] = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(new, PRIVATE_DIR)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    os.chmod(path, PRIVATE_FILE)
    return True


def _chmod_journals(path: Path) -> None:
    """SQLite gives -wal / -shm the database's mode; make sure of it where it did not."""
    for suffix in ("-wal", "-shm", "-journal"):
        journal = path.with_name(path.name + suffix)
        with suppress(FileNotFoundError):
            os.chmod(journal, PRIVATE_FILE)


class Store:
    """The emulator's state in one SQLite file (WAL journal).

    A new (or empty) file gets the schema and `SCHEMA_VERSION`; a file of another version,
    or not a database, raises `SchemaVersionError` naming it.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        created = False
        if str(path) != ":memory:":
            created = _create_private(self.path)
        self.lock = threading.RLock()
        self.replaced: Path | None = None
        """Where `open_demo_store` moved an older demo database this one replaced."""
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            self._open_schema()
        except BaseException:
            self.conn.close()
            raise
        if created:
            _chmod_journals(self.path)
        self._depth = 0
        self._touched: set[str] = set()
        self._reload_after_commit = False
        self.index = CustomerIndex()
        self.reload_index()

    def _open_schema(self) -> None:
        try:
            found = _schema_version(self.conn)
        except sqlite3.DatabaseError as exc:
            raise SchemaVersionError(self.path, None, str(exc)) from None
        if found is not None and found != SCHEMA_VERSION:
            raise SchemaVersionError(self.path, found)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=OFF")
        if found is None:
            # One transaction: another process opening the new file at the same time
            # waits, then finds the tables and the version in place.
            self.conn.executescript(
                f"BEGIN IMMEDIATE;\n{SCHEMA}\nPRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;"
            )
            if _schema_version(self.conn) != SCHEMA_VERSION:  # pragma: no cover - a race lost
                raise SchemaVersionError(self.path, _schema_version(self.conn))

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    # --- transactions -----------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit; customers touched inside are published to the index on commit."""
        with self.lock:
            outer = self._depth == 0
            if outer:
                self.conn.execute("BEGIN IMMEDIATE")
                self._touched = set()
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self.conn.execute("ROLLBACK")
                    self._touched = set()
                    self._reload_after_commit = False
                raise
            self._depth -= 1
            if outer:
                self.conn.execute("COMMIT")
                touched, self._touched = self._touched, set()
                if self._reload_after_commit:
                    self._reload_after_commit = False
                    self.reload_index()
                else:
                    for cid in sorted(touched):
                        self._publish(cid)

    def _publish(self, customer_id: str) -> None:
        row = self.conn.execute(
            f"SELECT {_CUSTOMER_COLUMNS} FROM customers WHERE id = ?", (customer_id,)
        ).fetchone()
        if row is None:
            self.index.publish(customer_id, None)
            return
        customer = assemble(row, self._groups_of(customer_id), self._segments_of(customer_id))
        self.index.publish(customer_id, customer, row[6] or "")

    def reload_index(self) -> None:
        """Rebuild the list/search replica from SQLite."""
        with self.lock:
            groups: dict[str, list[str]] = {}
            for cid, gid in self.conn.execute(
                "SELECT customer_id, group_id FROM group_members ORDER BY customer_id, group_id"
            ):
                groups.setdefault(cid, []).append(gid)
            segments: dict[str, list[str]] = {}
            for cid, sid in self.conn.execute(
                "SELECT customer_id, segment_id FROM segment_members "
                "ORDER BY customer_id, segment_id"
            ):
                segments.setdefault(cid, []).append(sid)
            rows = self.conn.execute(f"SELECT {_CUSTOMER_COLUMNS} FROM customers")
            self.index.load(
                (assemble(row, groups.get(row[0], []), segments.get(row[0], [])), row[6] or "")
                for row in rows
            )

    def search(self, query: Query, *, after: Key | None, limit: int) -> Page:
        """List/search through the replica (under the store's lock: writers may be elsewhere)."""
        with self.lock:
            return self.index.search(query, after=after, limit=limit)

    # --- customers --------------------------------------------------------------------

    def _groups_of(self, customer_id: str) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT group_id FROM group_members WHERE customer_id = ? ORDER BY group_id",
                (customer_id,),
            )
        ]

    def _segments_of(self, customer_id: str) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT segment_id FROM segment_members WHERE customer_id = ? ORDER BY segment_id",
                (customer_id,),
            )
        ]

    def get_customer(self, customer_id: str) -> dict[str, Any] | None:
        """The consistent read (RetrieveCustomer)."""
        with self.lock:
            row = self.conn.execute(
                f"SELECT {_CUSTOMER_COLUMNS} FROM customers WHERE id = ?", (customer_id,)
            ).fetchone()
            if row is None:
                return None
            return assemble(row, self._groups_of(customer_id), self._segments_of(customer_id))

    def put_customer(self, customer: dict[str, Any]) -> None:
        """Insert or replace a customer's own fields (memberships are kept apart)."""
        with self.transaction():
            self.conn.execute(_UPSERT_CUSTOMER, _row_values(customer))
            self._touched.add(customer["id"])

    def delete_customer(self, customer_id: str) -> None:
        """Delete a customer, its memberships, and disable its cards."""
        with self.transaction():
            self.conn.execute("DELETE FROM customers WHERE id = ?", (customer_id,))
            self.conn.execute("DELETE FROM group_members WHERE customer_id = ?", (customer_id,))
            self.conn.execute("DELETE FROM segment_members WHERE customer_id = ?", (customer_id,))
            for card in self.cards_of(customer_id, include_disabled=False):
                card["enabled"] = False
                card["version"] = int(card.get("version", 1)) + 1
                self.put_card(card)
            self._touched.add(customer_id)

    def customer_count(self) -> int:
        with self.lock:
            return int(self.conn.execute("SELECT count(*) FROM customers").fetchone()[0])

    def bulk_insert_customers(
        self,
        customers: Sequence[dict[str, Any]],
        memberships: Iterable[tuple[str, str]] = (),
        segment_memberships: Iterable[tuple[str, str]] = (),
        *,
        phones: Sequence[str] | None = None,
    ) -> None:
        """Fast path for seeding: batched inserts, one index rebuild after the commit.

        `phones` optionally gives each customer's E.164 number, already computed.
        """
        with self.transaction():
            self._reload_after_commit = True
            e164s: Iterable[str | None] = phones if phones is not None else [None] * len(customers)
            self.conn.executemany(
                _UPSERT_CUSTOMER,
                (_row_values(c, p) for c, p in zip(customers, e164s, strict=True)),
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO group_members (customer_id, group_id) VALUES (?, ?)",
                memberships,
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO segment_members (customer_id, segment_id) VALUES (?, ?)",
                segment_memberships,
            )

    # --- groups and segments ----------------------------------------------------------

    def list_groups(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.conn.execute(
                "SELECT id, name, created_at, updated_at FROM customer_groups "
                "ORDER BY created_at, id"
            ).fetchall()
        return [_named(r) for r in rows]

    def get_group(self, group_id: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute(
                "SELECT id, name, created_at, updated_at FROM customer_groups WHERE id = ?",
                (group_id,),
            ).fetchone()
        return _named(row) if row else None

    def put_group(self, group: dict[str, Any]) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO customer_groups (id, name, created_at, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (group["id"], group["name"], group["created_at"], group["updated_at"]),
            )

    def delete_group(self, group_id: str) -> list[str]:
        """Delete a group; returns the ids of its former members."""
        with self.transaction():
            members = [
                r[0]
                for r in self.conn.execute(
                    "SELECT customer_id FROM group_members WHERE group_id = ?", (group_id,)
                )
            ]
            self.conn.execute("DELETE FROM group_members WHERE group_id = ?", (group_id,))
            self.conn.execute("DELETE FROM customer_groups WHERE id = ?", (group_id,))
            self._touched.update(members)
            return members

    def set_membership(self, customer_id: str, group_id: str, member: bool) -> bool:
        """Add or remove a membership; True when it changed."""
        with self.transaction():
            if member:
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO group_members (customer_id, group_id) VALUES (?, ?)",
                    (customer_id, group_id),
                )
            else:
                cur = self.conn.execute(
                    "DELETE FROM group_members WHERE customer_id = ? AND group_id = ?",
                    (customer_id, group_id),
                )
            self._touched.add(customer_id)
            return cur.rowcount > 0

    def list_segments(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.conn.execute(
                "SELECT id, name, created_at, updated_at FROM customer_segments "
                "ORDER BY created_at, id"
            ).fetchall()
        return [_named(r) for r in rows]

    def get_segment(self, segment_id: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute(
                "SELECT id, name, created_at, updated_at FROM customer_segments WHERE id = ?",
                (segment_id,),
            ).fetchone()
        return _named(row) if row else None

    def put_segment(self, segment: dict[str, Any]) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO customer_segments (id, name, created_at, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (segment["id"], segment["name"], segment["created_at"], segment["updated_at"]),
            )

    # --- cards ------------------------------------------------------------------------

    def put_card(self, card: dict[str, Any], created_at: str | None = None) -> None:
        """Insert a card (with its creation time) or update one (keeping it)."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO cards (id, customer_id, reference_id, enabled, created_at, doc) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "customer_id = excluded.customer_id, reference_id = excluded.reference_id, "
                "enabled = excluded.enabled, doc = excluded.doc",
                (
                    card["id"],
                    card.get("customer_id"),
                    card.get("reference_id"),
                    1 if card.get("enabled") else 0,
                    created_at or "",
                    json.dumps(card, ensure_ascii=False, separators=(",", ":")),
                ),
            )

    def get_card(self, card_id: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute("SELECT doc FROM cards WHERE id = ?", (card_id,)).fetchone()
        if row is None:
            return None
        card: dict[str, Any] = json.loads(row[0])
        return card

    def cards_of(self, customer_id: str, *, include_disabled: bool) -> list[dict[str, Any]]:
        return self.list_cards(customer_id=customer_id, include_disabled=include_disabled)

    def list_cards(
        self,
        *,
        customer_id: str | None = None,
        reference_id: str | None = None,
        include_disabled: bool = False,
        descending: bool = False,
    ) -> list[dict[str, Any]]:
        where = []
        args: list[Any] = []
        if customer_id is not None:
            where.append("customer_id = ?")
            args.append(customer_id)
        if reference_id is not None:
            where.append("reference_id = ?")
            args.append(reference_id)
        if not include_disabled:
            where.append("enabled = 1")
        sql = "SELECT doc FROM cards"
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = "DESC" if descending else "ASC"
        sql += f" ORDER BY created_at {order}, id {order}"
        with self.lock:
            rows = self.conn.execute(sql, args).fetchall()
        return [json.loads(r[0]) for r in rows]

    def source_card(self, source: str) -> str | None:
        """The card made from a nonce / payment id, if it was used."""
        with self.lock:
            row = self.conn.execute(
                "SELECT card_id FROM used_sources WHERE source = ?", (source,)
            ).fetchone()
        return str(row[0]) if row else None

    def use_source(self, source: str, card_id: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO used_sources (source, card_id) VALUES (?, ?)",
                (source, card_id),
            )

    # --- idempotency ------------------------------------------------------------------

    def idempotent_get(self, scope: str, key: str) -> tuple[str, int, str] | None:
        with self.lock:
            row = self.conn.execute(
                "SELECT fingerprint, status, body FROM idempotency WHERE scope = ? AND key = ?",
                (scope, key),
            ).fetchone()
        return (str(row[0]), int(row[1]), str(row[2])) if row else None

    def idempotent_put(
        self, scope: str, key: str, fingerprint: str, status: int, body: str
    ) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO idempotency (scope, key, fingerprint, status, body) "
                "VALUES (?, ?, ?, ?, ?)",
                (scope, key, fingerprint, status, body),
            )

    # --- meta -------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
            )


def _named(row: tuple[Any, ...]) -> dict[str, Any]:
    return {"id": row[0], "name": row[1], "created_at": row[2], "updated_at": row[3]}
