"""`make bench`: how fast Customer Desk is, as medians and ratios measured in one run.

    .venv/bin/python -m tests.bench [--quick] [--only GROUP[,GROUP…]] [--json PATH]

Groups: startup, keys, load, limits, directory, store, search, seed (all by default).
Prints a Markdown table (value, goal, met / not met) with footnotes on method, and
writes the same rows as JSON (default ``.bench/results.json``). The 20,000-, 100,000-
and 1,000,000-customer emulator databases (and the directory stores loaded from them)
are seeded once and cached outside the repository (``CUSTOMER_DESK_BENCH_CACHE`` or the user
cache directory), keyed by count, seed and schema. ``--quick`` runs everything at toy
sizes with few repetitions: a smoke run, not the table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.report import Row, machine, median, percentile, render, write_json

GROUPS = (
    "startup",
    "keys",
    "load",
    "limits",
    "directory",
    "store",
    "search",
    "seed",
    "duplicates",
)


@dataclass(frozen=True)
class Plan:
    demo: int = 2_500
    small: int = 2_000
    big: int = 100_000
    load: int = 20_000
    latency_ms: float = 100.0
    startup_runs: int = 7
    load_runs: int = 3
    key_queries: int = 24
    directory_queries: int = 3_000
    search_queries: int = 40
    huge: int = 1_000_000
    limited: int = 100_000
    rates: tuple[float, ...] = (10.0, 20.0)
    burst: int = 20
    probe_queries: int = 600
    warm_runs: int = 3


FULL = Plan()
QUICK = Plan(
    small=500,
    big=3_000,
    load=1_000,
    startup_runs=1,
    load_runs=1,
    key_queries=3,
    directory_queries=300,
    search_queries=8,
    huge=6_000,
    limited=2_000,
    burst=5,
    probe_queries=60,
    warm_runs=1,
)


def log(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def ms(seconds: float) -> float:
    return seconds * 1000


# --- the rows -----------------------------------------------------------------------------


def startup_rows(plan: Plan, tmp: Path) -> list[Row]:
    from tests.bench import startup
    from tests.bench.cache import seeded_db, working_copy

    db = working_copy(seeded_db(plan.demo), tmp)
    log(f"start-up: {plan.startup_runs} rounds of the bare app and customer-desk in a pty")
    result = startup.measure(db, plan.startup_runs)
    moved = sorted(p.name for p in db.parent.glob(db.name + ".old-*"))
    if moved:
        raise RuntimeError(f"customer-desk moved the demo aside and seeded anew: {moved}")
    note = f"{len(result.desk_frame)} runs each" + (
        f"; {result.failures} failed runs left out" if result.failures else ""
    )
    if not result.desk_frame:
        return [
            Row(
                "startup",
                "Start-up to first frame vs bare Textual",
                None,
                "x",
                "no run",
                "≤ 1.5×",
                False,
                note,
            ),
            Row(
                "startup",
                f"Start-up to first rows ({plan.demo:,}-customer demo)",
                None,
                "s",
                "no run",
                note=note,
            ),
        ]
    desk, bare, rows = (
        median(result.desk_frame),
        median(result.bare_frame),
        median(result.desk_rows),
    )
    ratio = desk / bare
    data: dict[str, object] = {
        "desk_frame_s": result.desk_frame,
        "bare_frame_s": result.bare_frame,
        "desk_rows_s": result.desk_rows,
    }
    return [
        Row(
            "startup",
            "Start-up to first frame vs bare Textual",
            ratio,
            "x",
            f"{ratio:.2f}× ({desk:.2f} s vs {bare:.2f} s)",
            "≤ 1.5×",
            ratio <= 1.5,
            note,
            data,
        ),
        Row(
            "startup",
            f"Start-up to first rows ({plan.demo:,}-customer demo)",
            rows,
            "s",
            f"{rows:.2f} s",
            note=note,
        ),
    ]


def keys_row(customers: int, base_url: str, db: Path, queries: int) -> Row:
    import asyncio

    from tests.bench import keystrokes
    from tests.bench.queries import name_queries, sample_customers

    texts = name_queries(sample_customers(db, 2000), queries)
    log(f"keystrokes: {len(texts)} name queries over {customers:,} customers")
    result = asyncio.run(keystrokes.measure(base_url, texts))
    if result.customers != customers:
        raise RuntimeError(f"the app's directory held {result.customers:,}, not {customers:,}")
    p95, p50 = ms(percentile(result.latencies, 0.95)), ms(median(result.latencies))
    table95 = ms(percentile(result.to_table, 0.95))
    by_size = []
    for label, low, high in (("under 10 rows", 0, 10), ("200 rows", 200, 10**9)):
        picked = [t for t, n in zip(result.latencies, result.rows, strict=True) if low <= n < high]
        if picked:
            by_size.append(f"{label} p50 {ms(median(picked)):.0f} ms")
    gc_total = ms(sum(result.gc_pauses))
    return Row(
        "keys",
        f"Keystroke to painted results, {customers:,} customers",
        p95,
        "ms",
        f"p95 {p95:.0f} ms (p50 {p50:.0f} ms)",
        "p95 ≤ 33 ms",
        p95 <= 33,
        f"{len(result.latencies)} keystrokes; answer in the table (search + show) p95 "
        f"{table95:.1f} ms; painted: {', '.join(by_size)}; GC held the app {gc_total:.0f} ms "
        f"in all ({result.full_collections} full collections); "
        f"directory loaded in {result.load_seconds:.1f} s",
        {
            "customers": result.customers,
            "latencies_ms": [round(ms(x), 3) for x in result.latencies],
            "to_table_ms": [round(ms(x), 3) for x in result.to_table],
            "to_echo_ms": [round(ms(x), 3) for x in result.to_echo],
            "rows": result.rows,
            "gc_pause_ms": [round(ms(x), 3) for x in result.gc_pauses],
            "gc_objects": result.gc_objects,
            "full_collections": result.full_collections,
        },
    )


def load_row(plan: Plan, tmp: Path) -> Row:
    from tests.bench import load
    from tests.bench.cache import seeded_db, working_copy
    from tests.bench.served import served

    db = working_copy(seeded_db(plan.load), tmp)
    log(
        f"load: {plan.load:,} customers, {plan.latency_ms:g} ms per request, "
        f"{plan.load_runs} rounds"
    )
    with served(db, latency_ms=plan.latency_ms, customers=plan.load) as url:
        result = load.measure(url, plan.load_runs)
    ours, sdk = median(result.ours), median(result.sdk)
    ratio = sdk / ours
    note = (
        f"{plan.load_runs} runs each; ours held {result.ours_customers:,}, "
        f"the SDK saw {result.sdk_customers:,}"
    )
    complete = result.ours_customers == result.sdk_customers == plan.load
    return Row(
        "load",
        f"Directory load, {plan.load:,} customers at {plan.latency_ms:g} ms/request, vs SDK pager",
        ratio,
        "x",
        f"{ratio:.1f}× ({ours:.1f} s vs {sdk:.1f} s)",
        "≥ 6×",
        ratio >= 6 and complete,
        note if complete else note + " — INCOMPLETE",
        {"ours_s": result.ours, "sdk_s": result.sdk},
    )


def directory_rows(plan: Plan, base_url: str, db: Path) -> list[Row]:
    log(
        f"directory: load {plan.big:,} customers in a fresh interpreter, memory, "
        f"{plan.directory_queries:,} queries"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.directory_rows",
            base_url,
            str(db),
            "--queries",
            str(plan.directory_queries),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    directory_times = [float(x) for x in got["directory_times"]]
    d95, d50 = ms(percentile(directory_times, 0.95)), ms(median(directory_times))
    bare, before, after = float(got["bare_mb"]), float(got["before_mb"]), float(got["after_mb"])
    peak = float(got["peak_mb"])
    customers = int(got["customers"])
    return [
        Row(
            "directory",
            f"CustomerDirectory.search + a screenful, {customers:,} customers",
            d95,
            "ms",
            f"p95 {d95:.2f} ms (p50 {d50:.2f} ms)",
            "p95 ≤ 33 ms",
            d95 <= 33,
            f"{got['queries']:,} queries: parse, route, rank in the store, read 30 rows",
        ),
        Row(
            "directory",
            f"Memory after a cold load of {customers:,} customers (in-memory store)",
            after,
            "MB",
            f"{after:.0f} MB settled, {peak:.0f} MB peak ({before - bare:.0f} MB imports)",
            "peak < 400 MB",
            peak < 400,
            f"resident set of the process; loaded in {float(got['load_seconds']):.1f} s "
            "over loopback",
            {"bare_mb": bare, "before_mb": before, "after_mb": after, "peak_mb": peak},
        ),
    ]


def late_name(db: Path) -> str:
    """The name of a customer created last: a cold load reaches it late."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT doc FROM customers ORDER BY created_at DESC LIMIT 50"
        ).fetchall()
    finally:
        conn.close()
    for (doc,) in rows:
        data = json.loads(doc)
        if data.get("given_name") and data.get("family_name"):
            return f"{data['given_name']} {data['family_name']}"
    raise RuntimeError("no named customer among the newest")


