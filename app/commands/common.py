"""What every scripting command shares: its options, a session from the settings, output.

A command prints its answer on stdout (JSON, or CSV when asked) and its messages on
stderr, and exits ``0`` when it did what was asked, ``1`` when it failed (Square said no,
read-only, not found, a row not imported) and ``2`` for bad usage (an unknown option, a
malformed query, an unreadable file, bad settings). The token is never printed: errors
pass through the client's redaction and :func:`app.safe_text.describe_error`.

Nothing here imports Textual: ``customer-desk customers …`` connects the same
:class:`~app.session.Session` as the TUI, without the TUI.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.config import Settings
    from app.desk.journal import Journal
    from app.session import Session

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CommandFailed",
    "Handler",
    "UsageError",
    "add_session_options",
    "connect",
    "emit_json",
    "run_command",
    "say",
    "settings_from",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace, "Session"], Awaitable[int]]
"""A command: given its arguments and a connected session, returns the exit code."""


class CommandFailed(Exception):
    """The command could not do what was asked; the message says why (exit 1)."""


class UsageError(Exception):
    """The command was asked wrongly; the message says how to ask (exit 2)."""


def add_session_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """``--profile``, ``--read-only``, ``--demo``, ``--db``: on the top-level parser with
    ``defaults``, on each command without, so that they may come before or after it."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--profile",
        metavar="NAME",
        default=default(None),
        help="the [profiles.NAME] of config.toml to use (default: $CUSTOMER_DESK_PROFILE)",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=default(False),
        help="send no change at all to Square",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=default(False),
        help="use the local demo even with a token or a profile",
    )
    parser.add_argument(
        "--db",
        default=default(None),
        help="the demo's SQLite file (default: $CUSTOMER_DESK_DEMO_DB, else the user data dir)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        default=default(False),
        help="keep the customer directory in memory only (also CUSTOMER_DESK_CACHE=0)",
    )
    parser.add_argument(
        "--no-journal",
        action="store_true",
        default=default(False),
        help="keep no audit trail on disk for this run (history and undo for this run only)",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings the options ask for (raises ``ConfigError``)."""
    from app.config import Environment, load_settings

    settings = load_settings(profile=getattr(args, "profile", None))
    if getattr(args, "demo", False) or settings.is_local:
        settings = replace(settings, environment=Environment.LOCAL, base_url=None, token=None)
    if getattr(args, "read_only", False) and not settings.read_only:
        settings = replace(settings, read_only=True, read_only_source="--read-only")
    if getattr(args, "no_cache", False):
        settings = replace(settings, cache=False)
    return settings


def connect(args: argparse.Namespace, settings: Settings) -> Session:
    """A session (not yet connected) for ``settings``: the embedded demo or Square."""
    from app.cli import default_demo_db, embedded_factory, remote_factory
    from app.session import Session

    keep = not getattr(args, "no_journal", False)

    def journal() -> Journal:  # made on connecting: the first frame does without it
        from app.desk.journal import Journal, default_journal_path

        return Journal(default_journal_path() if keep else None)

    if settings.is_local:
        db = Path(args.db) if getattr(args, "db", None) else default_demo_db()
        return Session(settings, embedded_factory(db, settings), journal)
    return Session(settings, remote_factory(settings), journal)


def say(message: str) -> None:
    """A message for the person running the command, on stderr, terminal-safe."""
    from app.safe_text import terminal_safe

    print(f"customer-desk: {terminal_safe(message)}", file=sys.stderr)


def emit_json(data: Any) -> None:
    """``data`` as JSON on stdout. On a terminal, non-ASCII is escaped (no bidi override
    or look-alike reaches it raw); into a pipe or file, UTF-8 as it is."""
    import json  # not at the top: the desk's first frame does without it

    text = json.dumps(data, ensure_ascii=sys.stdout.isatty(), indent=2)
    sys.stdout.write(text + "\n")


def run_command(args: argparse.Namespace, handler: Handler) -> int:
    """Connect, run ``handler``, close; every failure becomes a sentence and an exit code."""
    from app.config import ConfigError
    from app.safe_text import describe_error
    from app.session import NotConnected
    from app.square import SquareError

    try:
        settings = settings_from(args)
    except ConfigError as error:
        say(str(error))
        return EXIT_USAGE

    async def main() -> int:
        session = connect(args, settings)
        try:
            await session.connect(lambda _step: None)
            return await handler(args, session)
        finally:
            await session.aclose()

    try:
        return asyncio.run(main())
    except UsageError as error:
        say(str(error))
        return EXIT_USAGE
    except CommandFailed as error:
        say(str(error))
        return EXIT_FAILED
    except (SquareError, NotConnected) as error:
        say(describe_error(error))
        return EXIT_FAILED
    except KeyboardInterrupt:
        say("interrupted.")
        return 130
