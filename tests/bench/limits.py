"""Loads under Square's rate limit, and a deletion elsewhere, against a served emulator.

* ``cold_load``: a fresh ``CustomerDirectory.load()`` (an in-memory store) and the
  ``squareup`` SDK's ``customers.list`` pager on the same emulator, with a latency and a
  token-bucket rate limit on every request; the floor is what the limit alone allows:
  ``(pages - burst) / rate``.
* ``deletion``: a loaded directory, one customer deleted by another client, then
  ``refresh()`` — the requests it took until the directory agrees with Square.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass

import httpx


class Counting(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await self.inner.handle_async_request(request)


@dataclass(frozen=True)
class LoadRun:
    seconds: float | None
    customers: int
    requests: int
    limited: int
    error: str | None = None


def load_ours(base_url: str) -> LoadRun:
    from app.directory import CustomerDirectory
    from app.emulator import DEMO_TOKEN
    from app.square import SquareService

    async def run() -> LoadRun:
        transport = Counting()
        async with SquareService(
            base_url, DEMO_TOKEN, timeout=60.0, transport=transport
        ) as service:
            directory = CustomerDirectory(service)
            started = time.perf_counter()
            try:
                await directory.load()
            except Exception as error:
                return LoadRun(None, directory.count, transport.requests, 0, repr(error))
            seconds = time.perf_counter() - started
            count = directory.count
            limited = directory.pacer.limited
            directory.close()
            return LoadRun(seconds, count, transport.requests, limited)

    return asyncio.run(run())


def load_sdk(base_url: str) -> LoadRun:
    from square import Square

    from app.emulator import DEMO_TOKEN

    client = Square(token=DEMO_TOKEN, base_url=base_url, timeout=60.0)
    started = time.perf_counter()
    seen: set[str] = set()
    try:
        for customer in client.customers.list(limit=100):
            seen.add(customer.id)
    except Exception as error:
        return LoadRun(None, len(seen), 0, 0, type(error).__name__)
    return LoadRun(time.perf_counter() - started, len(seen), math.ceil(len(seen) / 100), 0)


def floor_seconds(customers: int, rate: float, burst: int) -> float:
    pages = math.ceil(customers / 100)
    return max(0.0, (pages - burst) / rate)


def deletion(base_url: str) -> tuple[int, int, int]:
    """(requests of the refresh that found one deletion, requests of a full load,
    customers changed)."""
    from app.directory import CustomerDirectory
    from app.emulator import DEMO_TOKEN
    from app.square import SquareService

    async def run() -> tuple[int, int, int]:
        transport = Counting()
        async with SquareService(base_url, DEMO_TOKEN, transport=transport) as service:
            directory = CustomerDirectory(service)
            await directory.load()
            full = transport.requests
            everyone = (await directory.search("")).customers
            victim = everyone[len(everyone) // 2]
            async with SquareService(base_url, DEMO_TOKEN) as other:
                await other.delete_customer(victim.id)
            before = transport.requests
            changed = await directory.refresh()
            if directory.get(victim.id) is not None:
                raise RuntimeError("the deletion was not found")
            spent = transport.requests - before
            # put the customer back for the next rows? the database is a working copy
            directory.close()
            return spent, full, changed

    return asyncio.run(run())
