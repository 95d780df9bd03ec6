"""End to end in a real pseudo-terminal: the bytes the desk writes hold none of the attack.

`customer-desk --demo` runs on a demo database holding the hostile customer of issue 8;
the agent finds it, opens it and quits. Every byte written to the terminal is kept: the
hostile sequences (clear screen, window title, clipboard, leaving the alternate screen)
must never appear in it, and their placeholders must.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import FrozenClock
from tests.tui.test_terminal_safety import seed_hostile

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

WAIT = 30.0
"""Seconds to wait for something to be drawn: a correctness bound, far above the usual."""


class Terminal:
    """The desk in a pty of 140×45; everything it writes is kept in `output`."""

    def __init__(self, db: Path, home: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 140, 0, 0))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "LANG": "C.UTF-8",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "--demo", "--db", str(db)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=Path(__file__).parents[2],
            start_new_session=True,
        )
        os.close(slave)
        self.output = bytearray()

    def read_until(self, wanted: bytes, since: int = 0) -> int:
        """Read until `wanted` is written after offset `since`; returns where output ends."""
        deadline = time.monotonic() + WAIT
        while self.output.find(wanted, since) < 0:
            left = deadline - time.monotonic()
            assert left > 0, f"never drawn: {wanted!r}"
            ready, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the other end closed
                    chunk = b""
                assert chunk, f"the desk ended before drawing {wanted!r}"
                self.output += chunk
        return len(self.output)

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> int:
        """Wait for the desk to end, reading what it still writes (a full pty blocks it)."""
        deadline = time.monotonic() + WAIT
        try:
            while self.process.poll() is None and time.monotonic() < deadline:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if ready:
                    try:
                        self.output += os.read(self.master, 65536)
                    except OSError:
                        break
            return self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            os.close(self.master)


def test_the_hostile_customer_never_reaches_the_terminal(tmp_path: Path) -> None:
    from app.emulator.seed import seed_demo
    from app.emulator.store import Store

    db = tmp_path / "demo.sqlite3"
    store = Store(db)
    seed_demo(store, customers=50, seed=7)
    store.close()
    asyncio.run(seed_hostile(db, FrozenClock()))

    terminal = Terminal(db, tmp_path)
    try:
        terminal.read_until(b"directory loaded")
        terminal.send(b"Bold")
        at = terminal.read_until("␛[2J␛[HCLEAR".encode())  # the row, found by its company
        terminal.send(b"\r")  # from the search to the table: the footer offers n again
        at = terminal.read_until(b"New customer", since=at)
        terminal.send(b"\r")  # open
        terminal.read_until("␛]0;PWNED␇␛]52;c;SGVsbG8=␇␛[?1049l".encode(), since=at)  # the note
        terminal.send(b"\x11")  # ctrl+q
    finally:
        code = terminal.close()
    output = bytes(terminal.output)
    assert code == 0, output[-2000:]
    for attack in (b"\x1b[2J\x1b[HCLEAR", b"\x1b]0;PWNED", b"\x1b]52;", b"\x07\x1b[?1049l"):
        assert attack not in output
    assert b"\xe2\x80\xae" not in output  # U+202E, the bidi override in the family name
