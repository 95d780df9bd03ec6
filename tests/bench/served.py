"""The emulator served over loopback from a child process, for the benchmarks.

    .venv/bin/python -m tests.bench.served DB [--latency-ms N]

The child calls ``app.emulator.runner.start_background`` (uvicorn on a free port), prints
its base URL and how many customers it holds on one line, and serves until its stdin
closes. A child of its own keeps
the emulator's CPU and memory out of the process being measured, as a real Square would
be: on two cores the client and the server then run side by side.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def served(
    db: Path,
    *,
    latency_ms: float = 0.0,
    customers: int | None = None,
    rate_limit: float = 0.0,
    burst: int = 20,
) -> Iterator[str]:
    """Serve `db` in a child process; yields the base URL (the token is DEMO_TOKEN).

    With `customers`, the emulator must hold exactly that many (it would otherwise have
    seeded a fresh demo, e.g. over a database of an older schema version)."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.bench.served",
            str(db),
            "--latency-ms",
            str(latency_ms),
            "--rate-limit",
            str(rate_limit),
            "--burst",
            str(burst),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().split()
        if len(line) != 2 or not line[0].startswith("http"):
            raise RuntimeError(f"the emulator did not start: {line!r}")
        url, held = line[0], int(line[1])
        if customers is not None and held != customers:
            raise RuntimeError(
                f"the emulator on {db.name} holds {held:,} customers, not {customers:,}"
            )
        yield url
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="serve a bench database until stdin closes")
    parser.add_argument("db", type=Path)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--rate-limit", type=float, default=0.0)
    parser.add_argument("--burst", type=int, default=20)
    args = parser.parse_args(argv)

    from app.emulator.faults import Faults
    from app.emulator.runner import start_background

    faults = (
        Faults(latency_ms=args.latency_ms, rate_limit=args.rate_limit, burst=args.burst)
        if args.latency_ms or args.rate_limit
        else None
    )
    running = start_background(args.db, faults=faults)
    print(running.base_url, running.store.customer_count(), flush=True)
    sys.stdin.read()
    running.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