def stored_directory(customers: int, tmp: Path) -> tuple[Path, Path]:
    """The emulator database of ``customers`` and a folder holding the directory store
    loaded from it, both cached (the store is loaded once, over loopback)."""
    from app.directory.schema import SCHEMA_VERSION
    from tests.bench.cache import cache_dir, seeded_db, working_copy
    from tests.bench.served import served

    seeded = seeded_db(customers)
    folder = cache_dir() / f"store-{seeded.path.stem}-v{SCHEMA_VERSION}"
    if not (folder / "filled").exists():
        db = working_copy(seeded, tmp)
        log(f"store: loading {customers:,} customers into a cached directory store (once)")
        shutil.rmtree(folder, ignore_errors=True)
        with served(db, customers=customers) as url:
            subprocess.run(
                [sys.executable, "-m", "tests.bench.store_rows", "fill", url, str(folder)],
                check=True,
                capture_output=True,
            )
        (folder / "filled").write_text("ok")
    return seeded.path, folder


def store_rows(plan: Plan, tmp: Path) -> list[Row]:
    rows: list[Row] = []
    for customers in (plan.big, plan.huge):
        db, folder = stored_directory(customers, tmp)
        name = late_name(db)
        log(f"store: warm start at {customers:,}, looking for {name!r}")
        times = []
        for _ in range(plan.warm_runs):
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-m", "tests.bench.store_rows", "warm", str(folder), name],
                capture_output=True,
                text=True,
                check=True,
            )
            times.append(time.perf_counter() - started)
            got = json.loads(out.stdout.strip().splitlines()[-1])
            if not got["found"]:
                raise RuntimeError(f"the warm store did not answer {name!r}")
        warm = median(times)
        rows.append(
            Row(
                "store",
                f"Warm start → first correct answer for a late customer, {customers:,}",
                warm,
                "s",
                f"{warm:.2f} s",
                "≤ 1 s",
                warm <= 1.0,
                f"spawn of a fresh interpreter to the answer holding {name!r}, read from "
                f"the store kept by an earlier load, no request; {len(times)} runs",
            )
        )
        probes = {}
        for sync in (False, True):
            log(f"store: {plan.probe_queries} searches at {customers:,}, sync={sync}")
            argv = [sys.executable, "-m", "tests.bench.store_rows", "probe", str(folder)]
            argv += ["--queries", str(plan.probe_queries)] + (["--sync"] if sync else [])
            out = subprocess.run(argv, capture_output=True, text=True, check=True)
            probes[sync] = json.loads(out.stdout.strip().splitlines()[-1])
        idle, busy = probes[False], probes[True]
        i95 = ms(percentile(idle["times"], 0.95))
        b95 = ms(percentile(busy["times"], 0.95))
        f95 = ms(percentile(idle["fuzzy_times"], 0.95))
        rows.append(
            Row(
                "store",
                f"Search p95, {customers:,} customers: idle / while syncing",
                b95,
                "ms",
                f"{i95:.1f} ms / {b95:.1f} ms",
                note=f"{len(idle['times'])} mixed queries each, a screenful read; the sync: "
                f"a writer thread rewriting pages of customers ({busy['rewritten']:,} "
                "rewritten meanwhile)",
            )
        )
        rows.append(
            Row(
                "store",
                f"Did-you-mean query p95, {customers:,} customers",
                f95,
                "ms",
                f"{f95:.1f} ms",
                note=f"{len(idle['fuzzy_times'])} names with two letters swapped; "
                f"{idle['suggested']} got a suggestion",
            )
        )
        peak = max(float(idle["peak_mb"]), float(busy["peak_mb"]))
        rows.append(
            Row(
                "store",
                f"Memory, {customers:,} customers in the store (settled / peak)",
                peak,
                "MB",
                f"{float(idle['settled_mb']):.0f} MB / {peak:.0f} MB",
                "peak < 400 MB",
                peak < 400,
                "resident set of the process searching the stored directory",
            )
        )
    return rows


