"""Start-up as a user sees it: a real process in a real (pseudo-)terminal.

Each run spawns the program on the slave side of a fresh pty (120×40, xterm-256color)
and reads everything it writes to the terminal. The clock starts just before the process
is spawned; the *first painted frame* is the moment the bytes written so far, with escape
sequences stripped, hold both the title and the search bar's placeholder (the whole first
screen is written in one update); the *first rows* are the moment the name of the first
customer in Square's DEFAULT order appears. The program is then asked to quit (ctrl+q)
and, failing that, killed.

Both programs run as an installed program does, from cached bytecode: the children may
write ``__pycache__`` (``PYTHONDONTWRITEBYTECODE`` is dropped for them), and the first,
unmeasured round compiles what Textual's installed files already hold compiled.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

COLUMNS, LINES = 120, 40
ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)")
FRAME_MARKERS = (b"Customer Desk", b"name, email, phone")


@dataclass(frozen=True)
class Seen:
    """Seconds from spawn to each marker (None: never seen before the timeout)."""

    frame: float | None
    rows: float | None


def _visible(raw: bytes) -> bytes:
    return ESCAPES.sub(b"", raw).replace(b"\r", b"").replace(b"\n", b"")


def run_once(
    argv: Sequence[str],
    *,
    rows_marker: bytes | None = None,
    timeout: float = 30.0,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Seen:
    """Spawn `argv` in a pty; time its first frame (and first rows, when a marker is given)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    child_env = {
        k: v
        for k, v in (env or os.environ).items()
        if not k.startswith("SQUARE_") and k not in ("COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE")
    }
    child_env.update(TERM="xterm-256color", COLORTERM="truecolor")
    started = time.perf_counter()
    child = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=child_env,
        cwd=cwd,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    frame: float | None = None
    rows: float | None = None
    screen = b""
    tail = b""
    deadline = started + timeout
    try:
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if child.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                break
            now = time.perf_counter()
            if not chunk:
                break
            # Escape sequences may straddle reads: strip them from a rolling window.
            tail += chunk
            cut = tail.rfind(b"\x1b")
            if cut == -1 or len(tail) - cut > 64:
                cut = len(tail)
            screen += _visible(tail[:cut])
            tail = tail[cut:]
            if frame is None and all(marker in screen for marker in FRAME_MARKERS):
                frame = now - started
            if rows_marker is not None and rows is None and rows_marker in screen:
                rows = now - started
            if frame is not None and (rows_marker is None or rows is not None):
                break
    finally:
        _stop(child, master)
    return Seen(frame, rows)


def _stop(child: subprocess.Popen[bytes], master: int) -> None:
    with contextlib.suppress(OSError):
        os.write(master, b"\x11")  # ctrl+q
    end = time.perf_counter() + 5
    while child.poll() is None and time.perf_counter() < end:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                if not os.read(master, 1 << 16):
                    break
            except OSError:
                break
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    os.close(master)


def bare_argv() -> list[str]:
    return [sys.executable, str(Path(__file__).with_name("bare_app.py"))]


def desk_argv(db: Path) -> list[str]:
    script = Path(sys.executable).with_name("customer-desk")
    if script.exists():
        return [str(script), "--demo", "--db", str(db)]
    return [sys.executable, "-m", "app.cli", "--demo", "--db", str(db)]


def first_customer_marker(db: Path) -> bytes:
    """The start of the first name in the table: Square's DEFAULT order, page one."""
    import asyncio

    import httpx

    from app.emulator import DEMO_TOKEN
    from app.emulator.asgi import create_app
    from app.emulator.store import Store
    from app.square import SquareService

    async def first() -> str:
        store = Store(db)
        try:
            transport = httpx.ASGITransport(app=create_app(store))
            async with SquareService("http://bench.test", DEMO_TOKEN, transport=transport) as svc:
                page = await svc.search_customers(
                    {"sort": {"field": "DEFAULT", "order": "ASC"}}, limit=1
                )
                return page.customers[0].display_name
        finally:
            store.close()

    return asyncio.run(first())[:20].encode()


@dataclass(frozen=True)
class StartupResult:
    desk_frame: list[float]
    bare_frame: list[float]
    desk_rows: list[float]
    failures: int


def measure(db: Path, runs: int) -> StartupResult:
    """`runs` rounds, each a run of the bare app then one of Customer Desk (interleaved).

    A first, unmeasured round warms the OS file cache for both and writes the bytecode
    of both (see the module's docstring)."""
    marker = first_customer_marker(db)
    desk, bare, rows = [], [], []
    failures = 0
    for round_ in range(runs + 1):
        b = run_once(bare_argv())
        d = run_once(desk_argv(db), rows_marker=marker)
        if round_ == 0:
            continue
        if b.frame is None or d.frame is None or d.rows is None:
            failures += 1
            continue
        bare.append(b.frame)
        desk.append(d.frame)
        rows.append(d.rows)
    return StartupResult(desk, bare, rows, failures)
