"""Serving over HTTP: start_background, its socket, and calls over dropped connections."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx

from app.emulator import DEMO_TOKEN
from app.emulator.faults import Faults
from app.emulator.runner import open_demo_store, start_background

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

    from app.emulator.runner import _bind

    sock = _bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        sock.close()


async def test_dropped_connections_over_uvicorn(tmp_path: Path) -> None:
    """Half the connections are dropped, over a real socket: every call (one attempt each)
    either answers the right value or fails with a typed `NetworkError`; the store agrees
    with every acknowledged write, and retrying a create with its key never duplicates."""
    from app.square import CustomerFields, NetworkError, SquareError, SquareService

    db = tmp_path / "drop.sqlite3"
    open_demo_store(db, customers=10).close()
    running = start_background(db, faults=Faults(drop_rate=0.5, seed=1))
    created: dict[str, str] = {}  # idempotency key -> id
    held: dict[str, tuple[int, str | None]] = {}  # id -> acknowledged (version, note)
    unanswered: dict[str, tuple[int, str]] = {}  # id -> (version sent, note) of a failed update
    outcomes: Counter[str] = Counter()

    def failed(err: SquareError) -> None:
        assert isinstance(err, NetworkError), repr(err)  # a drop is never anything else
        outcomes["failed"] += 1

    try:
        async with SquareService(running.base_url, running.token, max_retries=0) as service:
            for i in range(8):
                key = f"drop-{i}"
                fields = CustomerFields(given_name="Drop", family_name=str(i), reference_id=key)
                for _ in range(30):  # the agent tries again, with the same key
                    try:
                        made = await service.create_customer(fields, idempotency_key=key)
                    except SquareError as err:
                        failed(err)
                        continue
                    outcomes["ok"] += 1
                    assert (made.reference_id, made.family_name) == (key, str(i))
                    assert created.setdefault(key, made.id) == made.id
                    held[made.id] = (made.version, made.note)
                    break
            for cid in list(held):
                for round_ in range(3):
                    version, _ = held[cid]
                    note = f"{cid}-{round_}"
                    try:
                        updated = await service.update_customer(
                            cid, CustomerFields(note=note), version=version
                        )
                    except SquareError as err:
                        failed(err)
                        unanswered[cid] = (version, note)
                        break  # the version we hold may be stale now
                    outcomes["ok"] += 1
                    assert (updated.version, updated.note) == (version + 1, note)
                    held[cid] = (updated.version, updated.note)
                try:
                    fetched = await service.retrieve_customer(cid)
                except SquareError as err:
                    failed(err)
                    continue
                outcomes["ok"] += 1
                assert (fetched.version, fetched.note) == held[cid]  # drops strike before a write
    finally:
        running.stop()
    assert outcomes["ok"] > 10 and outcomes["failed"] > 10, outcomes  # the faults were on
    assert len(created) == 8, created

    calm = start_background(db)
    try:
        async with SquareService(calm.base_url, calm.token, max_retries=0) as service:
            refs = Counter([c.reference_id async for c in service.iter_customers()])
            assert refs.total() == 10 + 8, refs
            for key, cid in created.items():
                assert refs[key] == 1, key  # no duplicate create
                replayed = await service.create_customer(
                    CustomerFields(given_name="Drop", family_name=key[5:], reference_id=key),
                    idempotency_key=key,
                )
                assert replayed.id == cid
                stored = await service.retrieve_customer(cid)
                allowed = {held[cid]}
                if cid in unanswered:
                    allowed.add((unanswered[cid][0] + 1, unanswered[cid][1]))
                assert (stored.version, stored.note) in allowed, (cid, stored)
    finally:
        calm.stop()


def test_emulator_imports_stay_independent() -> None:
    """Every module of app/emulator, imported in a fresh interpreter, brings in nothing of
    the app outside app/emulator and no Textual; the package's __init__ stays light."""
    code = (
        "import importlib, pkgutil, sys, app.emulator;"
        "assert 'starlette' not in sys.modules, 'heavy __init__';"
        "names = sorted(m.name for m in pkgutil.iter_modules(app.emulator.__path__));"
        "[importlib.import_module('app.emulator.' + name) for name in names];"
        "assert {'asgi', 'operations', 'runner', 'seed', 'store'} <= set(names), names;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'screens', 'widgets')"
        " or (m.startswith('app.') and not m.startswith('app.emulator'))];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_command_line_options() -> None:
    from app.emulator.runner import build_parser

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
