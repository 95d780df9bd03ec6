"""Keystrokes in the real app at 1,000,000 customers: warm on a stored directory, while
its start-up sync runs and once it has ended (see ``keystrokes.measure``'s ``store``).

The directory store the ``store`` rows keep (loaded once from the cached emulator
database) is copied, the customers created last are removed from the copy, and the app
is started on it against the same database served over loopback: it answers from the
store at once while its sync finds the missing customers (counting ``created_at``
windows) and fetches them page by page. The same queries are typed during the sync and
after it.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from tests.bench.keystrokes import STORE_SCOPE
from tests.bench.report import Row, median, percentile

MISSING = 50
"""One customer in this many (the ones created last) is removed from the store's copy
for the sync to bring back: 20,000 of 1,000,000."""


def prepare(folder: Path, tmp: Path) -> Path:
    """A copy of the store in ``folder`` under the name the app looks for, without the
    customers created last (one in ``MISSING``); returns the copy's folder."""
    from app.directory import StorePlace
    from app.directory.store import DirectoryStore
    from app.emulator.ids import MERCHANT_ID

    source = next(folder.glob("*.directory.sqlite3"))
    target_folder = tmp / "keys-store"
    shutil.rmtree(target_folder, ignore_errors=True)
    target_folder.mkdir(mode=0o700)
    target = StorePlace(target_folder, STORE_SCOPE).path_for(MERCHANT_ID)
    assert target is not None
    shutil.copyfile(source, target)
    store = DirectoryStore(target)
    missing = store.count() // MISSING
    ids = [
        row[0]
        for row in store.fetch(
            "SELECT id FROM customers ORDER BY created_at DESC LIMIT ?", (missing,)
        )
    ]
    store.write_now(lambda w: w.delete(ids))
    store.close()
    return target_folder


def stored_keys_row(
    customers: int, base_url: str, db: Path, folder: Path, queries: int, tmp: Path
) -> Row:
    from tests.bench import keystrokes
    from tests.bench.queries import name_queries, sample_customers

    texts = name_queries(sample_customers(db, 2000), queries)
    copy = prepare(folder, tmp)
    result = asyncio.run(keystrokes.measure(base_url, texts, store=copy))
    if result.customers != customers:
        raise RuntimeError(f"the app's directory held {result.customers:,}, not {customers:,}")
    busy = [t for t, s in zip(result.latencies, result.syncing, strict=True) if s]
    idle = [t for t, s in zip(result.latencies, result.syncing, strict=True) if not s]
    i95, b95 = (
        percentile(idle, 0.95) * 1000,
        (percentile(busy, 0.95) * 1000 if busy else float("nan")),
    )
    worst = max(i95, b95) if busy else i95
    return Row(
        "keys",
        f"Keystroke to painted results, {customers:,} customers: idle / while syncing",
        worst,
        "ms",
        f"p95 {i95:.0f} ms / {b95:.0f} ms (p50 {median(idle) * 1000:.0f} / "
        f"{(median(busy) * 1000 if busy else float('nan')):.0f} ms)",
        "p95 ≤ 33 ms",
        worst <= 33,
        f"warm start on the stored directory; {len(busy)} keystrokes while the start-up sync "
        f"fetched {result.synced:,} customers missing from the store, {len(idle)} after it; "
        f"first answer {result.load_seconds:.1f} s after start",
        {
            "customers": result.customers,
            "latencies_ms": [round(x * 1000, 3) for x in result.latencies],
            "syncing": result.syncing,
            "rows": result.rows,
            "synced": result.synced,
        },
    )
