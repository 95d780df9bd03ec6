"""`customer-desk duplicates`: the likely duplicate groups of the whole directory, as JSON.

The groups go to stdout (strongest first, each with its rules, strength and profiles);
progress and errors go to stderr. Exit 0 when the directory was read, 1 when Square
failed, 2 for a wrong setting.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def _find(settings: Any, connector: Any) -> dict[str, Any]:
    from app.desk.duplicates import find_duplicates
    from app.session import Session

    session = Session(settings, connector)
    try:
        await session.connect(_say)
        directory = session.directory
        await directory.load()
        groups = await find_duplicates(directory, settings.country)
        return {
            "environment": settings.label,
            "customers": directory.count,
            "groups": [group.to_json() for group in groups],
        }
    finally:
        await session.close()


def main(argv: Sequence[str] | None = None) -> int:
    from app.cli import default_demo_db, embedded_factory, remote_factory
    from app.config import ConfigError, Environment, load_settings
    from app.square import SquareError

    parser = argparse.ArgumentParser(
        prog="customer-desk duplicates",
        description="Print the likely duplicate customers of the whole directory as JSON "
        "groups (same email, phone or reference id; a near-identical name with the same "
        "company, birthday or postal code), strongest first.",
    )
    parser.add_argument("--demo", action="store_true", help="use the local demo even with a token")
    parser.add_argument("--db", help="the demo's SQLite file")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        settings = load_settings()
    except ConfigError as error:
        _say(f"customer-desk duplicates: {error}")
        return 2
    if args.demo or settings.is_local:
        settings = replace(settings, environment=Environment.LOCAL, base_url=None, token=None)
        connector = embedded_factory(Path(args.db) if args.db else default_demo_db(), settings)
    else:
        connector = remote_factory(settings)
    try:
        found = asyncio.run(_find(settings, connector))
    except SquareError as error:
        from app.safe_text import describe_error

        _say(f"customer-desk duplicates: {describe_error(error)}")
        return 1
    json.dump(found, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    groups = len(found["groups"])
    _say(
        f"{groups} group{'s' if groups != 1 else ''} of likely duplicates among "
        f"{found['customers']:,} customers"
    )
    return 0
