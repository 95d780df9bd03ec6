"""Benchmark: seed N customers, then time SearchCustomers in the server (not a test).

    .venv/bin/python -m tests.emulator.bench_search [N]

Prints the seeding time and p50 / p95 of email-fuzzy, phone-fuzzy and unfiltered searches
measured in-process through the ASGI app (no sockets), side by side in one run.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from app.emulator import DEMO_TOKEN
from app.emulator.asgi import create_app
from app.emulator.seed import seed_demo
from app.emulator.store import Store


async def _time(
    client: httpx.AsyncClient, bodies: list[dict[str, object]]
) -> tuple[list[float], list[float]]:
    """Round-trip times and the server's own times (Server-Timing), in ms."""
    total, server = [], []
    for body in bodies:
        start = time.perf_counter()
        response = await client.post("/v2/customers/search", json=body)
        total.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text
        server.append(float(response.headers["server-timing"].split("dur=")[1]))
    return total, server


async def run(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite3")
        start = time.perf_counter()
        seed_demo(store, customers=count)
        print(f"seed {count}: {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        store.close()
        store = Store(Path(tmp) / "bench.sqlite3")
        print(f"reopen (index rebuild): {time.perf_counter() - start:.1f} s")
        app = create_app(store)
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=headers
        ) as client:
            words = ["john", "smith gmail", "maria", "yahoo", "kim", "lee outlook", "ann", "zz"]
            digits = ["415", "206 22", "3125", "917", "44 20", "555", "9", "212 4"]

            def flt(name: str, text: str) -> dict[str, object]:
                return {"limit": 100, "query": {"filter": {name: {"fuzzy": text}}}}

            cases: dict[str, list[dict[str, object]]] = {
                "email fuzzy": [flt("email_address", w) for w in words * 5],
                "phone fuzzy": [flt("phone_number", d) for d in digits * 5],
                "no filter": [{"limit": 100}] * 40,
                "email exact": [
                    {"query": {"filter": {"email_address": {"exact": "ada@example.com"}}}}
                ]
                * 40,
            }
            for name, bodies in cases.items():
                await _time(client, bodies[:3])  # warm up
                total, server = await _time(client, bodies)
                p95 = statistics.quantiles(server, n=20)[18]
                print(
                    f"{name:12s} server p50 {statistics.median(server):6.2f} ms"
                    f"  p95 {p95:6.2f} ms   round trip p50 {statistics.median(total):6.2f} ms"
                )
        store.close()


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
