"""Resident memory and search times of a directory loaded from the emulator (a child
process).

    .venv/bin/python -m tests.bench.directory_rows BASE_URL DB [--queries 3000]

Run in a fresh interpreter so that nothing else lives in its memory. It measures a bare
interpreter beside it, its own resident set after the imports, then
``CustomerDirectory.load()`` from the emulator at BASE_URL (served by another process)
into an in-memory store, its resident set again (settled, and the peak of the whole
run), and then ``CustomerDirectory.search`` end to end with the first screenful read.
Queries are every prefix of realistic name queries typed key by key (names sampled from
DB) and 1-3 word prefixes of names, domains and note words, shuffled. Prints one JSON
object.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="directory memory and query times")
    parser.add_argument("base_url")
    parser.add_argument("db", type=Path)
    parser.add_argument("--queries", type=int, default=3000)
    args = parser.parse_args(argv)

    from tests.bench.rss import bare_rss_mb, make_queries, peak_mb, rss_mb

    bare = bare_rss_mb()
    from app.directory import CustomerDirectory
    from app.emulator import DEMO_TOKEN
    from app.square import SquareService
    from tests.bench.queries import name_queries, prefixes, sample_customers

    typed = prefixes(name_queries(sample_customers(args.db, 2000), args.queries // 8))
    queries = typed[: args.queries // 2] + make_queries(
        args.queries - min(len(typed), args.queries // 2)
    )
    random.Random(4).shuffle(queries)
    gc.collect()
    before = rss_mb()

    async def run() -> dict[str, object]:
        async with SquareService(args.base_url, DEMO_TOKEN, timeout=60.0) as service:
            directory = CustomerDirectory(service)
            started = time.perf_counter()
            await directory.load()
            load_seconds = time.perf_counter() - started
            gc.collect()
            after = rss_mb()
            directory_times = []
            for text in queries:
                t = time.perf_counter()
                results = await directory.search(text)
                for i in range(min(30, len(results.customers))):
                    results.customers[i]
                directory_times.append(time.perf_counter() - t)
            return {
                "customers": directory.count,
                "load_seconds": load_seconds,
                "bare_mb": bare,
                "before_mb": before,
                "after_mb": after,
                "peak_mb": peak_mb(),
                "queries": len(queries),
                "directory_times": directory_times,
            }

    print(json.dumps(asyncio.run(run())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
