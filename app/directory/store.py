"""The directory's SQLite store: customers, their full-text index, and what a load or a
sync must remember (watermark, load checkpoint, Square's count).

One file per seller and environment (see :mod:`app.directory.place`), or an in-memory
database when the cache is off. Tables:

* ``customers`` — one row per customer (see :mod:`app.directory.documents`): the
  DEFAULT-order key, the folded name and email, ``created_at``/``updated_at``, the words;
* ``docs`` — the customer's JSON, apart, so that ordering a search reads small rows;
* ``words`` — an FTS5 index over the ``names``, ``others`` and ``phones`` columns of
  ``customers`` (external content, prefix indexes of 1-3 characters);
* ``vocab`` — every name word once, for "did you mean";
* ``initials`` — how many customers have a name word (or any word) starting with each
  letter: a one-letter search is counted here, not over a third of the index;
* ``windows`` — the load checkpoint: the ``created_at`` windows still to fetch, each
  with how far it has come;
* ``meta`` — schema version, seller, watermark, Square's count, load state;
* ``matching`` — the fields the duplicate finder reads (see
  :data:`~app.directory.documents.MATCHING`), written with the JSON, so that the finder
  reads no JSON (a store older than the table has it filled at its first use).

Threads: short reads run on the caller's thread (the event loop) on the *read*
connection; a search runs on one reader thread with its own connection (:meth:`read`),
so that the loop keeps answering keys meanwhile, and a search overtaken by the next key
is interrupted; every write runs on one writer thread with its own connection, one
transaction per call (a page of customers with its checkpoint), so a crash leaves the
store as of the last page written. In WAL mode readers never wait for the writer; the
in-memory database (``memdb``, no WAL) serialises readers and the writer with a lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from app.directory.schema import SCHEMA, SCHEMA_VERSION, Lock, between, prepare
from app.directory.writer import Writer
from app.square import Customer

__all__ = ["SCHEMA_VERSION", "DirectoryStore", "Interrupted", "OverBudget", "Writer"]

T = TypeVar("T")


class Interrupted(Exception):
    """A read on the reader thread was given up: its caller no longer waits for it."""


class OverBudget(Exception):
    """A query ran past the time it was given (another way to the rows may be quicker)."""


PROGRESS_STEPS = 1000
"""SQLite virtual-machine steps between two looks at a query's budget."""
_MATCHED = (
    "SELECT n, email_address, phone_number, reference_id, given_name, family_name, "
    "company_name, birthday, postal_code FROM matching"
)


