"""Directory load against Square's own SDK pager, over loopback with a fixed latency.

Both clients read the same emulator, served by ``start_background`` in a child process
with the fault ``latency_ms`` added to every request: ``CustomerDirectory.load()`` (our
windowed, concurrent SearchCustomers load) and the official SDK's ``customers.list``
pager (``squareup``, 100 per page, the largest page Square allows) iterating every
customer. Runs alternate between the two, the order flipped each round.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    ours: list[float]
    sdk: list[float]
    ours_customers: int
    sdk_customers: int


def load_ours(base_url: str) -> tuple[float, int]:
    """Seconds for a fresh ``CustomerDirectory.load()``, and how many customers it holds."""
    from app.directory import CustomerDirectory
    from app.emulator import DEMO_TOKEN
    from app.square import SquareService

    async def run() -> tuple[float, int]:
        async with SquareService(base_url, DEMO_TOKEN, timeout=60.0) as service:
            directory = CustomerDirectory(service)
            started = time.perf_counter()
            await directory.load()
            return time.perf_counter() - started, directory.count

    return asyncio.run(run())


def load_sdk(base_url: str) -> tuple[float, int]:
    """Seconds for the SDK's pager to iterate every customer, and how many it saw."""
    from square import Square

    from app.emulator import DEMO_TOKEN

    client = Square(token=DEMO_TOKEN, base_url=base_url, timeout=60.0)
    started = time.perf_counter()
    seen = {customer.id for customer in client.customers.list(limit=100)}
    return time.perf_counter() - started, len(seen)


def measure(base_url: str, runs: int) -> LoadResult:
    ours: list[float] = []
    sdk: list[float] = []
    held = seen = 0
    for round_ in range(runs):
        order = (load_ours, load_sdk) if round_ % 2 == 0 else (load_sdk, load_ours)
        for load in order:
            seconds, count = load(base_url)
            if load is load_ours:
                ours.append(seconds)
                held = count
            else:
                sdk.append(seconds)
                seen = count
    return LoadResult(ours, sdk, held, seen)
