"""The cold load against the emulator's faults: a rate limit, errors, drops; a load
stopped halfway and resumed; a warm start from the store kept on disk."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from app.directory import CustomerDirectory, LoadProgress, StorePlace
from app.emulator.faults import Faults
from app.square import SquareService
from tests.directory.conftest import BIG


def searches(service: SquareService) -> list[dict[str, Any]]:
    return [json.loads(body) for body in service.transport.searches()]  # type: ignore[attr-defined]


def place(tmp_path: Path) -> StorePlace:
    return StorePlace(tmp_path / "stores", "test-big.test")


async def test_a_load_under_a_rate_limit_completes_with_every_customer(make_big: Any) -> None:
    service = make_big(Faults(rate_limit=15, burst=4, latency_ms=5))
    directory = CustomerDirectory(service, concurrency=8)
    seen: list[LoadProgress] = []
    await directory.load(seen.append)
    assert directory.loaded and directory.count == BIG
    assert directory.pacer.limited > 0  # Square said "slow down", and the load listened
    assert directory.pacer.rate is not None and directory.pacer.rate < 40
    assert seen[-1].loaded == BIG and seen[-1].total == BIG
    assert any(p.limited for p in seen)


async def test_a_service_that_gives_up_on_429_does_not_stop_the_load(make_big: Any) -> None:
    """The client raises RateLimitedError at once (no retries): the load waits and goes on."""
    service = make_big(Faults(rate_limit=20, burst=3), max_retries=0)
    directory = CustomerDirectory(service, concurrency=6)
    await directory.load()
    assert directory.loaded and directory.count == BIG
    assert directory.pacer.limited > 0


async def test_errors_and_dropped_connections_are_retried(make_big: Any) -> None:
    service = make_big(Faults(error_rate=0.15, drop_rate=0.1, seed=11), max_retries=0)
    directory = CustomerDirectory(service, concurrency=4)
    await directory.load()
    assert directory.loaded and directory.count == BIG


async def test_a_load_stopped_halfway_resumes_without_refetching(
    make_big: Any, tmp_path: Path
) -> None:
    # the whole load in one go, for comparison
    whole = make_big()
    reference = CustomerDirectory(whole, concurrency=4)
    await reference.load()
    whole_pages = len(searches(whole))
    assert reference.count == BIG

    first = make_big(Faults(latency_ms=2))
    stopped = CustomerDirectory(first, concurrency=4, place=place(tmp_path))
    await stopped.open()
    task = asyncio.create_task(stopped.load())
    for _ in range(6000):  # half the load, or 30 s at most
        if stopped.count >= BIG // 2 or task.done():
            break
        await asyncio.sleep(0.005)
    assert not task.done(), f"the load ended before half of it: {task.exception()!r}"
    assert stopped.count >= BIG // 2, f"the load stalled at {stopped.count} of {BIG}"
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=30)
    assert done, "the load did not stop when it was cancelled"
    with pytest.raises(asyncio.CancelledError):
        await task
    stopped.close()  # the page being written when it stopped is written with its checkpoint
    first_pages = len(searches(first))

    second = make_big()
    resumed = CustomerDirectory(second, concurrency=4, place=place(tmp_path))
    assert await resumed.open()  # the customers held are there at once
    held = resumed.count
    assert 0 < held < BIG and not resumed.loaded
    windows = len(resumed.store.windows())
    assert windows > 0  # the checkpoint: what is left to fetch
    await resumed.load()
    assert resumed.loaded and resumed.count == BIG
    pages = searches(second)
    # no new plan (the oldest/newest pages and the count are not asked again) ...
    assert all("count" not in body for body in pages)
    # ... and nothing held is fetched again, bar a customer at each window's edge
    assert len(pages) <= (BIG - held) / 100 + windows + 8
    assert first_pages + len(pages) <= whole_pages + windows + 12
    resumed.close()


async def test_a_warm_start_answers_before_any_request(make_big: Any, tmp_path: Path) -> None:
    loader = CustomerDirectory(make_big(), place=place(tmp_path))
    await loader.open()
    await loader.load()
    ada = (await loader.search("ada lovelace")).customers[0]
    loader.close()

    service = make_big()
    warm = CustomerDirectory(service, place=place(tmp_path))
    assert await warm.open()
    results = await warm.search("ada lovelace")
    assert results.customers[0].id == ada.id
    assert results.covers is None  # the store was complete when it was closed
    assert warm.count == BIG
    assert service.transport.requests == []
    warm.close()


async def test_the_store_file_is_private_and_keyed_by_seller(make_big: Any, tmp_path: Path) -> None:
    service = make_big()
    directory = CustomerDirectory(service, place=place(tmp_path))
    await directory.open()
    await directory.load()
    path = directory.store.path
    assert path is not None and path.parent == tmp_path / "stores"
    assert "MERCHANT-1" in path.name and "big.test" in path.name
    assert "token" not in path.name.lower()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for suffix in ("", "-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            assert stat.S_IMODE(os.stat(extra).st_mode) == 0o600, extra
    directory.close()
    from app.directory.place import clear

    removed = clear(tmp_path / "stores")
    assert path in removed and not path.exists()


async def test_without_a_seller_or_a_folder_the_store_stays_in_memory(
    make_big: Any, tmp_path: Path
) -> None:
    service = make_big()
    service.token_status = None  # Square could not say whose token this is
    directory = CustomerDirectory(service, place=place(tmp_path))
    assert not await directory.open()
    assert not directory.persistent
    off = CustomerDirectory(make_big(), place=StorePlace(None, "test"))
    await off.open()
    await off.load()
    assert not off.persistent and off.count == BIG
    assert not (tmp_path / "stores").exists()
