"""Duplicates bench: the finder over the stored directory of 100,000 seeded customers.

    .venv/bin/python -m tests.bench.bench_duplicates [--customers 100000] [--runs 5]

It times what the duplicates screen (`D`) and `customer-desk duplicates` run,
`find_duplicates(directory)`: the fields the rules read from the store's ``matching``
table, the grouping, the grouped profiles read whole and ordered. The directory is a
private copy of the cached store (the one `make bench` loads once over loopback). The
copy comes from a store older than the ``matching`` table, which its first use fills:
that one-time fill is timed apart, in a store opened and closed before the runs; then a
fresh directory is opened and each run finds every group, the first with the process's
caches cold (phone and name keys are cached across runs, as in a desk that looks again).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tests.bench.report import Row


def private_copy(folder: Path, tmp: Path) -> Path:
    """A copy of the cached store ``folder`` under ``tmp`` (the finder adds its table)."""
    target = tmp / "duplicates-store"
    target.mkdir(exist_ok=True)
    for path in folder.glob("*.sqlite3"):
        shutil.copyfile(path, target / path.name)
    return target


async def _measure(folder: Path, runs: int) -> tuple[list[float], int, float, int]:
    from app.desk.duplicates import find_duplicates
    from tests.bench.store_rows import directory_on

    filling = directory_on(folder)
    assert await filling.open()
    started = time.perf_counter()
    await filling.matching()  # the one-time fill of a store older than the table
    fill = time.perf_counter() - started
    filling.close()
    directory = directory_on(folder)
    assert await directory.open()
    times: list[float] = []
    groups = 0
    for _ in range(runs):
        started = time.perf_counter()
        groups = len(await find_duplicates(directory))
        times.append(time.perf_counter() - started)
    count = directory.count
    directory.close()
    return times, groups, fill, count


def measure(folder: Path, runs: int) -> tuple[list[float], int, float, int]:
    """Seconds per run, groups found, seconds of the one-time fill, customers held."""
    return asyncio.run(_measure(folder, runs))


def duplicates_row(customers: int, store_folder: Path, tmp: Path, runs: int = 5) -> Row:
    times, groups, fill, held = measure(private_copy(store_folder, tmp), runs)
    if held != customers:
        raise RuntimeError(f"the stored directory holds {held:,} customers, not {customers:,}")
    middle = statistics.median(times)
    return Row(
        "duplicates",
        f"Duplicate finder, {customers:,} customers",
        middle,
        "s",
        f"median {middle:.2f} s (first, cold {times[0]:.2f} s)",
        "≤ 1 s",
        middle <= 1.0,
        f"find_duplicates over the stored directory (what `D` and `customer-desk "
        f"duplicates` run: the rules' fields read from the store, grouped, the grouped "
        f"profiles read whole), {runs} runs; {groups:,} groups (blocked by email, E.164 "
        "phone, reference id and name + company / birthday / postal); a store older than "
        f"its matching table fills it once, at first use: {fill:.1f} s",
        {"seconds": times, "fill_seconds": fill},
    )


def main() -> None:
    from tests.bench.__main__ import stored_directory

    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="customer-desk-dups-") as name:
        tmp = Path(name)
        _db, folder = stored_directory(args.customers, tmp)
        times, groups, fill, _held = measure(private_copy(folder, tmp), args.runs)
    print(f"{groups} groups; fill {fill:.3f} s; " + ", ".join(f"{t:.3f} s" for t in times))


if __name__ == "__main__":
    main()
