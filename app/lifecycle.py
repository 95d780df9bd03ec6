"""Leaving when the terminal goes away: SIGHUP/SIGTERM, a hung-up tty, and a hard fallback.

A terminal that closes does not always signal the app. Under ``make run`` the session
leader is ``make``: the kernel sends SIGHUP to it alone, ``make`` then waits for its
child, and the app's reads from the hung-up tty return end-of-file at once, forever —
Textual's input thread spins at full CPU with the emulator and its database open.

:class:`TerminalGuard` watches for all of it and asks the app to exit:

* SIGHUP and SIGTERM (as asyncio signal handlers on the app's loop);
* a hung-up terminal: a thread ``poll()``\\ s the terminal's descriptors for
  ``POLLHUP``/``POLLERR`` only (it reads nothing, so it never steals a key);

and, once leaving, points the dead terminal's descriptors at ``/dev/null`` (writes to a
hung-up tty fail with EIO, which would stop Textual's writer thread and then block the
app on its full queue), and arms a daemon timer that ends the process with ``os._exit``
should the clean shutdown not finish within the grace period — after giving the
``at_hard_exit`` callbacks (closing the emulator's database) a moment to run.

Textual-free: the app hands in a ``request_exit(return_code)`` callable.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import stat
import threading
from collections.abc import Callable, Sequence

__all__ = [
    "GRACE_SECONDS",
    "TerminalGuard",
    "arm_fallback",
    "at_hard_exit",
    "terminal_hung_up",
]

GRACE_SECONDS = 1.5
"""How long a clean shutdown may take once the terminal is gone (the goal is 2 s in all)."""

_DEAD = select.POLLHUP | select.POLLERR | select.POLLNVAL
_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


def terminal_hung_up(fd: int) -> bool:
    """Whether the terminal on `fd` is gone (hung up, closed, or no longer a terminal)."""
    poller = select.poll()
    try:
        poller.register(fd, 0)  # no events asked for: hang-ups and errors are always reported
        events = poller.poll(0)
    except (OSError, ValueError):
        return True
    return any(mask & _DEAD for _fd, mask in events)


LAST_WORDS_SECONDS = 0.4
"""How long the fallback lets the last-words callbacks run before it ends the process."""

_last_words: list[Callable[[], None]] = []
_last_words_lock = threading.Lock()


def at_hard_exit(callback: Callable[[], None]) -> Callable[[], None]:
    """Run `callback` (from another thread, briefly) before the fallback ends the process.

    For what must not be cut off mid-way, such as closing the emulator's database.
    Returns a function that takes the callback back off the list.
    """
    with _last_words_lock:
        _last_words.append(callback)

    def forget() -> None:
        with _last_words_lock, contextlib.suppress(ValueError):
            _last_words.remove(callback)

    return forget


def _say_last_words(budget: float) -> None:
    with _last_words_lock:
        callbacks = list(_last_words)

    def run_all() -> None:
        for callback in callbacks:
            with contextlib.suppress(Exception):
                callback()

    speaker = threading.Thread(target=run_all, name="customer-desk-last-words", daemon=True)
    speaker.start()
    speaker.join(budget)


def arm_fallback(grace: float, code: int) -> threading.Thread:
    """End the process with `code` after `grace` seconds unless it has ended by then,
    after the `at_hard_exit` callbacks have had `LAST_WORDS_SECONDS` to run.

    A daemon thread: it neither keeps the process alive nor waits for anything.
    """

    def wait_then_exit() -> None:
        threading.Event().wait(grace)
        _say_last_words(LAST_WORDS_SECONDS)
        os._exit(code)

    timer = threading.Thread(target=wait_then_exit, name="customer-desk-exit-fallback")
    timer.daemon = True
    timer.start()
    return timer


class TerminalGuard:
    """Asks the app to exit when a signal says so or its terminal hangs up."""

    def __init__(
        self,
        request_exit: Callable[[int], None],
        *,
        fds: Sequence[int] = (0, 1, 2),
        grace: float = GRACE_SECONDS,
        fallback: Callable[[float, int], object] = arm_fallback,
    ) -> None:
        """`fallback(grace, code)` is armed on leaving; tests pass one that does not exit."""
        self._request_exit = request_exit
        self._fallback = fallback
        self._fds = tuple(fds)
        self._grace = grace
        self._loop: asyncio.AbstractEventLoop | None = None
        self._leaving = threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._signals: list[int] = []
        self._ttys: list[int] = []
        self._quiet_input: tuple[int, int] | None = None
        self.reason: str | None = None
        """Why the app was asked to leave (``None`` while it was not)."""

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        """Handle SIGHUP/SIGTERM on `loop` (the main thread's) and watch the terminal."""
        self._loop = loop
        for signum in _SIGNALS:
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.add_signal_handler(signum, self._on_signal, signum)
                self._signals.append(signum)
        self._ttys = [fd for fd in self._fds if _isatty(fd) or _dead_terminal(fd)]
        if 0 in self._ttys:
            with contextlib.suppress(OSError):
                self._quiet_input = os.pipe()  # both ends stay open: never readable, never EOF
        if self._ttys:
            self._watcher = threading.Thread(
                target=self._watch, args=(self._ttys,), name="customer-desk-terminal-watch"
            )
            self._watcher.daemon = True
            self._watcher.start()

    def uninstall(self) -> None:
        """Stop watching and give the signals back to their defaults."""
        self._stopped.set()
        if self._loop is not None:
            for signum in self._signals:
                with contextlib.suppress(ValueError, RuntimeError):
                    self._loop.remove_signal_handler(signum)
        self._signals.clear()
        if self._quiet_input is not None and not self._leaving.is_set():
            for fd in self._quiet_input:  # unused: standard input is still the terminal
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._quiet_input = None

    # -- the triggers ---------------------------------------------------------------

    def _on_signal(self, signum: int) -> None:
        name = signal.Signals(signum).name
        terminal_gone = signum == signal.SIGHUP and any(terminal_hung_up(fd) for fd in self._ttys)
        self.leave(name, code=128 + signum, terminal_gone=terminal_gone)

    def _watch(self, fds: list[int]) -> None:
        poller = select.poll()
        for fd in fds:
            poller.register(fd, 0)
        while not self._stopped.is_set():
            try:
                events = poller.poll(250)
            except InterruptedError:
                continue
            except OSError:
                events = [(fds[0], select.POLLERR)]
            if any(mask & _DEAD for _fd, mask in events):
                self.leave("terminal closed", code=128 + signal.SIGHUP, terminal_gone=True)
                return

    # -- leaving ------------------------------------------------------------------------

    def leave(self, reason: str, *, code: int, terminal_gone: bool) -> None:
        """Ask the app to exit with `code` (once) and arm the fallback; thread-safe."""
        with self._lock:
            if self._leaving.is_set():
                return
            self._leaving.set()
            self.reason = reason
        if terminal_gone:
            _silence(self._ttys, self._quiet_input[0] if self._quiet_input else None)
        self._fallback(self._grace, code)
        loop = self._loop
        if loop is None or loop.is_closed():
            os._exit(code)
        with contextlib.suppress(RuntimeError):  # a closed loop: the fallback ends the process
            loop.call_soon_threadsafe(self._request_exit, code)


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def _dead_terminal(fd: int) -> bool:
    """A terminal that hung up before we looked (no longer a tty to `isatty`)."""
    try:
        is_char_device = stat.S_ISCHR(os.fstat(fd).st_mode)
    except OSError:
        return False
    return is_char_device and terminal_hung_up(fd)


def _silence(fds: Sequence[int], quiet_input: int | None) -> None:
    """Detach the dead terminal's descriptors: writes go to /dev/null, and standard input
    becomes `quiet_input`, a pipe that never has anything to read (at end-of-file,
    Textual's input thread would spin and starve the shutdown of the GIL)."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    try:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.dup2(quiet_input if fd == 0 and quiet_input is not None else null, fd)
    finally:
        os.close(null)