def limits_rows(plan: Plan, tmp: Path) -> list[Row]:
    from tests.bench import limits
    from tests.bench.cache import seeded_db, working_copy
    from tests.bench.served import served

    rows: list[Row] = []
    seeded = seeded_db(plan.limited)
    for rate in plan.rates:
        db = working_copy(seeded, tmp)
        log(f"limits: {plan.limited:,} customers at {plan.latency_ms:g} ms, {rate:g} req/s")
        runs = {}
        for who, load in (("ours", limits.load_ours), ("sdk", limits.load_sdk)):
            with served(
                db,
                latency_ms=plan.latency_ms,
                customers=plan.limited,
                rate_limit=rate,
                burst=plan.burst,
            ) as url:
                runs[who] = load(url)
        floor = limits.floor_seconds(plan.limited, rate, plan.burst)
        ours, sdk = runs["ours"], runs["sdk"]

        def shown(run: limits.LoadRun) -> str:
            if run.seconds is None:
                return f"failed at {run.customers:,} ({run.error})"
            return f"{run.seconds:.1f} s"

        complete = ours.seconds is not None and ours.customers == plan.limited
        rows.append(
            Row(
                "limits",
                f"Cold load, {plan.limited:,} at {plan.latency_ms:g} ms, {rate:g} req/s: "
                "ours / SDK pager / floor",
                ours.seconds,
                "s",
                f"{shown(ours)} / {shown(sdk)} / {floor:.1f} s",
                "completes",
                complete,
                f"ours held {ours.customers:,} in {ours.requests:,} requests "
                f"({ours.limited:,} answered 429); the SDK saw {sdk.customers:,}; floor = "
                f"(pages - burst {plan.burst}) / rate",
            )
        )
    db = working_copy(seeded_db(plan.small), tmp)
    with served(db, customers=plan.small) as url:
        spent, full, changed = limits.deletion(url)
    rows.append(
        Row(
            "limits",
            f"A deletion elsewhere → requests until the directory agrees, {plan.small:,}",
            float(spent),
            "requests",
            f"{spent} requests (a full load: {full:,})",
            "no full reload",
            spent < full and changed == 1,
            "refresh(): the changes since the watermark, Square's count, then counts of "
            "halves of the created_at span down to the window that differs",
        )
    )
    return rows


