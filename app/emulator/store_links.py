"""The store's SQL for what hangs off a customer: groups, segments, memberships, cards.

`LinkTables` is a part of `Store` (its base class): it reads and writes these tables on
the store's connection, under its lock and inside its transactions. Groups and segments
are the same shape (a named thing and a membership table) and share one set of queries,
told apart by a `LinkKind`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any


@dataclass(frozen=True)
class LinkKind:
    """A named thing customers belong to: its table, its membership table and id column."""

    table: str
    members: str
    column: str


GROUPS = LinkKind("customer_groups", "group_members", "group_id")
SEGMENTS = LinkKind("customer_segments", "segment_members", "segment_id")
_NAMED_COLUMNS = "id, name, created_at, updated_at"


def _named(row: tuple[Any, ...]) -> dict[str, Any]:
    return {"id": row[0], "name": row[1], "created_at": row[2], "updated_at": row[3]}


class LinkTables:
    """Groups, segments, memberships and cards on file, on the store's connection."""

    conn: sqlite3.Connection
    lock: threading.RLock
    _touched: set[str]
    """Customers changed in the open transaction (published to the replica on commit)."""

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[None]: ...

    # --- groups and segments alike ----------------------------------------------------

    def _list_named(self, kind: LinkKind) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.conn.execute(
                f"SELECT {_NAMED_COLUMNS} FROM {kind.table} ORDER BY created_at, id"
            ).fetchall()
        return [_named(r) for r in rows]

    def _get_named(self, kind: LinkKind, item_id: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute(
                f"SELECT {_NAMED_COLUMNS} FROM {kind.table} WHERE id = ?", (item_id,)
            ).fetchone()
        return _named(row) if row else None

    def _put_named(self, kind: LinkKind, item: dict[str, Any]) -> None:
        with self.transaction():
            self.conn.execute(
                f"INSERT OR REPLACE INTO {kind.table} ({_NAMED_COLUMNS}) VALUES (?, ?, ?, ?)",
                (item["id"], item["name"], item["created_at"], item["updated_at"]),
            )

    def _links_of(self, kind: LinkKind, customer_id: str) -> list[str]:
        """The ids of what one customer belongs to, sorted (call under the lock)."""
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT {kind.column} FROM {kind.members} WHERE customer_id = ? "
                f"ORDER BY {kind.column}",
                (customer_id,),
            )
        ]

    def _links_by_customer(self, kind: LinkKind) -> dict[str, list[str]]:
        """Every customer's memberships of one kind, ids sorted (call under the lock)."""
        links: dict[str, list[str]] = {}
        for customer_id, item_id in self.conn.execute(
            f"SELECT customer_id, {kind.column} FROM {kind.members} "
            f"ORDER BY customer_id, {kind.column}"
        ):
            links.setdefault(customer_id, []).append(item_id)
        return links

    def _add_links(self, kind: LinkKind, pairs: Iterable[tuple[str, str]]) -> None:
        """Insert (customer id, item id) memberships, ignoring those already there."""
        self.conn.executemany(
            f"INSERT OR IGNORE INTO {kind.members} (customer_id, {kind.column}) VALUES (?, ?)",
            pairs,
        )

    def _unlink_customer(self, customer_id: str) -> None:
        """Drop all of one customer's memberships (call inside a transaction)."""
        for kind in (GROUPS, SEGMENTS):
            self.conn.execute(f"DELETE FROM {kind.members} WHERE customer_id = ?", (customer_id,))

    # --- groups -----------------------------------------------------------------------

    def list_groups(self) -> list[dict[str, Any]]:
        return self._list_named(GROUPS)

    def get_group(self, group_id: str) -> dict[str, Any] | None:
        return self._get_named(GROUPS, group_id)

    def put_group(self, group: dict[str, Any]) -> None:
        self._put_named(GROUPS, group)

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

    # --- segments ---------------------------------------------------------------------

    def list_segments(self) -> list[dict[str, Any]]:
        return self._list_named(SEGMENTS)

    def get_segment(self, segment_id: str) -> dict[str, Any] | None:
        return self._get_named(SEGMENTS, segment_id)

    def put_segment(self, segment: dict[str, Any]) -> None:
        self._put_named(SEGMENTS, segment)

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

    def disable_card(self, card: dict[str, Any]) -> None:
        """Mark an enabled card disabled (a new version); a disabled one is left as it is."""
        if card.get("enabled"):
            card["enabled"] = False
            card["version"] = int(card.get("version", 1)) + 1
            self.put_card(card)

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
