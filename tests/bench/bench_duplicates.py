"""Duplicates bench: `group_duplicates` over the whole seeded directory (100,000 customers).

    .venv/bin/python -m tests.bench.bench_duplicates [--customers 100000] [--runs 5]

The customers are read from the cached seeded database as the directory holds them
(`Customer` models) before the clock starts; each run groups all of them, cold caches
for the first (the phone and name keys are cached across runs).
"""

from __future__ import annotations

import argparse
import statistics
import time

from tests.bench.report import Row


def load_customers(customers: int) -> list:  # type: ignore[type-arg]
    from app.emulator.store import Store
    from app.square.models import Customer
    from tests.bench.cache import seeded_db

    db = seeded_db(customers)
    store = Store(db.path)
    try:
        ids = [row[0] for row in store.conn.execute("SELECT id FROM customers")]
        return [Customer.model_validate(store.get_customer(cid)) for cid in ids]
    finally:
        store.close()


def measure(customers: int, runs: int) -> tuple[list[float], int]:
    from app.desk.duplicates import group_duplicates

    people = load_customers(customers)
    times: list[float] = []
    groups = 0
    for _ in range(runs):
        started = time.perf_counter()
        groups = len(group_duplicates(people))
        times.append(time.perf_counter() - started)
    return times, groups


def duplicates_row(customers: int, runs: int = 5) -> Row:
    times, groups = measure(customers, runs)
    middle = statistics.median(times)
    return Row(
        "duplicates",
        f"Duplicate finder, {customers:,} customers",
        middle,
        "s",
        f"median {middle:.2f} s (first, cold {times[0]:.2f} s)",
        "≤ 1 s",
        middle <= 1.0,
        f"group_duplicates over the whole directory, {runs} runs; {groups:,} groups "
        "(blocked by email, E.164 phone, reference id and name + company / birthday / postal)",
        {"seconds": times},
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times, groups = measure(args.customers, args.runs)
    print(f"{groups} groups; " + ", ".join(f"{t:.3f} s" for t in times))


if __name__ == "__main__":
    main()
