"""The database's schema version (PRAGMA user_version): demo files of another version
are moved aside and seeded afresh; any other file of another version is refused."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from app.emulator import runner
from app.emulator.runner import open_demo_store
from app.emulator.schema import SCHEMA_VERSION, SchemaVersionError
from app.emulator.store import Store


def _set_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _old_demo(path: Path, version: int, customers: int = 12) -> None:
    open_demo_store(path, customers=customers, seed=2).close()
    _set_version(path, version)


def _foreign_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()


def test_a_new_database_gets_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION >= 1
    store.close()
    assert _user_version(path) == SCHEMA_VERSION
    Store(path).close()  # and opens again
    empty = tmp_path / "empty.sqlite3"
    empty.touch()  # an empty file is a new database too
    Store(empty).close()
    assert _user_version(empty) == SCHEMA_VERSION


@pytest.mark.parametrize("version", [0, SCHEMA_VERSION + 1, 99])
def test_store_refuses_another_version_and_names_the_file(tmp_path: Path, version: int) -> None:
    path = tmp_path / "other.sqlite3"
    Store(path).close()
    _set_version(path, version)
    with pytest.raises(SchemaVersionError) as info:
        Store(path)
    assert info.value.path == path and info.value.found == version
    message = str(info.value)
    assert str(path) in message and f"needs schema version {SCHEMA_VERSION}" in message
    assert _user_version(path) == version  # left as it was


def test_store_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are not the customers you are looking for\n" * 20)
    with pytest.raises(SchemaVersionError) as info:
        Store(path)
    assert info.value.found is None
    assert str(path) in str(info.value) and "not a readable SQLite database" in str(info.value)


@pytest.mark.parametrize("version", [0, SCHEMA_VERSION + 1])
def test_an_old_demo_is_moved_aside_and_seeded_afresh(
    tmp_path: Path,
    version: int,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "demo.sqlite3"
    _old_demo(path, version, customers=12)
    caplog.set_level(logging.WARNING, logger="app.emulator.runner")

    store = open_demo_store(path, customers=30, seed=4)
    aside = tmp_path / f"demo.sqlite3.old-{version}"
    assert store.replaced == aside
    assert store.customer_count() == 30 and store.schema_version == SCHEMA_VERSION
    store.close()
    # the old file is kept whole, with its own version
    assert _user_version(aside) == version
    conn = sqlite3.connect(aside)
    assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 12
    conn.close()
    # the caller is told: a log line, never a print (a TUI may be running)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert str(aside) in caplog.records[0].getMessage()
    assert capsys.readouterr().out == ""
    # a current demo opens as it is, and says it replaced nothing
    again = open_demo_store(path, customers=99)
    assert again.replaced is None and again.customer_count() == 30
    again.close()


def test_a_second_old_demo_does_not_overwrite_the_first(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    for expected in ("demo.sqlite3.old-0", "demo.sqlite3.old-0-2", "demo.sqlite3.old-0-3"):
        _old_demo(path, 0)
        store = open_demo_store(path, customers=5)
        assert store.replaced == tmp_path / expected
        store.close()
    assert sorted(p.name for p in tmp_path.iterdir() if ".old-" in p.name) == [
        "demo.sqlite3.old-0",
        "demo.sqlite3.old-0-2",
        "demo.sqlite3.old-0-3",
    ]


def test_journals_move_with_the_database(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    path.write_bytes(b"main")
    (tmp_path / "demo.sqlite3-wal").write_bytes(b"wal")
    moved = runner._move_aside(path, "3")
    assert moved == tmp_path / "demo.sqlite3.old-3"
    assert (tmp_path / "demo.sqlite3.old-3-wal").read_bytes() == b"wal"
    assert not path.exists() and not (tmp_path / "demo.sqlite3-wal").exists()


def test_a_foreign_database_is_never_moved(tmp_path: Path) -> None:
    path = tmp_path / "accounts.sqlite3"
    _foreign_db(path)
    with pytest.raises(SchemaVersionError) as info:
        open_demo_store(path)
    assert str(path) in str(info.value)
    assert [p.name for p in tmp_path.iterdir()] == ["accounts.sqlite3"]
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00\x01not sqlite" * 100)
    with pytest.raises(SchemaVersionError):
        open_demo_store(garbage)
    assert garbage.exists()


def test_an_unreadable_file_at_the_default_demo_path_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "data" / "demo.sqlite3"
    path.parent.mkdir()
    path.write_bytes(b"\x00\x01not sqlite" * 100)
    monkeypatch.setattr(runner, "default_db_path", lambda: path)
    store = open_demo_store(path, customers=5)
    assert store.replaced == path.parent / "demo.sqlite3.old-unknown"
    assert store.customer_count() == 5
    store.close()


def test_the_command_line_refuses_a_foreign_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "accounts.sqlite3"
    _foreign_db(path)
    assert runner.main(["--db", str(path), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "schema version" in err


def _as_version_1(path: Path) -> None:
    """Make `path` what a version-1 emulator wrote: no custom attribute tables."""
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TABLE attribute_values; DROP TABLE attribute_definitions; "
        "DELETE FROM meta WHERE key = 'seed_attributes'; PRAGMA user_version = 1;"
    )
    conn.close()


def test_a_version_1_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "kept.sqlite3"
    store = Store(path)
    store.set_meta("owner", "not a demo")
    store.close()
    _as_version_1(path)
    upgraded = Store(path)
    assert upgraded.schema_version == SCHEMA_VERSION == 2
    assert upgraded.get_meta("owner") == "not a demo"
    assert upgraded.list_definitions() == []  # the new tables are there, empty
    upgraded.close()
    assert _user_version(path) == SCHEMA_VERSION


def test_a_version_1_demo_keeps_its_customers_and_gains_custom_attributes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "demo.sqlite3"
    open_demo_store(path, customers=40, seed=3).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE customers SET doc = json_set(doc, '$.note', 'edited by hand')")
    conn.commit()
    conn.close()
    _as_version_1(path)
    caplog.set_level(logging.WARNING, logger="app.emulator.runner")

    store = open_demo_store(path, customers=99, seed=3)
    assert store.replaced is None and caplog.records == []  # nothing moved aside
    assert store.customer_count() == 40
    customer_id = store.customers_by_creation()[0][0]
    assert (store.get_customer(customer_id) or {}).get("note") == "edited by hand"
    names = {d.get("name") for d in store.list_definitions()}
    assert {"Favourite drink", "VIP since"} <= names
    assert any(store.values_of(cid) for cid, _ in store.customers_by_creation())
    store.close()
    assert [p.name for p in tmp_path.iterdir() if ".old-" in p.name] == []