class DirectoryStore:
    """The customers held locally, in SQLite (see the module's docstring)."""

    def __init__(self, path: Path | None) -> None:
        """``path``: the store's file (made 0600 in a folder made 0700); ``None``: an
        in-memory database for this run only."""
        self.path = path
        self.generation = 0
        """Bumped after every write: answers read since then may have moved."""
        self._closed = False
        if path is None:
            self._uri = f"file:/customer-desk-{uuid.uuid4().hex}?vfs=memdb"
            self._lock: contextlib.AbstractContextManager[Any] = Lock()
        else:
            prepare(path)
            self._uri = path.resolve().as_uri() + "?mode=rwc"
            self._lock = contextlib.nullcontext()
        self.connection = self._connect()
        """The read connection, for the thread that opened the store (the event loop)."""
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="directory-writer")
        self._writer: sqlite3.Connection | None = None
        self._reader_pool = ThreadPoolExecutor(1, thread_name_prefix="directory-reader")
        self._reader: sqlite3.Connection | None = None
        self._reader_thread: int | None = None
        self._reading: threading.Event | None = None
        """Set when the read running on the reader thread is given up."""
        with self._lock:
            self._create()
            self._count = int(
                self.connection.execute("SELECT count(*) FROM customers").fetchone()[0]
            )

    @property
    def in_memory(self) -> bool:
        return self.path is None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._uri, uri=True, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        conn.execute("PRAGMA cache_size = -16000")
        conn.execute("PRAGMA mmap_size = 0")
        if self.path is not None:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _create(self) -> None:
        conn = self.connection
        conn.executescript(SCHEMA)
        found = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if found is not None and found[0] != str(SCHEMA_VERSION):
            conn.executescript(
                "DROP TABLE IF EXISTS words; DROP TABLE IF EXISTS customers; "
                "DROP TABLE IF EXISTS docs; "
                "DROP TABLE IF EXISTS vocab; DROP TABLE IF EXISTS windows; "
                "DROP TABLE IF EXISTS initials; DROP TABLE IF EXISTS matching; "
                "DROP TABLE IF EXISTS meta;"
            )
            conn.executescript(SCHEMA)
            found = None
        if found is None:
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    # -- reads (short, on the caller's thread) -------------------------------------------

    def fetch(
        self, sql: str, params: Iterable[Any] = (), *, budget: float | None = None
    ) -> list[Any]:
        """Rows of ``sql``, on this thread's connection (the reader's own on the reader
        thread, where a read given up stops: before its next statement, or within the
        one it runs). With ``budget`` (seconds), a query still running after that long is
        stopped: :class:`OverBudget`."""
        conn, stop = self.connection, None
        if self._reader is not None and threading.get_ident() == self._reader_thread:
            conn, stop = self._reader, self._reading
            if stop is not None and stop.is_set():
                raise Interrupted
        deadline = time.perf_counter() + budget if budget is not None else None
        over = False

        def check() -> int:
            nonlocal over
            if stop is not None and stop.is_set():
                return 1
            over = deadline is not None and time.perf_counter() > deadline
            return int(over)

        watched = stop is not None or deadline is not None
        try:
            with self._lock:
                if watched:
                    conn.set_progress_handler(check, PROGRESS_STEPS)
                try:
                    return conn.execute(sql, tuple(params)).fetchall()
                finally:
                    if watched:
                        conn.set_progress_handler(None, 0)
        except sqlite3.OperationalError as err:
            if over:
                raise OverBudget from err
            if conn is self._reader and str(err) == "interrupted":
                raise Interrupted from err
            raise

    async def read(self, work: Callable[[], T]) -> T:
        """Run ``work`` (reads through :meth:`fetch`) on the reader thread; cancelling the
        caller interrupts it: its running statement stops and it issues no other."""
        loop = asyncio.get_running_loop()
        stop = threading.Event()
        future = loop.run_in_executor(self._reader_pool, self._read_with, work, stop)
        try:
            return await future
        except asyncio.CancelledError:
            stop.set()
            reader = self._reader
            if reader is not None:
                with contextlib.suppress(sqlite3.Error):
                    reader.interrupt()
            raise

    def _read_with(self, work: Callable[[], T], stop: threading.Event) -> T:
        if self._closed:
            raise RuntimeError("the directory store is closed")
        if stop.is_set():
            raise Interrupted
        if self._reader is None:
            self._reader = self._connect()
            self._reader_thread = threading.get_ident()
        self._reading = stop
        try:
            return work()
        finally:
            self._reading = None

    def count(self) -> int:
        """How many customers the store holds."""
        return self._count

    def get(self, customer_id: str) -> Customer | None:
        found = self.fetch(
            "SELECT d.data FROM customers AS c JOIN docs AS d ON d.n = c.n WHERE c.id = ?",
            (customer_id,),
        )
        return Customer.model_validate_json(found[0][0]) if found else None

    def version_of(self, customer_id: str) -> int | None:
        found = self.fetch("SELECT version FROM customers WHERE id = ?", (customer_id,))
        return int(found[0][0]) if found else None

    def __contains__(self, customer_id: object) -> bool:
        return isinstance(customer_id, str) and self.version_of(customer_id) is not None

    def meta(self, key: str) -> str | None:
        found = self.fetch("SELECT value FROM meta WHERE key = ?", (key,))
        return str(found[0][0]) if found else None

    def windows(self) -> list[tuple[str, str, str | None]]:
        """The load checkpoint: windows still to fetch, oldest first."""
        return [(a, b, c) for a, b, c in self.fetch("SELECT * FROM windows ORDER BY start")]

    def count_between(self, start: str | None, stop: str | None) -> int:
        """Customers with ``start <= created_at < stop`` (an open end: unbounded; no
        ``created_at`` counts before every start)."""
        sql, params = between(start, stop)
        return int(self.fetch(f"SELECT count(*) FROM customers WHERE {sql}", params)[0][0])

    def ids_between(self, start: str | None, stop: str | None) -> list[str]:
        sql, params = between(start, stop)
        return [row[0] for row in self.fetch(f"SELECT id FROM customers WHERE {sql}", params)]

    def created_at_rank(self, start: str | None, stop: str | None, rank: int) -> str | None:
        """The ``created_at`` of the ``rank``-th customer (0 first) of a window."""
        sql, params = between(start, stop)
        found = self.fetch(
            f"SELECT created_at FROM customers WHERE {sql} AND created_at IS NOT NULL "
            "ORDER BY created_at LIMIT 1 OFFSET ?",
            (*params, max(0, rank)),
        )
        return str(found[0][0]) if found else None

    def documents(self, numbers: list[int]) -> dict[int, bytes]:
        """The JSON of the customers with these row numbers."""
        out: dict[int, bytes] = {}
        for start in range(0, len(numbers), 500):
            part = numbers[start : start + 500]
            marks = ",".join("?" * len(part))
            for n, data in self.fetch(f"SELECT n, data FROM docs WHERE n IN ({marks})", part):
                out[int(n)] = bytes(data)
        return out

    def initials(self, field: str, letter: str) -> int:
        """How many customers have a word starting with ``letter``: among their name
        words (``field`` ``"names"``) or among every word they are found by (``"any"``)."""
        found = self.fetch("SELECT n FROM initials WHERE field = ? AND letter = ?", (field, letter))
        return int(found[0][0]) if found else 0

    def vocabulary(self) -> list[str]:
        return [row[0] for row in self.fetch("SELECT word FROM vocab")]

    async def matching(self) -> list[tuple[Any, ...]]:
        """Every customer's ``(n, *MATCHING)`` — the fields the duplicate rules read,
        without the rest of the JSON — in no particular order (``n``: what
        :meth:`documents_in_order` takes). Read on the reader thread."""
        rows = await self.read(lambda: self.fetch(_MATCHED))
        if len(rows) != self.count():  # a store older than the table: filled once
            await self.write(lambda writer: writer.fill_matching())
            rows = await self.read(lambda: self.fetch(_MATCHED))
        return rows

    def documents_in_order(self, numbers: list[int]) -> list[tuple[int, bytes]]:
        """``(n, JSON)`` of the customers with these row numbers, in DEFAULT order (the
        order of an empty search)."""
        found: list[tuple[bytes, int, bytes]] = []
        for start in range(0, len(numbers), 500):
            part = numbers[start : start + 500]
            marks = ",".join("?" * len(part))
            found += self.fetch(
                "SELECT c.key, c.n, d.data FROM customers AS c JOIN docs AS d ON d.n = c.n "
                f"WHERE c.n IN ({marks})",
                part,
            )
        found.sort()
        return [(int(n), bytes(data)) for _key, n, data in found]

    # -- writes (one transaction each, on the writer thread) ----------------------------

    async def write(self, work: Callable[[Writer], T]) -> T:
        """Run ``work`` in one transaction on the writer thread; the caller's loop keeps
        answering meanwhile."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._write, work)

    def write_now(self, work: Callable[[Writer], T]) -> T:
        """:meth:`write`, waiting on the calling thread (for small writes outside a loop)."""
        return self._executor.submit(self._write, work).result()

    def _write(self, work: Callable[[Writer], T]) -> T:
        if self._closed:
            raise RuntimeError("the directory store is closed")
        if self._writer is None:
            self._writer = self._connect()
        conn = self._writer
        with self._lock:
            conn.execute("BEGIN IMMEDIATE")
            writer = Writer(conn)
            try:
                result = work(writer)
                writer.finish()
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self._count += writer.added
            if writer.changed:
                self.generation += 1
        return result

    async def upsert(self, customers: Iterable[Customer], *, force: bool = False) -> int:
        batch = list(customers)
        return await self.write(lambda w: w.upsert(batch, force=force))

    async def delete(self, ids: Iterable[str]) -> int:
        batch = list(ids)
        return await self.write(lambda w: w.delete(batch))

    async def set_meta(self, **values: str | int | None) -> None:
        await self.write(lambda w: w.set_meta(**values))

    def close(self) -> None:
        """Close both connections (the writer's on its own thread)."""
        if self._closed:
            return
        self._executor.submit(self._close_writer).result()
        self._reader_pool.submit(self._close_reader).result()
        self._closed = True
        self._executor.shutdown(wait=True)
        self._reader_pool.shutdown(wait=True)
        with self._lock:
            self.connection.close()

    def _close_writer(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(sqlite3.Error):
                self._writer.execute("PRAGMA optimize")
            self._writer.close()
            self._writer = None

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
