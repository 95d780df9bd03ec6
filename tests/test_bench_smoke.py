"""The bench scripts run (`make bench` itself is not a test): a quick run of cheap rows,
checking the shape of what it prints and writes — never a timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_bench_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    env = {**os.environ, "CUSTOMER_DESK_BENCH_CACHE": str(tmp_path / "cache")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench",
            "--quick",
            "--only",
            "search,seed",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "| row | value | goal | |" in done.stdout
    results = json.loads(out.read_text())
    assert results["quick"] is True
    assert results["errors"] == []
    rows = results["rows"]
    assert [row["group"] for row in rows] == ["search", "search", "seed"]
    for row in rows:
        assert isinstance(row["value"], float)
        assert row["goal"].startswith(("p50 ≤", "≤"))
        assert row["met"] in (True, False)
        assert row["name"] in done.stdout
    assert "measured now" in rows[-1]["shown"]  # a fresh cache: the seeding was timed


def test_percentile_is_a_measured_value() -> None:
    from tests.bench.report import percentile

    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([3.0], 0.95) == 3.0
