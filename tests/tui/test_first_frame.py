"""The first frame's path stays light: what `customer-desk --demo` loads before it paints.

In a fresh interpreter, the desk starts as `customer-desk --demo` does (its options, the
settings, the run's session) and shows its first screen, with a connector that never
finishes: every module loaded by then is one the first frame waits for. The heavy ones
(the client's HTTP and models, the emulator and its server, the directory, the
workflows, the command modules, the palette's provider, Textual's `TextArea`) must not
be among them; they load while the agent already reads the screen. Speed itself is
`make bench`'s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEAVY = (
    # third-party: the client's HTTP, models, the emulator's server, its fake data
    "httpx",
    "httpcore",
    "pydantic",
    "pydantic_core",
    "uvicorn",
    "starlette",
    "faker",
    "rapidfuzz",
    "phonenumbers",
    "sqlite3",
    # the desk's own layers behind the session
    "app.emulator",
    "app.directory",
    "app.square",  # the settings need its redaction only for an error message
    "app.desk",
    # what a plain `customer-desk` run never asks for
    "app.commands.customers",
    "app.commands.groups",
    "app.commands.serve",
    # the palette's provider: loaded when the palette opens
    "app.palette",
    # editors of other screens
    "textual.widgets._text_area",
    "textual.document",
    "tree_sitter",
)

SCRIPT = """
import asyncio, json, sys

from app.cli import desk_options
from app.commands.common import connect, settings_from

args = desk_options(["--demo", "--db", sys.argv[1]])
assert args is not None
settings = settings_from(args)
connect(args, settings)  # the run's session as run_tui makes it (not connected yet)

from app.session import Session
from app.tui import CustomerDeskApp


async def never(report):
    report("starting the local demo…")
    await asyncio.Event().wait()


async def first_frame():
    app = CustomerDeskApp(Session(settings, never))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        search = app.screen.query_one("#search")
        status = app.screen.query_one("#status")
        shown = [type(app.screen).__name__, search.placeholder, str(status.render())]
        loaded = sorted(sys.modules)
        app.exit()
    return shown, loaded


print(json.dumps(asyncio.run(first_frame())))
"""


def test_the_first_frame_loads_nothing_heavy(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SQUARE_", "CUSTOMER_DESK_"))}
    env.update(
        CUSTOMER_DESK_CONFIG=str(tmp_path / "config.toml"),
        CUSTOMER_DESK_JOURNAL=str(tmp_path / "journal.jsonl"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "demo.sqlite3")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (screen, placeholder, status), loaded = json.loads(done.stdout.splitlines()[-1])
    assert screen == "SearchScreen"
    assert placeholder.startswith("name, email, phone")
    assert "starting the local demo" in status
    heavy = [m for m in loaded if m in HEAVY or m.startswith(tuple(f"{h}." for h in HEAVY))]
    assert not heavy, heavy
    assert not (tmp_path / "demo.sqlite3").exists()  # nothing started, nothing written
    assert not (tmp_path / "journal.jsonl").exists()
