"""The demo's duplicate families: seeded at the end of the demo, the rest unchanged, and an
older demo (without them) reseeded."""

from __future__ import annotations

from pathlib import Path

from app.emulator.runner import open_demo_store
from app.emulator.seed import seed_demo
from app.emulator.seed_duplicates import SEED_VERSION, SLOTS
from app.emulator.store import Store


def test_an_old_demo_is_moved_aside_and_reseeded(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    old = Store(path)
    seed_demo(old, customers=120, seed=7)
    old.conn.execute("DELETE FROM meta WHERE key = 'seed_version'")  # as seeded before them
    old.conn.commit()
    old.close()
    store = open_demo_store(path, customers=120)
    assert store.replaced == tmp_path / "demo.sqlite3.old-seed1"
    assert store.get_meta("seed_version") == SEED_VERSION
    again = open_demo_store(path, customers=120)  # the current version opens as it is
    assert again.replaced is None
    store.close()
    again.close()


def test_families_replace_only_the_last_profiles(tmp_path: Path) -> None:
    store = Store(tmp_path / "demo.sqlite3")
    seed_demo(store, customers=120, seed=7)
    ids = [row[0] for row in store.conn.execute("SELECT id FROM customers ORDER BY rowid")]
    last = [store.get_customer(cid) for cid in ids[-SLOTS:]]
    assert [c["family_name"] for c in last if c][:2] == ["Whitfield", "Whitfield"]
    small = Store(tmp_path / "small.sqlite3")
    seed_demo(small, customers=50, seed=7)  # too small a demo for them: none
    families = small.conn.execute(
        "SELECT count(*) FROM customers WHERE doc LIKE '%Whitfield%'"
    ).fetchone()
    assert families == (0,)
