"""Index bench: p50 / p95 query time and resident memory for 100,000 customers.

    .venv/bin/python -m tests.bench.bench_index [--customers 100000] [--queries 3000]

Customers are synthetic and deterministic (no server): they arrive in pages of 100, as a
load would bring them, then the index is built. Queries are one to three word prefixes
of real names, emails and notes, drawn with a fixed seed. Times are per query:

* rank      — the index's answer: the first 200 in order, and the total
* search    — ``WordIndex.search``: the same as a ``CustomerList``, whose customers
  are built only when read
* search+35 — the same, then the first 35 customers read (a screenful of rows), and
  search+200 — all 200 read (the customer cache starts cold for each of these)
* directory — ``CustomerDirectory.search`` end to end (parse, route, rank; nothing read)

Memory is the resident set of this process above a bare interpreter started beside it,
so it includes the imports (pydantic, httpx, the app's models).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

BARE = "import sys; print(open('/proc/self/statm').read().split()[1])"


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20


def bare_rss_mb() -> float:
    out = subprocess.run([sys.executable, "-S", "-c", BARE], capture_output=True, text=True)
    return int(out.stdout.strip()) * 4096 / 2**20


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p50 = ordered[len(ordered) // 2] * 1e3
    p95 = ordered[int(len(ordered) * 0.95)] * 1e3
    return f"p50 {p50:6.3f} ms   p95 {p95:6.3f} ms   max {ordered[-1] * 1e3:6.2f} ms"


def make_queries(count: int, seed: int = 11) -> list[str]:
    from tests.directory.synthetic import DOMAINS, FAMILY, GIVEN, NOTE_WORDS

    rng = random.Random(seed)
    pool = [*GIVEN, *FAMILY, *(d.split(".")[0] for d in DOMAINS), *NOTE_WORDS]
    queries = []
    for _ in range(count):
        parts = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            word = rng.choice(pool)
            parts.append(word[: rng.randint(min(2, len(word)), len(word))])
        queries.append(" ".join(parts))
    return queries


def timed(run: Callable[[str], object], queries: list[str]) -> list[float]:
    times = []
    for text in queries:
        start = time.perf_counter()
        run(text)
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=3000)
    args = parser.parse_args(argv)

    bare = bare_rss_mb()
    from app.directory import CustomerDirectory, WordIndex, query_words
    from tests.directory.synthetic import synthetic_customers

    gc.collect()
    before = rss_mb()
    index = WordIndex()
    index.auto_build = False
    started = time.perf_counter()
    fed = 0.0
    for start in range(0, args.customers, 100):
        page = synthetic_customers(min(100, args.customers - start), start=start)
        t = time.perf_counter()
        for customer in page:
            index.upsert(customer)
        fed += time.perf_counter() - t
    made = time.perf_counter() - started
    t = time.perf_counter()
    index.build()
    built = time.perf_counter() - t
    index.auto_build = True
    gc.collect()
    after = rss_mb()
    print(f"customers          {len(index):,}")
    print(f"ingest             {fed:.2f} s  (generating them: {made - fed:.2f} s)")
    print(f"build              {built:.2f} s")
    print(
        f"memory             {after - bare:.0f} MB above a bare interpreter "
        f"({after - before:.0f} MB for the index itself; imports {before - bare:.0f} MB)"
    )

    queries = make_queries(args.queries)
    words = {text: query_words(text) for text in queries}
    for text in queries[:200]:  # warm up
        index.rank(words[text], 200)
    rank = timed(lambda text: index.rank(query_words(text), 200), queries)
    index._cache.clear()
    search = timed(lambda text: index.search(query_words(text), 200), queries)

    def reading(rows: int) -> Callable[[str], object]:
        def run(text: str) -> object:
            return list(index.search(query_words(text), 200).customers[:rows])

        return run

    index._cache.clear()
    read_35 = timed(reading(35), queries)
    index._cache.clear()
    read_200 = timed(reading(200), queries)

    directory = CustomerDirectory(service=None)  # type: ignore[arg-type]
    directory._index = index
    directory._loaded = True

    async def run_directory() -> list[float]:
        times = []
        index._cache.clear()
        for text in queries:
            start = time.perf_counter()
            await directory.search(text)
            times.append(time.perf_counter() - start)
        return times

    end_to_end = asyncio.run(run_directory())
    totals = [index.rank(words[text], 1)[2] for text in queries]
    print(
        f"queries            {len(queries):,} (1-3 words; median matches "
        f"{statistics.median(totals):,.0f}, max {max(totals):,})"
    )
    print(f"rank               {percentiles(rank)}")
    print(f"search             {percentiles(search)}")
    print(f"search+35 read     {percentiles(read_35)}")
    print(f"search+200 read    {percentiles(read_200)}")
    print(f"directory.search   {percentiles(end_to_end)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
