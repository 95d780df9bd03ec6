"""Seeded emulator databases for the benchmarks, built once and cached outside the repo.

A database is keyed by its customer count, its seed and a fingerprint of the emulator's
SQL schema (a schema change makes a new one). Beside each file a small JSON note keeps
how long seeding took and when, so the "seeding 100,000 customers" row can report the
figure measured when the cache was built.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SEED = 7


def cache_dir() -> Path:
    """``CUSTOMER_DESK_BENCH_CACHE``, else the user cache directory."""
    override = os.environ.get("CUSTOMER_DESK_BENCH_CACHE")
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("customer-desk-bench", appauthor=False)


def _schema_tag() -> str:
    """The emulator's schema version (when it records one) and a hash of its SQL."""
    from app.emulator import schema
    from app.emulator.seed_duplicates import SEED_VERSION

    version = getattr(schema, "SCHEMA_VERSION", 0)
    digest = hashlib.sha256(schema.SCHEMA.encode()).hexdigest()[:10]
    return f"{version}-{digest}-s{SEED_VERSION}"  # the demo's data version too


@dataclass(frozen=True)
class SeededDb:
    """A cached database: where it is, and how its seeding went when it was built."""

    path: Path
    customers: int
    seed: int
    seed_seconds: float
    built_at: str
    built_now: bool


def seeded_db(customers: int, seed: int = SEED, *, root: Path | None = None) -> SeededDb:
    """The cached database of `customers` demo customers, seeding it first when missing.

    Seeding is timed in this process (``seed_demo`` into a fresh store, one transaction,
    then closing the store); the file is moved into place only once complete."""
    from app.emulator.seed import seed_demo
    from app.emulator.store import Store

    folder = root or cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"customers-{customers}-seed{seed}-schema{_schema_tag()}"
    path = folder / f"{stem}.sqlite3"
    note = folder / f"{stem}.json"
    if path.exists() and note.exists():
        info = json.loads(note.read_text())
        return SeededDb(
            path, customers, seed, float(info["seed_seconds"]), str(info["built_at"]), False
        )
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        building = Path(tmp) / "building.sqlite3"
        started = time.perf_counter()
        store = Store(building)
        seed_demo(store, customers=customers, seed=seed)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        seconds = time.perf_counter() - started
        shutil.move(str(building), path)
    built_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    note.write_text(json.dumps({"seed_seconds": seconds, "built_at": built_at}))
    return SeededDb(path, customers, seed, seconds, built_at, True)


def working_copy(db: SeededDb, folder: Path) -> Path:
    """A private copy of a cached database (the emulator writes its meta and WAL)."""
    target = folder / db.path.name
    if not target.exists():
        shutil.copyfile(db.path, target)
    return target
