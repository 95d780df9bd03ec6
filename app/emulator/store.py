"""SQLite persistence for the emulator (WAL, one transaction per request): customers first.

SQLite is the source of truth; `Store.replica` is the in-memory replica that list and
search read (see `replica.py`). Writes made inside `transaction()` are published to the
replica when the transaction commits, never before and never on rollback. The schema is
in `schema.py`; groups, segments and cards in `store_links.py`; custom attributes in
`store_attributes.py`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .normalise import phone_e164, sort_key
from .replica import CustomerReplica, Page
from .schema import chmod_journals, create_private, open_schema
from .search_query import Key, Query
from .store_attributes import AttributeTables
from .store_links import GROUPS, SEGMENTS, LinkTables

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
        sort_key(customer),
        email.casefold() if email else None,
        (e164 or phone_e164(phone)) if phone else None,
        customer.get("reference_id"),
    )


_UPSERT_CUSTOMER = """
INSERT OR REPLACE INTO customers
    (id, created_at, updated_at, version, creation_source, doc, sort_key, email_lc,
     phone_e164, reference_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_CUSTOMER_COLUMNS = "id, created_at, updated_at, version, creation_source, doc, phone_e164"


class Store(LinkTables, AttributeTables):
    """The emulator's state in one SQLite file (WAL journal).

    A new (or empty) file gets the schema and `SCHEMA_VERSION`; a file of another version,
    or not a database, raises `SchemaVersionError` naming it.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        created = False
        if str(path) != ":memory:":
            created = create_private(self.path)
        self.lock = threading.RLock()
        self.replaced: Path | None = None
        """Where `open_demo_store` moved an older demo database this one replaced."""
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            open_schema(self.conn, self.path)
        except BaseException:
            self.conn.close()
            raise
        if created:
            chmod_journals(self.path)
        self._depth = 0
        self._touched: set[str] = set()
        self._reload_after_commit = False
        self.replica = CustomerReplica()
        self.reload_replica()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    # --- transactions -----------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit; customers touched inside are published to the replica on commit."""
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
                    self.reload_replica()
                else:
                    for cid in sorted(touched):
                        self._publish(cid)

    def _publish(self, customer_id: str) -> None:
        row = self.conn.execute(
            f"SELECT {_CUSTOMER_COLUMNS} FROM customers WHERE id = ?", (customer_id,)
        ).fetchone()
        if row is None:
            self.replica.publish(customer_id, None)
            return
        customer = self._assemble(row)
        self.replica.publish(customer_id, customer, row[6] or "")

    def reload_replica(self) -> None:
        """Rebuild the list/search replica from SQLite."""
        with self.lock:
            groups = self._links_by_customer(GROUPS)
            segments = self._links_by_customer(SEGMENTS)
            rows = self.conn.execute(f"SELECT {_CUSTOMER_COLUMNS} FROM customers")
            self.replica.load(
                (assemble(row, groups.get(row[0], []), segments.get(row[0], [])), row[6] or "")
                for row in rows
            )

    def search(self, query: Query, *, after: Key | None, limit: int) -> Page:
        """List/search through the replica (under the store's lock: writers may be elsewhere)."""
        with self.lock:
            return self.replica.search(query, after=after, limit=limit)

    # --- customers --------------------------------------------------------------------

    def _assemble(self, row: tuple[Any, ...]) -> dict[str, Any]:
        """The customer of a row, with its memberships (call under the lock)."""
        customer_id = row[0]
        return assemble(
            row, self._links_of(GROUPS, customer_id), self._links_of(SEGMENTS, customer_id)
        )

    def get_customer(self, customer_id: str) -> dict[str, Any] | None:
        """The consistent read (RetrieveCustomer)."""
        with self.lock:
            row = self.conn.execute(
                f"SELECT {_CUSTOMER_COLUMNS} FROM customers WHERE id = ?", (customer_id,)
            ).fetchone()
            if row is None:
                return None
            return self._assemble(row)

    def put_customer(self, customer: dict[str, Any]) -> None:
        """Insert or replace a customer's own fields (memberships are kept apart)."""
        with self.transaction():
            self.conn.execute(_UPSERT_CUSTOMER, _row_values(customer))
            self._touched.add(customer["id"])

    def delete_customer(self, customer_id: str) -> None:
        """Delete a customer, its memberships and custom attributes; disable its cards."""
        with self.transaction():
            self.conn.execute("DELETE FROM customers WHERE id = ?", (customer_id,))
            self._unlink_customer(customer_id)
            self._drop_values_of(customer_id)
            for card in self.cards_of(customer_id, include_disabled=False):
                self.disable_card(card)
            self._touched.add(customer_id)

    def customers_by_creation(self) -> list[tuple[str, str]]:
        """Every customer's (id, created_at), oldest first."""
        with self.lock:
            rows = self.conn.execute(
                "SELECT id, created_at FROM customers ORDER BY created_at, id"
            ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

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
        """Fast path for seeding: batched inserts, one replica rebuild after the commit.

        `phones` optionally gives each customer's E.164 number, already computed.
        """
        with self.transaction():
            self._reload_after_commit = True
            e164s: Iterable[str | None] = phones if phones is not None else [None] * len(customers)
            self.conn.executemany(
                _UPSERT_CUSTOMER,
                (_row_values(c, p) for c, p in zip(customers, e164s, strict=True)),
            )
            self._add_links(GROUPS, memberships)
            self._add_links(SEGMENTS, segment_memberships)

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
