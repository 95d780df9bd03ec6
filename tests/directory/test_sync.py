"""The sync: changes made elsewhere found without a full reload, and a store killed
mid-write still consistent."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from app.directory import CustomerDirectory, StorePlace
from app.square import CustomerFields
from tests.directory.conftest import BIG

ROOT = Path(__file__).resolve().parents[2]


def search_bodies(service: Any) -> list[dict[str, Any]]:
    return [json.loads(body) for body in service.transport.searches()]


async def test_updates_creations_and_deletions_elsewhere_are_found(
    make_big: Any, clock: Any
) -> None:
    service = make_big()
    directory = CustomerDirectory(service, clock=clock)
    await directory.load()
    full_load = len(search_bodies(service))
    other = make_big()
    ada = (await directory.search("ada lovelace")).customers[0]
    zoe = (await directory.search("zoe bronte")).customers[0]
    clock.now += timedelta(minutes=5)
    await other.update_customer(ada.id, CustomerFields(given_name="Augusta"))
    made = await other.create_customer(CustomerFields(given_name="Grace", family_name="Hopper"))
    await other.delete_customer(zoe.id)
    clock.now += timedelta(seconds=30)

    before = len(service.transport.requests)
    changed = await directory.refresh()
    requests = len(service.transport.requests) - before
    assert changed == 3
    assert [c.display_name for c in (await directory.search("augusta lovelace")).customers] == [
        "Augusta Lovelace"
    ]
    assert directory.get(made.id) is not None
    assert directory.get(zoe.id) is None
    assert (await directory.search("zoe bronte")).total == 0
    assert directory.count == BIG
    # no reload: a page of changes, Square's count, a few counts to bisect, one window
    assert requests <= 20 < full_load
    assert directory.reconcile_requests <= 16


async def test_a_deletion_is_found_in_a_few_requests(make_big: Any, clock: Any) -> None:
    service = make_big()
    directory = CustomerDirectory(service, clock=clock)
    await directory.load()
    full_load = len(search_bodies(service))
    every = (await directory.search("")).customers
    victim = every[len(every) // 3]
    await make_big().delete_customer(victim.id)
    clock.now += timedelta(minutes=5)
    before = len(service.transport.requests)
    assert await directory.refresh() == 1
    requests = len(service.transport.requests) - before
    assert directory.get(victim.id) is None and directory.count == BIG - 1
    assert requests <= 16 and requests * 2 < full_load
    # nothing changed since: one page of changes and one count
    before = len(service.transport.requests)
    clock.now += timedelta(minutes=5)
    assert await directory.refresh() == 0
    assert len(service.transport.requests) - before == 2


async def test_own_writes_are_not_undone_by_a_lagging_count(make_big: Any, clock: Any) -> None:
    service = make_big()
    directory = CustomerDirectory(service, clock=clock)
    await directory.load()
    made = await service.create_customer(CustomerFields(given_name="Katherine", family_name="J"))
    directory.apply(made)
    await directory.refresh()
    assert directory.get(made.id) is not None


KILLED_SYNC = """
import asyncio, os, sys, httpx
from pathlib import Path
from app.square import TokenStatus
from app.directory import CustomerDirectory, StorePlace
from app.emulator import DEMO_TOKEN
from app.emulator.faults import Faults
from app.emulator.asgi import create_app
from app.emulator.store import Store
from app.square import SquareService

async def main() -> None:
    store = Store(sys.argv[1])
    app = create_app(store, faults=Faults(latency_ms=3))
    service = SquareService("http://big.test", DEMO_TOKEN, transport=httpx.ASGITransport(app=app))
    service.token_status = TokenStatus(merchant_id="MERCHANT-1")
    place = StorePlace(Path(sys.argv[2]), "kill")
    directory = CustomerDirectory(service, concurrency=4, place=place)
    await directory.open()
    def progressed(progress) -> None:
        if progress.pages >= 8:
            print("writing", flush=True)
    await directory.load(progressed)

asyncio.run(main())
"""


async def test_a_store_killed_mid_write_is_consistent_and_resumes(
    big_emulator: Any, make_big: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "stores"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_SYNC, str(big_emulator.path), str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "writing"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    (path,) = folder.glob("*.sqlite3")
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.execute("INSERT INTO words(words) VALUES ('integrity-check')")  # raises if broken
    customers = check.execute("SELECT count(*) FROM customers").fetchone()[0]
    documents = check.execute("SELECT count(*) FROM docs").fetchone()[0]
    assert 0 < customers == documents < BIG
    check.close()

    directory = CustomerDirectory(make_big(), place=StorePlace(folder, "kill"))
    assert await directory.open()
    assert directory.count == customers and not directory.loaded
    await directory.load()
    assert directory.loaded and directory.count == BIG
    directory.close()
