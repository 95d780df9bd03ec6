"""Safer defaults of `customer-desk emulator` (issue 8, point 7): a non-loopback host needs
an explicit token and warns; the files the emulator creates are private to the user."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.emulator import DEMO_READONLY_TOKEN, DEMO_TOKEN
from app.emulator.runner import is_loopback, main, open_demo_store
from app.emulator.store import Store

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-token-for-this-test-only"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "", "example.org"])
def test_a_non_loopback_host_without_a_token_exits_2(
    host: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "never.sqlite3"
    assert main(["--host", host, "--port", "0", "--db", str(db)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "--token" in err
    assert err.rstrip().endswith(".")
    assert not db.exists()  # refused before anything was opened or bound


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ("short", "at least 16"),
        ("has a space in the middle of it", "without spaces"),
        ("tab\tinside-a-long-token-value", "without spaces"),
        (DEMO_TOKEN, "published"),
        (DEMO_READONLY_TOKEN, "published"),
    ],
)
def test_a_weak_token_is_refused_without_echoing_it(
    token: str, why: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--host", "0.0.0.0", "--token", token, "--db", str(tmp_path / "x.sqlite3")])
    assert code == 2
    out, err = capsys.readouterr()
    assert why in err and err.count("\n") == 1
    assert token not in out + err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("LOCALHOST", True), ("0.0.0.0", False), ("::", False),
     ("10.0.0.1", False), ("", False), ("myhost", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.fixture
def served_on_all_interfaces(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """`python -m app.emulator.runner --host 0.0.0.0 --token …`: (url, stdout line, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.emulator.runner", "--host", "0.0.0.0", "--port", "0",
         "--token", SECRET, "--db", str(tmp_path / "open.sqlite3"), "--customers", "5"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    try:
        first = proc.stdout.readline()
        match = re.search(r":(\d+)", first)
        assert match, first
        yield f"http://127.0.0.1:{match.group(1)}", first, proc.stderr.readline()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        assert SECRET not in out + err  # never printed, not even on the way out


def test_a_non_loopback_host_with_a_token_warns_and_accepts_only_that_token(
    served_on_all_interfaces: tuple[str, str, str],
) -> None:
    url, first, warning = served_on_all_interfaces
    assert "0.0.0.0" in first
    assert "warning" in warning and "0.0.0.0" in warning and SECRET not in warning
    with httpx.Client(base_url=url, timeout=10) as client:
        ok = client.get("/v2/customers", headers={"Authorization": f"Bearer {SECRET}"})
        assert ok.status_code == 200 and len(ok.json()["customers"]) == 5
        for published in (DEMO_TOKEN, DEMO_READONLY_TOKEN):
            refused = client.get("/v2/customers", headers={"Authorization": f"Bearer {published}"})
            assert refused.status_code == 401
            assert refused.json()["errors"][0]["code"] == "UNAUTHORIZED"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """umask 000: what the emulator creates is private by its own doing, not the umask's."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_database_and_its_folders_are_private(tmp_path: Path, open_umask: None) -> None:
    db = tmp_path / "data" / "customer-desk" / "demo.sqlite3"
    store = open_demo_store(db, customers=3)
    try:
        store.put_group({"id": "G1", "name": "n", "created_at": "x", "updated_at": "x"})
        for folder in (db.parent, db.parent.parent):
            assert _mode(folder) == 0o700, folder
        files = [db, *(db.with_name(db.name + s) for s in ("-wal", "-shm"))]
        assert all(f.exists() for f in files)
        for f in files:
            assert _mode(f) == 0o600, f
    finally:
        store.close()
    assert _mode(db) == 0o600  # still private after the WAL is checkpointed away


def test_an_existing_folder_and_file_keep_their_modes(tmp_path: Path, open_umask: None) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    Store(folder / "db.sqlite3").close()
    assert _mode(folder) == 0o755  # not ours to change
    os.chmod(folder / "db.sqlite3", 0o640)
    Store(folder / "db.sqlite3").close()
    assert _mode(folder / "db.sqlite3") == 0o640
