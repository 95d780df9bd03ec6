"""The `customer-desk` command: the TUI by default, `customer-desk emulator` for the server."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.backend import Backend, BackendFactory

if TYPE_CHECKING:
    from app.config import Settings
    from app.emulator.serve import RunningEmulator


def default_demo_db() -> Path:
    from platformdirs import user_data_path

    return user_data_path("customer-desk", appauthor=False) / "demo.sqlite3"


def embedded_factory(db_path: Path, settings: Settings | None = None) -> BackendFactory:
    """Start the emulator on a free loopback port, seeded on first run, and connect to it
    (read-only when ``settings`` ask for it)."""

    def start() -> RunningEmulator:
        from app.emulator.serve import start_background  # uvicorn, faker, sqlite: off the loop

        db_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return start_background(db_path)

    async def connect(report: Callable[[str], None]) -> Backend:
        report("starting the local demo…")
        running = await asyncio.to_thread(start)
        from app.config import Environment
        from app.directory import CustomerDirectory
        from app.service import SquareService

        service = SquareService(running.base_url, running.token)
        if settings is not None and settings.read_only:
            service.access.want_read_only(settings.read_only_reason)
        notices = []
        if running.replaced:
            notices.append(
                "The demo directory was made by an older version: it was moved aside and "
                "a fresh demo seeded."
            )
        return Backend(
            service=service,
            directory=CustomerDirectory(service),
            environment=Environment.LOCAL,
            notices=notices,
            on_close=[lambda: asyncio.to_thread(running.stop)],
        )

    return connect


def remote_factory(settings: Settings) -> BackendFactory:
    """Connect to Square (or a custom base URL) with the seller's token."""

    async def connect(report: Callable[[str], None]) -> Backend:
        from app.directory import CustomerDirectory
        from app.service import SquareService

        assert settings.base_url is not None and settings.token is not None
        report(f"connecting to {settings.label}…")
        service = SquareService.from_settings(settings)
        return Backend(
            service=service,
            directory=CustomerDirectory(service),
            environment=settings.environment,
        )

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
        factory = embedded_factory(Path(args.db) if args.db else default_demo_db(), settings)
    else:
        factory = remote_factory(settings)

    from app.tui import CustomerDeskApp

    CustomerDeskApp(factory, settings).run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["emulator"]:
        from app.emulator.serve import main as emulator_main

        return emulator_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="customer-desk",
        description="Find, fix and look after Square customers from the terminal. "
        "Run `customer-desk emulator --help` for the local Square emulator.",
    )
    parser.add_argument("--demo", action="store_true", help="use the local demo even with a token")
    parser.add_argument("--db", help="the demo's SQLite file (default: in the user data dir)")
    return run_tui(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
