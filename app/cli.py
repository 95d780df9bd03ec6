"""The `customer-desk` command: the TUI by default, `customer-desk emulator` for the server."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.session import Connection, Connector

if TYPE_CHECKING:
    from app.config import Settings
    from app.emulator.runner import RunningEmulator


DEMO_DB_ENV = "CUSTOMER_DESK_DEMO_DB"
"""Names the demo's SQLite file instead of the user data dir's (``--db`` wins over it)."""

STOP_TIMEOUT = 1.0
"""How long closing the app waits for the embedded emulator's thread to end."""

LAST_WORDS_STOP_TIMEOUT = 0.2
"""The same, when the app is being cut short (see `app.lifecycle.at_hard_exit`)."""


def app_data_dir() -> Path:
    """The app's own folder in the user data dir (kept 0700)."""
    from platformdirs import user_data_path

    return user_data_path("customer-desk", appauthor=False)


def default_demo_db() -> Path:
    """``$CUSTOMER_DESK_DEMO_DB`` when set, else ``demo.sqlite3`` in the app's data folder."""
    named = os.environ.get(DEMO_DB_ENV, "").strip()
    return Path(named).expanduser() if named else app_data_dir() / "demo.sqlite3"


def prepare_demo_files(db_path: Path) -> None:
    """Make the demo's folder (0700) and database file (0600) before the emulator opens it.

    An existing database (with its ``-wal``/``-shm``/``-journal``) is set to 0600, and the
    app's own data folder to 0700 however it was made; a folder named by ``--db`` or
    ``CUSTOMER_DESK_DEMO_DB`` that already exists is the user's and keeps its mode.
    """
    folder = db_path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            folder.chmod(0o700)  # whatever the umask
    elif _same_path(folder, app_data_dir()):
        _tighten(folder, 0o700)
    # SQLite creates a database with the umask's mode, and its -wal/-shm with the
    # database's: an empty file made 0600 first is a new database to SQLite.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    tighten_demo_files(db_path)


def tighten_demo_files(db_path: Path) -> None:
    """Set the database and its journals to 0600 (a replaced demo is a new file)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        _tighten(db_path.with_name(db_path.name + suffix), 0o600)


def _tighten(path: Path, mode: int) -> None:
    with contextlib.suppress(OSError):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
            return
        if stat.S_IMODE(info.st_mode) != mode:
            path.chmod(mode)


def _same_path(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def embedded_factory(db_path: Path, settings: Settings | None = None) -> Connector:
    """Start the emulator on a free loopback port, seeded on first run, and connect to it
    (with the ``settings``' deadline; the session applies their read-only wish).

    The emulator accepts only a token made for this run (every scope), not the published
    demo tokens: another local user cannot reach the demo with a token they can read.
    """

    def start() -> RunningEmulator:
        from app.emulator.runner import start_background  # uvicorn, faker, sqlite: off the loop

        prepare_demo_files(db_path)
        running = start_background(db_path, token=secrets.token_urlsafe(32))
        tighten_demo_files(db_path)
        # The app may be leaving already (its terminal closed while the demo was seeding):
        # whoever gets there first, the interpreter's exit or the app's close, stops it.
        atexit.register(running.stop, STOP_TIMEOUT)
        return running

    def stop(running: RunningEmulator, forget: Callable[[], None]) -> None:
        atexit.unregister(running.stop)
        running.stop(STOP_TIMEOUT)
        forget()

    async def connect(report: Callable[[str], None]) -> Connection:
        report("starting the local demo…")
        running = await asyncio.to_thread(start)
        from app.lifecycle import at_hard_exit

        # Should the app be cut short (its terminal gone, a hung shutdown), the database
        # is still closed cleanly.
        forget = at_hard_exit(lambda: running.stop(LAST_WORDS_STOP_TIMEOUT))
        from app.config import DEFAULT_DEADLINE
        from app.directory import CustomerDirectory
        from app.square import SquareService

        service = SquareService(
            running.base_url,
            running.token,
            deadline=settings.deadline if settings is not None else DEFAULT_DEADLINE,
        )
        notices = []
        if running.replaced:
            notices.append(
                "The demo directory was made by an older version: it was moved aside and "
                "a fresh demo seeded."
            )
        return Connection(
            service=service,
            directory=CustomerDirectory(service),
            notices=notices,
            on_close=[lambda: asyncio.to_thread(stop, running, forget)],
        )

    return connect


def remote_factory(settings: Settings) -> Connector:
    """Connect to Square (or a custom base URL) with the seller's token."""

    async def connect(report: Callable[[str], None]) -> Connection:
        from app.directory import CustomerDirectory
        from app.square import SquareService

        assert settings.base_url is not None and settings.token is not None
        report(f"connecting to {settings.label}…")
        service = SquareService.from_settings(settings)
        return Connection(service=service, directory=CustomerDirectory(service))

    return connect


def run_tui(args: argparse.Namespace) -> int:
    from app.config import ConfigError, Environment, load_settings

    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"customer-desk: {error}", file=sys.stderr)
        return 2
    if args.demo or settings.is_local:
        settings = replace(settings, environment=Environment.LOCAL, base_url=None, token=None)
        connector = embedded_factory(Path(args.db) if args.db else default_demo_db(), settings)
    else:
        connector = remote_factory(settings)

    from app.lifecycle import GRACE_SECONDS, arm_fallback
    from app.session import Session
    from app.tui import CustomerDeskApp

    app = CustomerDeskApp(Session(settings, connector))
    app.run()
    code = app.return_code or 0
    if app.terminal_guard is not None:  # ran on a terminal: nothing left may keep us alive
        arm_fallback(2 * GRACE_SECONDS, code)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["emulator"]:
        from app.emulator.runner import main as emulator_main

        return emulator_main(argv[1:])
    if argv[:1] == ["duplicates"]:
        from app.cli_duplicates import main as duplicates_main

        return duplicates_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="customer-desk",
        description="Find, fix and look after Square customers from the terminal. "
        "Run `customer-desk emulator --help` for the local Square emulator.",
    )
    parser.add_argument("--demo", action="store_true", help="use the local demo even with a token")
    parser.add_argument(
        "--db",
        help=f"the demo's SQLite file (default: ${DEMO_DB_ENV}, else in the user data dir)",
    )
    return run_tui(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
