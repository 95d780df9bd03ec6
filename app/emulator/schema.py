"""The emulator database's schema and its version, and the private files it lives in.

A new file is created `0600` in folders created `0700`, whatever the umask; a file of
another schema version (or not a database) is refused with `SchemaVersionError`.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import suppress
from pathlib import Path

SCHEMA_VERSION = 2
"""`PRAGMA user_version` of an emulator database made by this code.

Bump it with any change to `SCHEMA` or to what a column or a stored document means. A
database of a version `MIGRATIONS` knows is upgraded in place; a demo database of any
other version is moved aside and seeded afresh (`runner.open_demo_store`); any other
database of another version is refused (`SchemaVersionError`). Version 0 is a database
made before versions were recorded.

History: 1 customers, groups, segments, cards; 2 adds the customer custom attributes
(`attribute_definitions`, `attribute_values`).
"""

ATTRIBUTE_TABLES = """
CREATE TABLE IF NOT EXISTS attribute_definitions (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (owner, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attribute_values (
    customer_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (customer_id, owner, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS attribute_values_by_key ON attribute_values (owner, key);
"""
"""Custom attribute definitions (owner = the application that made one, `square` for the
seller's own custom fields) and their values on customers (`value` is JSON)."""

MIGRATIONS: dict[int, str] = {1: ATTRIBUTE_TABLES}
"""Version N → the SQL that makes a database of version N one of version N + 1."""

SCHEMA = (
    """
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
    + ATTRIBUTE_TABLES
)


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


def schema_version(conn: sqlite3.Connection) -> int | None:
    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
        return None
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def create_private(path: Path) -> bool:
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


def chmod_journals(path: Path) -> None:
    """SQLite gives -wal / -shm the database's mode; make sure of it where it did not."""
    for suffix in ("-wal", "-shm", "-journal"):
        journal = path.with_name(path.name + suffix)
        with suppress(FileNotFoundError):
            os.chmod(journal, PRIVATE_FILE)


def open_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Check the file's schema version, set the pragmas, create the schema in a new file,
    upgrade a file of an older version `MIGRATIONS` knows.

    `SchemaVersionError` (naming `path`) for a file of another version or not a database.
    """
    try:
        found = schema_version(conn)
    except sqlite3.DatabaseError as exc:
        raise SchemaVersionError(path, None, str(exc)) from None
    if found is not None and found != SCHEMA_VERSION and not _migratable(found):
        raise SchemaVersionError(path, found)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=OFF")
    if found is not None and found != SCHEMA_VERSION:
        _migrate(conn, found)
        if schema_version(conn) != SCHEMA_VERSION:  # pragma: no cover - a race lost
            raise SchemaVersionError(path, schema_version(conn))
    if found is None:
        # One transaction: another process opening the new file at the same time
        # waits, then finds the tables and the version in place.
        conn.executescript(
            f"BEGIN IMMEDIATE;\n{SCHEMA}\nPRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;"
        )
        if schema_version(conn) != SCHEMA_VERSION:  # pragma: no cover - a race lost
            raise SchemaVersionError(path, schema_version(conn))


def _migratable(version: int) -> bool:
    """Whether `MIGRATIONS` leads from `version` to `SCHEMA_VERSION`."""
    return 0 < version < SCHEMA_VERSION and all(
        step in MIGRATIONS for step in range(version, SCHEMA_VERSION)
    )


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    """Upgrade in one transaction, step by step; another process doing the same waits, then
    finds each step already done (every step is `IF NOT EXISTS`)."""
    steps = "\n".join(MIGRATIONS[step] for step in range(version, SCHEMA_VERSION))
    conn.executescript(
        f"BEGIN IMMEDIATE;\n{steps}\nPRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;"
    )
