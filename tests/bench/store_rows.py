"""The persisted directory measured in a fresh interpreter (one JSON line on stdout).

python -m tests.bench.store_rows warm STORE_FOLDER NAME
    from the spawn (the parent's clock) to the first answer holding NAME, read
    from the store kept by an earlier load — no request is made;
python -m tests.bench.store_rows probe STORE_FOLDER --queries N [--sync]
    memory settled and peak after opening the store and answering queries, the
    time per search (a screenful read) idle, and with ``--sync`` while a writer
    thread rewrites pages of customers as a sync does; and "did you mean" queries.
python -m tests.bench.store_rows fill BASE_URL STORE_FOLDER
    a cold load from the emulator at BASE_URL into STORE_FOLDER (done once, cached).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

SCOPE = "bench"
MERCHANT = "BENCH"


def directory_on(folder: Path, base_url: str = "http://unused.invalid") -> Any:
    from app.directory import CustomerDirectory, StorePlace
    from app.emulator import DEMO_TOKEN
    from app.square import SquareService, TokenStatus

    service = SquareService(base_url, DEMO_TOKEN, timeout=60.0, deadline=120.0)
    service.token_status = TokenStatus(merchant_id=MERCHANT)
    return CustomerDirectory(service, place=StorePlace(folder, SCOPE))


async def warm(folder: Path, name: str) -> dict[str, Any]:
    directory = directory_on(folder)
    assert await directory.open()
    results = await directory.search(name)
    found = [c.display_name for c in results.customers[:30]]
    return {"found": name in found, "customers": directory.count}


async def fill(base_url: str, folder: Path) -> dict[str, Any]:
    directory = directory_on(folder, base_url)
    await directory.open()
    started = time.perf_counter()
    await directory.load()
    return {"customers": directory.count, "seconds": time.perf_counter() - started}


async def probe(folder: Path, queries: int, sync: bool) -> dict[str, Any]:
    from tests.bench.rss import make_queries, peak_mb, rss_mb, typos
    from tests.directory.synthetic import FAMILY, GIVEN

    directory = directory_on(folder)
    assert await directory.open()
    texts = make_queries(queries)
    stop = threading.Event()
    rewritten = [0]

    def rewrite() -> None:  # what a sync does to the store: pages of changed customers
        store = directory.store
        offset = 0
        while not stop.is_set():
            rows = store.fetch(
                "SELECT d.data FROM customers AS c JOIN docs AS d ON d.n = c.n LIMIT 100 OFFSET ?",
                (offset,),
            )
            offset += 100
            from app.square import Customer

            batch = []
            for (data,) in rows:
                customer = Customer.model_validate_json(data)
                batch.append(customer.model_copy(update={"version": customer.version + 1}))
            store.write_now(lambda w, batch=batch: w.upsert(batch))
            rewritten[0] += len(batch)

    writer = threading.Thread(target=rewrite, daemon=True) if sync else None
    if writer is not None:
        writer.start()
    times: list[float] = []
    for text in texts:
        started = time.perf_counter()
        results = await directory.search(text)
        for i in range(min(30, len(results.customers))):
            results.customers[i]
        times.append(time.perf_counter() - started)
        await asyncio.sleep(0)
    stop.set()
    if writer is not None:
        writer.join()
    fuzzy_times: list[float] = []
    suggested = 0
    for text in typos([*GIVEN, *FAMILY], max(20, queries // 10)):
        started = time.perf_counter()
        results = await directory.search(text)
        fuzzy_times.append(time.perf_counter() - started)
        suggested += results.suggestion is not None
    gc.collect()
    return {
        "customers": directory.count,
        "settled_mb": rss_mb(),
        "peak_mb": peak_mb(),
        "times": times,
        "fuzzy_times": fuzzy_times,
        "suggested": suggested,
        "rewritten": rewritten[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["warm", "probe", "fill"])
    parser.add_argument("args", nargs="+")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--sync", action="store_true")
    args = parser.parse_args(argv)
    random.seed(1)
    if args.mode == "warm":
        got = asyncio.run(warm(Path(args.args[0]), " ".join(args.args[1:])))
    elif args.mode == "fill":
        got = asyncio.run(fill(args.args[0], Path(args.args[1])))
    else:
        got = asyncio.run(probe(Path(args.args[0]), args.queries, args.sync))
    print(json.dumps(got), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
