"""Serving over HTTP: start_background, `python -m app.emulator.serve`, dropped connections."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx

from app.emulator import DEMO_TOKEN
from app.emulator.faults import Faults
from app.emulator.serve import open_demo_store, start_background

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}


def test_open_demo_store_seeds_once(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    store = open_demo_store(path, customers=40, seed=3)
    assert store.customer_count() == 40
    store.close()
    again = open_demo_store(path, customers=99)
    assert again.customer_count() == 40
    again.close()


def test_start_background_serves_over_loopback(tmp_path: Path) -> None:
    running = start_background(tmp_path / "bg.sqlite3")
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", running.base_url)
        assert running.token == DEMO_TOKEN
        with httpx.Client(base_url=running.base_url, headers=AUTH) as client:
            body = client.get("/v2/customers", params={"limit": 5, "count": "true"}).json()
            assert body["count"] == 2500 and len(body["customers"]) == 5
    finally:
        running.stop()


def test_the_listening_socket_turns_nagle_off() -> None:
    """asyncio sets TCP_NODELAY only on IPPROTO_TCP sockets; without it every answer on a
    kept-alive connection waits ~40 ms for the client's delayed ACK."""
    import socket

    from app.emulator.serve import _bind

    sock = _bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        sock.close()


def test_dropped_connections_over_uvicorn(tmp_path: Path) -> None:
    open_demo_store(tmp_path / "drop.sqlite3", customers=10).close()
    running = start_background(tmp_path / "drop.sqlite3", faults=Faults(drop_rate=0.5, seed=1))
    try:
        outcomes = []
        with httpx.Client(base_url=running.base_url, headers=AUTH, timeout=5) as client:
            for _ in range(12):
                try:
                    outcomes.append(client.get("/v2/customers").status_code)
                except httpx.TransportError:
                    outcomes.append(0)
        assert 0 in outcomes and 200 in outcomes  # some dropped, and the server lives on
        assert set(outcomes) <= {0, 200}
    finally:
        running.stop()


def test_emulator_imports_stay_independent() -> None:
    code = (
        "import sys, app.emulator; assert 'starlette' not in sys.modules, 'heavy __init__';"
        "import app.emulator.serve, app.emulator.server, app.emulator.seed;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'screens', 'widgets')"
        " or m in ('app.models', 'app.service', 'app.directory', 'app.tui')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_command_line_options() -> None:
    from app.emulator.serve import build_parser

    args = build_parser().parse_args(
        ["--host", "0.0.0.0", "--port", "9000", "--db", "x.db", "--seed", "3",
         "--customers", "100", "--error-rate", "0.2", "--lag-seconds", "5",
         "--rate-limit", "25", "--burst", "4", "--lost-answer-rate", "0.1"]
    )  # fmt: skip
    assert (args.host, args.port, str(args.db), args.seed, args.customers) == (
        "0.0.0.0",
        9000,
        "x.db",
        3,
        100,
    )
    assert Faults.from_arguments(args) == Faults(
        error_rate=0.2, lag_seconds=5.0, rate_limit=25.0, burst=4, lost_answer_rate=0.1
    )
