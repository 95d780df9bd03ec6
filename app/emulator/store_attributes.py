"""The store's SQL for customer custom attributes: definitions and the values on customers.

`AttributeTables` is a part of `Store` (its base class), like `LinkTables`: it reads and
writes on the store's connection, under its lock and inside its transactions. Records are
plain dicts: a definition is `{owner, key, schema, name?, description?, visibility,
version, created_at, updated_at}`, a value `{customer_id, owner, key, value, version,
created_at, updated_at}` (`value` as JSON data). Who may see or change which record is
decided by the handlers (`attribute_access.py`), never here.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

Record = dict[str, Any]

_DOC_FIELDS = ("schema", "name", "description", "visibility")
_DEFINITION_COLUMNS = "owner, key, doc, version, created_at, updated_at"
_VALUE_COLUMNS = "customer_id, owner, key, value, version, created_at, updated_at"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _definition(row: tuple[Any, ...]) -> Record:
    owner, key, doc, version, created_at, updated_at = row
    record: Record = {"owner": owner, "key": key, **json.loads(doc)}
    record.update(version=version, created_at=created_at, updated_at=updated_at)
    return record


def _value(row: tuple[Any, ...]) -> Record:
    customer_id, owner, key, value, version, created_at, updated_at = row
    return {
        "customer_id": customer_id,
        "owner": owner,
        "key": key,
        "value": json.loads(value),
        "version": version,
        "created_at": created_at,
        "updated_at": updated_at,
    }


class AttributeTables:
    """Custom attribute definitions and values, on the store's connection."""

    conn: sqlite3.Connection
    lock: threading.RLock

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[None]: ...

    # --- definitions ------------------------------------------------------------------

    def list_definitions(self) -> list[Record]:
        """Every definition of every owner, oldest first (then by owner and key)."""
        with self.lock:
            rows = self.conn.execute(
                f"SELECT {_DEFINITION_COLUMNS} FROM attribute_definitions "
                "ORDER BY created_at, owner, key"
            ).fetchall()
        return [_definition(r) for r in rows]

    def get_definition(self, owner: str, key: str) -> Record | None:
        with self.lock:
            row = self.conn.execute(
                f"SELECT {_DEFINITION_COLUMNS} FROM attribute_definitions "
                "WHERE owner = ? AND key = ?",
                (owner, key),
            ).fetchone()
        return _definition(row) if row else None

    def put_definition(self, record: Record) -> None:
        """Insert or replace a definition."""
        doc = {name: record[name] for name in _DOC_FIELDS if record.get(name) is not None}
        with self.transaction():
            self.conn.execute(
                f"INSERT OR REPLACE INTO attribute_definitions ({_DEFINITION_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record["owner"],
                    record["key"],
                    _dumps(doc),
                    record["version"],
                    record["created_at"],
                    record["updated_at"],
                ),
            )

    def delete_definition(self, owner: str, key: str) -> None:
        """Delete a definition and its value on every customer."""
        with self.transaction():
            self.conn.execute(
                "DELETE FROM attribute_values WHERE owner = ? AND key = ?", (owner, key)
            )
            self.conn.execute(
                "DELETE FROM attribute_definitions WHERE owner = ? AND key = ?", (owner, key)
            )

    def definition_count(self, owner: str) -> int:
        with self.lock:
            row = self.conn.execute(
                "SELECT count(*) FROM attribute_definitions WHERE owner = ?", (owner,)
            ).fetchone()
        return int(row[0])

    # --- values -----------------------------------------------------------------------

    def get_value(self, customer_id: str, owner: str, key: str) -> Record | None:
        with self.lock:
            row = self.conn.execute(
                f"SELECT {_VALUE_COLUMNS} FROM attribute_values "
                "WHERE customer_id = ? AND owner = ? AND key = ?",
                (customer_id, owner, key),
            ).fetchone()
        return _value(row) if row else None

    def values_of(self, customer_id: str) -> list[Record]:
        """Every value one customer holds, of any definition."""
        with self.lock:
            rows = self.conn.execute(
                f"SELECT {_VALUE_COLUMNS} FROM attribute_values WHERE customer_id = ?",
                (customer_id,),
            ).fetchall()
        return [_value(r) for r in rows]

    def values_for(self, owner: str, key: str) -> list[Record]:
        """Every customer's value of one definition."""
        with self.lock:
            rows = self.conn.execute(
                f"SELECT {_VALUE_COLUMNS} FROM attribute_values WHERE owner = ? AND key = ?",
                (owner, key),
            ).fetchall()
        return [_value(r) for r in rows]

    def put_value(self, record: Record) -> None:
        """Insert or replace one customer's value of one definition."""
        with self.transaction():
            self.conn.execute(
                f"INSERT OR REPLACE INTO attribute_values ({_VALUE_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record["customer_id"],
                    record["owner"],
                    record["key"],
                    _dumps(record["value"]),
                    record["version"],
                    record["created_at"],
                    record["updated_at"],
                ),
            )

    def delete_value(self, customer_id: str, owner: str, key: str) -> bool:
        """Delete one value; True when there was one."""
        with self.transaction():
            cur = self.conn.execute(
                "DELETE FROM attribute_values WHERE customer_id = ? AND owner = ? AND key = ?",
                (customer_id, owner, key),
            )
            return cur.rowcount > 0

    def _drop_values_of(self, customer_id: str) -> None:
        """Drop every value of a customer (call inside a transaction: it is being deleted)."""
        self.conn.execute("DELETE FROM attribute_values WHERE customer_id = ?", (customer_id,))