def search_rows(plan: Plan, base_url: str, db: Path) -> list[Row]:
    from tests.bench import search_api
    from tests.bench.queries import email_fragments, phone_fragments, sample_customers

    people = sample_customers(db, 2000)
    rows = []
    for label, field, values in (
        ("email", "email_address", email_fragments(people, plan.search_queries)),
        ("phone", "phone_number", phone_fragments(people, plan.search_queries)),
    ):
        log(f"SearchCustomers: {len(values)} {label} fuzzy searches over {plan.big:,} customers")
        result = search_api.measure(base_url, field, values)
        p50, p95 = median(result.server), percentile(result.server, 0.95)
        rt = median(result.round_trip)
        rows.append(
            Row(
                "search",
                f"Emulator SearchCustomers, {label} fuzzy, {plan.big:,} customers",
                p50,
                "ms",
                f"p50 {p50:.1f} ms (p95 {p95:.1f} ms)",
                "p50 ≤ 10 ms",
                p50 <= 10,
                f"{len(values)} searches, Server-Timing; loopback round trip p50 {rt:.1f} ms; "
                f"median matches {median(result.matches):,.0f}",
                {"server_ms": result.server, "round_trip_ms": result.round_trip},
            )
        )
    return rows


def seed_row(plan: Plan) -> Row:
    from tests.bench.cache import seeded_db

    db = seeded_db(plan.big)
    when = "measured now" if db.built_now else f"cached, measured {db.built_at}"
    return Row(
        "seed",
        f"Seeding {plan.big:,} customers",
        db.seed_seconds,
        "s",
        f"{db.seed_seconds:.1f} s ({when})",
        "≤ 60 s",
        db.seed_seconds <= 60,
        f"seed_demo into a fresh store, one transaction; built {db.built_at}",
    )


