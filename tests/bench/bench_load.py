"""Load bench: the directory's windowed, concurrent load against Square's own SDK pager.

    .venv/bin/python -m tests.bench.bench_load [--customers 20000] [--latency-ms 100]

All run side by side in one process against the same emulator (in-process ASGI, with
the emulator's fixed latency added to every request): Square's official Python SDK
(`squareup`) paging `customers.list` 100 at a time, our own service following one
ListCustomers cursor chain, and `CustomerDirectory.load()` (which also builds the
index). Prints the times, request counts and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx


class Counting(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests = 0
        self.in_flight = 0
        self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1


async def run(customers: int, latency_ms: float, concurrency: int) -> None:
    from square import AsyncSquare

    from app.directory import CustomerDirectory
    from app.emulator import DEMO_TOKEN
    from app.emulator.asgi import create_app
    from app.emulator.faults import Faults
    from app.emulator.seed import seed_demo
    from app.emulator.store import Store
    from app.square import SquareService

    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    store = Store(folder / "bench.sqlite3")
    started = time.perf_counter()
    seed_demo(store, customers=customers, seed=7)
    print(
        f"seeded {customers:,} customers in {time.perf_counter() - started:.1f} s; "
        f"latency {latency_ms:g} ms per request"
    )
    app = create_app(store, faults=Faults(latency_ms=latency_ms))
    url = "http://emulator.bench"

    sdk_transport = Counting(httpx.ASGITransport(app=app))
    sdk = AsyncSquare(
        token=DEMO_TOKEN,
        base_url=url,
        httpx_client=httpx.AsyncClient(transport=sdk_transport, timeout=60),
    )
    started = time.perf_counter()
    seen: set[str] = set()
    pager: Any = await sdk.customers.list(limit=100)
    async for customer in pager:
        seen.add(customer.id)
    sdk_time = time.perf_counter() - started
    print(
        f"SDK customers.list    {sdk_time:6.2f} s  {len(seen):,} customers, "
        f"{sdk_transport.requests} requests"
    )

    chain_transport = Counting(httpx.ASGITransport(app=app))
    chain = SquareService(url, DEMO_TOKEN, transport=chain_transport, timeout=60)
    started = time.perf_counter()
    chained = 0
    async for page in chain.iter_customer_pages(limit=100):
        chained += len(page.customers)
    chain_time = time.perf_counter() - started
    await chain.aclose()
    print(
        f"one cursor chain      {chain_time:6.2f} s  {chained:,} customers, "
        f"{chain_transport.requests} requests (our service, ListCustomers)"
    )

    ours_transport = Counting(httpx.ASGITransport(app=app))
    service = SquareService(url, DEMO_TOKEN, transport=ours_transport, timeout=60)
    directory = CustomerDirectory(service, concurrency=concurrency)
    started = time.perf_counter()
    await directory.load()
    ours_time = time.perf_counter() - started
    await service.aclose()
    print(
        f"directory.load()      {ours_time:6.2f} s  {directory.count:,} customers, "
        f"{ours_transport.requests} requests, {ours_transport.peak} at once"
    )
    print(
        f"ratio                 {sdk_time / ours_time:6.1f}x faster than the SDK pager, "
        f"{chain_time / ours_time:.1f}x faster than one cursor chain"
    )
    if directory.count != len(seen):
        print(f"MISMATCH: the SDK saw {len(seen):,}, the directory holds {directory.count:,}")
    store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    asyncio.run(run(args.customers, args.latency_ms, args.concurrency))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
