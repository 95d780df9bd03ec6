"""`customer-desk duplicates`: JSON groups on stdout, messages on stderr, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SQUARE_", "CUSTOMER_"))}
    clean |= {"CUSTOMER_DESK_CONFIG": str(tmp_path / "none.toml"), **env}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "duplicates", *args],
        capture_output=True,
        text=True,
        env=clean,
        timeout=120,
        check=False,
    )


def test_the_demo_s_families_as_json(demo_db: Path, tmp_path: Path) -> None:
    done = run(tmp_path, "--db", str(demo_db))
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)  # stdout holds the JSON and nothing else
    assert found["customers"] == 300
    groups = found["groups"]
    assert [sorted(c["name"] for c in g["customers"]) for g in groups] == [
        ["Elizabeth Harington", "Elizabeth Harrington", "Liz Harrington"],
        ["Margaret Whitfield", "Margaret Whitfield"],
        ["Daniel Okafor", "Daniel Okafor"],
        ["Rosalind Delgado", "Rosalind Delgato"],
        ["James Kowalski", "Jim Kowalski"],
    ]
    assert [g["strength"] for g in groups] == [100, 100, 90, 60, 50]
    assert groups[1]["rules"] == ["email"] and groups[1]["reason"] == "same email"
    assert "5 groups of likely duplicates among 300 customers" in done.stderr


def test_a_wrong_setting_exits_2(tmp_path: Path) -> None:
    done = run(tmp_path, CUSTOMER_DESK_COUNTRY="USA")
    assert done.returncode == 2 and done.stdout == ""
    assert "two-letter country code" in done.stderr