# --- the run ------------------------------------------------------------------------------


def footnotes(plan: Plan) -> list[str]:
    return [
        "Start-up: each program is spawned on a fresh pseudo-terminal (120×40) and its output "
        "read as it comes; the clock starts just before the spawn. *First frame*: the title and "
        "the search bar's placeholder are both on screen (escape sequences stripped). *First "
        f"rows*: the first customer's name is. `customer-desk --demo --db` on a {plan.demo:,}-"
        "customer demo prepared beforehand (the emulator starts on a free port, no seeding); "
        "the baseline is `tests/bench/bare_app.py`, a bare Textual app composing the same widget "
        "classes with no backend. Runs alternate bare / ours after one unmeasured round; medians.",
        "Keystrokes: the real app in `run_test` (120×40), directory fully loaded from an emulator "
        "served over loopback; realistic name queries (a given name and a prefix of a family name, "
        "a family name, a given name; sampled from the data) typed one key at a time. Each key: "
        "from posting the key event to the first screen update after the table holds the answer "
        "for that text and has been measured and drawn, including turning the update into "
        "terminal bytes; the next key waits until the app's search is answered. At "
        f"{plan.huge:,}: the app starts warm on a copy of the stored directory missing the "
        "customers created last (one in 50), so its start-up sync fetches them while the "
        "queries are typed; then the same queries are typed again once the sync has ended.",
        "Load: `CustomerDirectory.load()` against the `squareup` SDK's `customers.list` pager "
        "(100 a page), same emulator served over loopback by `start_background` in another "
        f"process with the fault latency {plan.latency_ms:g} ms on every request; medians, "
        "runs alternated.",
        "Directory: a fresh interpreter loads every customer over loopback into a "
        "`CustomerDirectory` (in-memory store); memory is its resident set, settled and peak. "
        "Queries: every prefix of typed name queries plus 1-3 word prefixes of names, "
        "domains and note words; each reads a screenful.",
        "Limits: a cold load of the emulator served with 100 ms latency and a token-bucket "
        "rate limit, ours (`CustomerDirectory.load()`, paced) and the SDK's pager; the floor "
        "is what the limit alone allows. Deletion: requests `refresh()` took to find one "
        "customer deleted by another client.",
        "Store: the directory store loaded once from the cached emulator database and kept "
        "(like the databases); warm start = a fresh interpreter spawned, opening the store "
        "and answering the name of a customer created last, with no request; searches idle "
        "and while a writer thread rewrites pages as a sync does; did-you-mean on names "
        "with two letters swapped; memory of that process, settled and peak.",
        "SearchCustomers: the emulator's own time per request (its `Server-Timing` header), "
        "bodies as the directory sends them (limit 100, DEFAULT order, count).",
        "Seeding: timed when the cached database is built (`seed_demo`, one transaction); later "
        "runs report that figure with its date.",
    ]


ORDER = (
    "startup",
    "keys",
    "load",
    "limits",
    "directory",
    "store",
    "search",
    "duplicates",
    "seed",
)


