"""TerminalGuard and the hard-exit fallback, on a real pty, real signals, real processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pty
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.lifecycle import TerminalGuard, terminal_hung_up

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="POSIX terminals and signals")


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    """A pty pair: (master, slave). Closing the master hangs the slave up."""
    master, slave = pty.openpty()
    yield master, slave
    for fd in (master, slave):
        with contextlib.suppress(OSError):
            os.close(fd)


class Recorder:
    """What the guard asked for: exit codes, and fallbacks armed (never a real exit here)."""

    def __init__(self) -> None:
        self.exits: asyncio.Queue[int] = asyncio.Queue()
        self.fallbacks: list[tuple[float, int]] = []

    def request_exit(self, code: int) -> None:
        self.exits.put_nowait(code)

    def fallback(self, grace: float, code: int) -> None:
        self.fallbacks.append((grace, code))


def test_a_closed_pty_is_seen_as_hung_up(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    assert not terminal_hung_up(slave)
    os.close(master)
    assert terminal_hung_up(slave)


async def test_closing_the_terminal_asks_the_app_to_exit_and_detaches_the_tty(
    terminal: tuple[int, int],
) -> None:
    master, slave = terminal
    seen = Recorder()
    guard = TerminalGuard(seen.request_exit, fds=(slave,), grace=1.5, fallback=seen.fallback)
    guard.install(asyncio.get_running_loop())
    try:
        assert seen.exits.empty()
        os.close(master)
        code = await asyncio.wait_for(seen.exits.get(), timeout=10)
        assert code == 128 + signal.SIGHUP
        assert seen.fallbacks == [(1.5, 129)]
        assert guard.reason == "terminal closed"
        os.write(slave, b"a write to a dead terminal would fail with EIO" * 100)
        assert not os.isatty(slave)  # now /dev/null
    finally:
        guard.uninstall()


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
async def test_a_signal_asks_the_app_to_exit_once(
    terminal: tuple[int, int], signum: signal.Signals
) -> None:
    _master, slave = terminal
    seen = Recorder()
    guard = TerminalGuard(seen.request_exit, fds=(slave,), fallback=seen.fallback)
    guard.install(asyncio.get_running_loop())
    try:
        os.kill(os.getpid(), signum)
        os.kill(os.getpid(), signum)
        code = await asyncio.wait_for(seen.exits.get(), timeout=10)
        await asyncio.sleep(0)
        assert code == 128 + signum and seen.exits.empty()
        assert len(seen.fallbacks) == 1
        assert guard.reason == signum.name
        assert os.isatty(slave)  # the terminal is alive: it is left to the app to restore
    finally:
        guard.uninstall()
    assert signal.getsignal(signum) is signal.SIG_DFL


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_fallback_ends_a_hung_process_after_its_last_words() -> None:
    done = run_python(
        """
        import threading
        from app.lifecycle import arm_fallback, at_hard_exit

        at_hard_exit(lambda: print("database closed", flush=True))
        forgotten = at_hard_exit(lambda: print("forgotten", flush=True))
        forgotten()
        arm_fallback(0.2, 7)
        threading.Event().wait(60)  # a shutdown that hangs
        """
    )
    assert done.returncode == 7
    assert done.stdout.splitlines() == ["database closed"]


def test_a_last_word_that_hangs_does_not_keep_the_process_alive() -> None:
    done = run_python(
        """
        import threading
        from app.lifecycle import arm_fallback, at_hard_exit

        at_hard_exit(lambda: threading.Event().wait(60))
        at_hard_exit(lambda: print("never", flush=True))
        arm_fallback(0.1, 9)
        threading.Event().wait(60)
        """
    )
    assert done.returncode == 9 and "never" not in done.stdout


async def test_a_terminal_that_hung_up_before_the_guard_looked_is_noticed(
    terminal: tuple[int, int],
) -> None:
    master, slave = terminal
    os.close(master)
    assert not os.isatty(slave)
    seen = Recorder()
    guard = TerminalGuard(seen.request_exit, fds=(slave,), fallback=seen.fallback)
    guard.install(asyncio.get_running_loop())
    try:
        assert await asyncio.wait_for(seen.exits.get(), timeout=10) == 129
    finally:
        guard.uninstall()


async def test_a_file_or_dev_null_is_not_a_dead_terminal(tmp_path: Path) -> None:
    seen = Recorder()
    with open(os.devnull, "rb") as null, open(tmp_path / "log", "wb") as log:
        guard = TerminalGuard(
            seen.request_exit, fds=(null.fileno(), log.fileno()), fallback=seen.fallback
        )
        guard.install(asyncio.get_running_loop())
        try:
            await asyncio.sleep(0.3)  # the watcher would have answered at once
            assert seen.exits.empty() and not seen.fallbacks
        finally:
            guard.uninstall()
