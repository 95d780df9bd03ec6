"""The store's writes inside one transaction: upserts, deletes, meta and checkpoint."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

from app.directory.documents import MATCHING, Row, matching_of, row_of
from app.square import Customer

__all__ = ["Writer"]

_COLUMNS = "id, version, created_at, updated_at, key, name, email, names, others, phones"
_MATCHING = "INSERT OR REPLACE INTO matching VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
_PATHS = ", ".join(f"'$.{field}'" for field in MATCHING)
_FILL = (
    "INSERT INTO matching SELECT n, "
    + ", ".join(f"a ->> {i}" for i in range(len(MATCHING)))
    + f" FROM (SELECT d.n AS n, json_extract(CAST(d.data AS TEXT), {_PATHS}) AS a "
    "FROM docs AS d WHERE d.n NOT IN (SELECT n FROM matching))"
)
"""The ``matching`` rows a store written before the table lacks, from the JSON."""


class Writer:
    """The writer thread's side of one transaction: upserts, deletes, meta, checkpoint."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.added = 0
        """Customers added (minus those deleted) in this transaction."""
        self.changed = 0
        """Customers added, replaced or deleted in this transaction."""
        self._initials: Counter[tuple[str, str]] = Counter()
        """Changes to the ``initials`` counts, written by :meth:`finish`."""

    def _count_initials(self, names: str, others: str, phones: str, step: int) -> None:
        """Count a customer in (``step`` 1) or out of (-1) the ``initials`` table: the
        first letters of its name words (``names``), and of every word it can be found by
        (``any``: names, other fields, and the phone's last digit)."""
        named = {word[0] for word in names.split()}
        anywhere = named | {word[0] for word in others.split()}
        if phones:
            anywhere.add(phones[0])
        for letter in named:
            self._initials["names", letter] += step
        for letter in anywhere:
            self._initials["any", letter] += step

    def finish(self) -> None:
        """Write what the transaction changed in the ``initials`` counts."""
        changes = [(field, letter, n) for (field, letter), n in self._initials.items() if n]
        self.conn.executemany(
            "INSERT INTO initials(field, letter, n) VALUES (?, ?, ?) "
            "ON CONFLICT(field, letter) DO UPDATE SET n = n + excluded.n",
            changes,
        )
        self._initials.clear()

    def upsert(self, customers: Iterable[Customer], *, force: bool = False) -> int:
        """Add or replace customers; an older ``version`` than the one held is ignored
        unless ``force``, and an identical copy changes nothing. Returns how many changed."""
        conn = self.conn
        changed = 0
        for customer in customers:
            held = conn.execute(
                "SELECT c.n, c.version, c.names, c.others, c.phones, d.data "
                "FROM customers AS c JOIN docs AS d ON d.n = c.n WHERE c.id = ?",
                (customer.id,),
            ).fetchone()
            row = row_of(customer)
            if held is not None:
                n, version, names, others, phones, data = held
                if (customer.version < version and not force) or data == row.data:
                    continue
                conn.execute(
                    "INSERT INTO words(words, rowid, names, others, phones) "
                    "VALUES ('delete', ?, ?, ?, ?)",
                    (n, names, others, phones),
                )
                self._count_initials(names, others, phones, -1)
                conn.execute(
                    "UPDATE customers SET version=?, created_at=?, updated_at=?, key=?, "
                    "name=?, email=?, names=?, others=?, phones=? WHERE n = ?",
                    (*row[1:-1], n),
                )
                conn.execute("UPDATE docs SET data = ? WHERE n = ?", (row.data, n))
            else:
                n = conn.execute(
                    f"INSERT INTO customers({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", row[:-1]
                ).lastrowid
                conn.execute("INSERT INTO docs(n, data) VALUES (?, ?)", (n, row.data))
                self.added += 1
            conn.execute(_MATCHING, (n, *matching_of(customer)))
            conn.execute(
                "INSERT INTO words(rowid, names, others, phones) VALUES (?, ?, ?, ?)",
                (n, row.names, row.others, row.phones),
            )
            self._count_initials(row.names, row.others, row.phones, 1)
            self._vocab(row)
            changed += 1
        self.changed += changed
        return changed

    def _vocab(self, row: Row) -> None:
        if row.names:
            self.conn.executemany(
                "INSERT OR IGNORE INTO vocab(word) VALUES (?)",
                [(word,) for word in row.names.split() if len(word) > 1],
            )

    def delete(self, ids: Iterable[str]) -> int:
        """Forget customers; returns how many were held."""
        conn = self.conn
        gone = 0
        for customer_id in ids:
            held = conn.execute(
                "SELECT n, names, others, phones FROM customers WHERE id = ?", (customer_id,)
            ).fetchone()
            if held is None:
                continue
            conn.execute(
                "INSERT INTO words(words, rowid, names, others, phones) "
                "VALUES ('delete', ?, ?, ?, ?)",
                held,
            )
            self._count_initials(held[1], held[2], held[3], -1)
            conn.execute("DELETE FROM customers WHERE n = ?", (held[0],))
            conn.execute("DELETE FROM docs WHERE n = ?", (held[0],))
            conn.execute("DELETE FROM matching WHERE n = ?", (held[0],))
            gone += 1
        self.added -= gone
        self.changed += gone
        return gone

    def fill_matching(self) -> None:
        """The ``matching`` rows of a store written before the table (from the JSON),
        and none for a customer no longer held."""
        self.conn.execute("DELETE FROM matching WHERE n NOT IN (SELECT n FROM docs)")
        self.conn.execute(_FILL)

    def set_meta(self, **values: str | int | None) -> None:
        for key, value in values.items():
            if value is None:
                self.conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                self.conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, str(value))
                )

    def set_windows(self, windows: Iterable[tuple[str, str, str | None]]) -> None:
        """Replace the load checkpoint: ``(start, stop, done_to)`` per window to fetch."""
        self.conn.execute("DELETE FROM windows")
        self.conn.executemany(
            "INSERT OR REPLACE INTO windows(start, stop, done_to) VALUES (?, ?, ?)", windows
        )

    def window_progress(self, start: str, stop: str, done_to: str | None) -> None:
        self.conn.execute(
            "UPDATE windows SET stop = ?, done_to = ? WHERE start = ?", (stop, done_to, start)
        )

    def window_add(self, start: str, stop: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO windows(start, stop, done_to) VALUES (?, ?, NULL)",
            (start, stop),
        )

    def window_done(self, start: str) -> None:
        self.conn.execute("DELETE FROM windows WHERE start = ?", (start,))