def run(plan: Plan, groups: set[str], tmp: Path) -> tuple[list[Row], list[str]]:
    from tests.bench.cache import seeded_db, working_copy
    from tests.bench.served import served

    rows: list[Row] = []
    errors: list[str] = []

    def attempt(group: str, label: str, produce: Callable[[], list[Row]]) -> None:
        started = time.perf_counter()
        try:
            rows.extend(produce())
        except Exception as error:
            traceback.print_exc()
            errors.append(f"{label}: {error}")
            rows.append(Row(group, label, None, "", f"error: {type(error).__name__}", met=False))
        log(f"{label}: {time.perf_counter() - started:.0f} s")

    if "seed" in groups:
        attempt("seed", f"Seeding {plan.big:,} customers", lambda: [seed_row(plan)])
    if "startup" in groups:
        attempt("startup", "Start-up", lambda: startup_rows(plan, tmp))
    if "keys" in groups:

        def small_keys() -> list[Row]:
            db = working_copy(seeded_db(plan.small), tmp)
            with served(db, customers=plan.small) as url:
                return [keys_row(plan.small, url, db, plan.key_queries)]

        attempt("keys", f"Keystrokes, {plan.small:,} customers", small_keys)
    if "load" in groups:
        attempt("load", "Directory load vs SDK", lambda: [load_row(plan, tmp)])
    if "limits" in groups:
        attempt("limits", "Loads under a rate limit", lambda: limits_rows(plan, tmp))
    if "store" in groups:
        attempt("store", "The stored directory", lambda: store_rows(plan, tmp))
    if "duplicates" in groups:
        from tests.bench.bench_duplicates import duplicates_row

        attempt(
            "duplicates",
            "Duplicate finder",
            lambda: [duplicates_row(plan.big, stored_directory(plan.big, tmp)[1], tmp)],
        )
    big_groups = groups & {"keys", "directory", "search"}
    if big_groups:
        db = working_copy(seeded_db(plan.big), tmp)
        log(f"serving {plan.big:,} customers")
        with served(db, customers=plan.big) as url:
            if "keys" in groups:
                attempt(
                    "keys",
                    f"Keystrokes, {plan.big:,} customers",
                    lambda: [keys_row(plan.big, url, db, plan.key_queries)],
                )
            if "directory" in groups:
                attempt("directory", "Index and memory", lambda: directory_rows(plan, url, db))
            if "search" in groups:
                attempt("search", "SearchCustomers", lambda: search_rows(plan, url, db))
    if "keys" in groups:

        def huge_keys() -> list[Row]:
            from tests.bench.stored_keys import stored_keys_row

            db, folder = stored_directory(plan.huge, tmp)
            served_db = working_copy(seeded_db(plan.huge), tmp)
            with served(served_db, customers=plan.huge) as url:
                return [stored_keys_row(plan.huge, url, db, folder, plan.key_queries, tmp)]

        attempt("keys", f"Keystrokes, {plan.huge:,} customers, stored", huge_keys)
    rows.sort(key=lambda row: ORDER.index(row.group))
    return rows, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="toy sizes, few runs: a smoke run")
    parser.add_argument("--only", default=",".join(GROUPS), help="groups: " + ", ".join(GROUPS))
    parser.add_argument("--json", type=Path, default=Path(".bench/results.json"))
    args = parser.parse_args(argv)
    groups = {g.strip() for g in args.only.split(",") if g.strip()}
    unknown = groups - set(GROUPS)
    if unknown:
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}")
    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="customer-desk-bench-") as tmp:
        rows, errors = run(plan, groups, Path(tmp))
    took = time.perf_counter() - started
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    kind = "QUICK smoke run (toy sizes, not the table)" if args.quick else "full run"
    title = f"Speed — {stamp}, {machine()}; {kind} in {took:.0f} s"
    print(render(rows, title=title, footnotes=[f"- {line}" for line in footnotes(plan)]))
    write_json(
        args.json,
        rows,
        {"quick": args.quick, "groups": sorted(groups), "seconds": took, "errors": errors},
    )
    log(f"wrote {args.json}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
