"""The `customer-desk` command: the TUI by default, `customer-desk emulator` for the server."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import os
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from app.session import Connection, Connector, Session

if TYPE_CHECKING:
    from app.config import Settings
    from app.directory.place import StorePlace
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


def store_place(settings: Settings | None, demo_db: Path | None = None) -> StorePlace:
    """Where the directory's store lives for these settings (memory when the cache is off)."""
    from app.directory.place import StorePlace, default_folder, scope_for

    folder = default_folder() if settings is None or settings.cache else None
    if demo_db is not None:
        return StorePlace(folder, scope_for("local", demo_db=demo_db))
    assert settings is not None
    return StorePlace(folder, scope_for(settings.environment.value, settings.base_url))


def embedded_factory(db_path: Path, settings: Settings | None = None) -> Connector:
    """Start the emulator on a free loopback port, seeded on first run, and connect to it
    (with the ``settings``' deadline; the session applies their read-only wish).

    The emulator accepts only a token made for this run (every scope), not the published
    demo tokens: another local user cannot reach the demo with a token they can read.
    """

    def start() -> RunningEmulator:
        import secrets

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
            directory=CustomerDirectory(service, place=store_place(settings, db_path)),
            notices=notices,
            on_close=[lambda: asyncio.to_thread(stop, running, forget)],
            seller=f"demo:{db_path.resolve()}",
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
        return Connection(
            service=service,
            directory=CustomerDirectory(service, place=store_place(settings)),
        )

    return connect


def run_tui(args: argparse.Namespace) -> int:
    from app.commands.common import connect, say, settings_from
    from app.config import ConfigError

    try:
        settings = settings_from(args)
    except ConfigError as error:
        say(str(error))
        return 2
    session = connect(args, settings)

    from app.lifecycle import GRACE_SECONDS, arm_fallback
    from app.tui import CustomerDeskApp

    def profile_session(name: str) -> Session:
        """Another profile's session (a palette command): --read-only still holds."""
        chosen = argparse.Namespace(**{**vars(args), "profile": name, "demo": False})
        return connect(chosen, settings_from(chosen))

    from app.config import list_profiles

    app = CustomerDeskApp(session, profile_session=profile_session, profiles=list_profiles)
    app.run(mouse=settings.mouse)
    code = app.return_code or 0
    if app.terminal_guard is not None:  # ran on a terminal: nothing left may keep us alive
        arm_fallback(2 * GRACE_SECONDS, code)
    return code


COMMAND_MODULES = ("app.commands.customers", "app.commands.groups", "app.commands.serve")
"""The modules of the scripting commands; each has ``register(subparsers)``. A new group
of commands (``duplicates``) is one more module here."""


def build_parser() -> argparse.ArgumentParser:
    """The ``customer-desk`` command line: the TUI's options, and the commands."""
    import importlib

    from app.commands.common import add_session_options

    parser = argparse.ArgumentParser(
        prog="customer-desk",
        description="Find, fix and look after Square customers from the terminal. With no "
        "command, the desk itself opens; the commands below are for scripts "
        "(JSON on stdout, messages on stderr; exit 0 ok, 1 failed, 2 bad usage).",
    )
    add_session_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    commands.add_parser(
        "emulator",
        add_help=False,
        help="serve the local Square emulator over HTTP (customer-desk emulator --help)",
    )
    return parser


class _NotTheDesk(Exception):
    """The command line holds more than the desk's own options."""


class _DeskOptionsParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NotTheDesk(message)


def desk_options(argv: Sequence[str]) -> argparse.Namespace | None:
    """The options of a plain ``customer-desk [OPTIONS]`` (the desk itself), parsed as
    :func:`build_parser` would, without loading the command modules: they stay off the
    first frame's path. None when ``argv`` holds anything else (a command, ``--help``, a
    mistake): the whole parser answers those."""
    from app.commands.common import add_session_options

    parser = _DeskOptionsParser(prog="customer-desk", add_help=False)
    add_session_options(parser, defaults=True)
    parser.set_defaults(command=None)
    try:
        return parser.parse_args(argv)
    except _NotTheDesk:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["emulator"]:
        from app.emulator.runner import main as emulator_main

        return emulator_main(argv[1:])
    if argv[:1] == ["duplicates"]:
        from app.cli_duplicates import main as duplicates_main

        return duplicates_main(argv[1:])
    if argv[:1] == ["cache"]:
        return cache_command(argv[1:])
    args = desk_options(argv)
    if args is None:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as leaving:  # --help (0) or bad usage (2): argparse has said why
            code = leaving.code
            return code if isinstance(code, int) else (0 if code is None else 2)
    run = getattr(args, "run", None)
    if run is None:
        return run_tui(args)
    return int(run(args, getattr(args, "handler", None)))


def cache_command(argv: Sequence[str]) -> int:
    """`customer-desk cache clear`: remove every stored customer directory."""
    parser = argparse.ArgumentParser(
        prog="customer-desk cache",
        description="The customer directories kept between runs (one per seller and "
        "environment, in the user data folder).",
    )
    parser.add_argument("action", choices=["clear", "where"])
    args = parser.parse_args(list(argv))
    from app.directory.place import clear, default_folder

    folder = default_folder()
    if args.action == "where":
        print(folder)
        return 0
    removed = clear(folder)
    print(f"removed {len(removed)} file(s) from {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
