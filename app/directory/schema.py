"""The directory store's tables, the schema version, and what its file needs before
SQLite opens it (see :mod:`app.directory.store`)."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA", "SCHEMA_VERSION", "Lock", "between", "prepare"]

SCHEMA_VERSION = 2
"""Bumped when the tables change: a store of another version is dropped and refilled."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS customers(
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    created_at TEXT,
    updated_at TEXT,
    key BLOB NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    names TEXT NOT NULL,
    others TEXT NOT NULL,
    phones TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS docs(n INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS customers_key ON customers(key);
CREATE INDEX IF NOT EXISTS customers_email ON customers(email) WHERE email IS NOT NULL;
CREATE INDEX IF NOT EXISTS customers_created ON customers(created_at);
CREATE INDEX IF NOT EXISTS customers_updated ON customers(updated_at);
CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5(
    names, others, phones,
    content='customers', content_rowid='n',
    tokenize='unicode61 remove_diacritics 0', prefix='1 2 3', detail='column'
);
CREATE TABLE IF NOT EXISTS vocab(word TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS initials(
    field TEXT NOT NULL, letter TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY(field, letter)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS windows(
    start TEXT PRIMARY KEY, stop TEXT NOT NULL, done_to TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS matching(
    n INTEGER PRIMARY KEY, email_address TEXT, phone_number TEXT, reference_id TEXT,
    given_name TEXT, family_name TEXT, company_name TEXT, birthday TEXT, postal_code TEXT
);
"""


class Lock(contextlib.AbstractContextManager[Any]):
    """A re-entrant lock as a context manager (the in-memory store's reader/writer lock)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def __enter__(self) -> Any:
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def between(start: str | None, stop: str | None) -> tuple[str, tuple[str, ...]]:
    parts: list[str] = []
    params: list[str] = []
    if start is not None:
        parts.append("created_at >= ?")
        params.append(start)
    if stop is not None:
        parts.append("(created_at < ? OR created_at IS NULL)")
        params.append(stop)
    return " AND ".join(parts) or "1", tuple(params)


def prepare(path: Path) -> None:
    """The folder 0700, the file 0600 before SQLite opens it (its journals take the
    file's mode)."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.chmod(path.with_name(path.name + suffix), 0o600)
