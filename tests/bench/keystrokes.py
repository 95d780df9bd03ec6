"""Keystroke to painted results: the real app in ``run_test``, typing one key at a time.

The app is wired to an emulator served over loopback (see ``served.py``) and loads the
whole directory; then realistic name queries are typed one key at a time. For each key
the clock starts just before the key event is posted to the app and stops at the first
screen update handed to the terminal after the customer table was drawn with the answer
for that exact text (rows replaced by ``CustomerTable.show`` *and* the table's new
dimensions computed, so that every row of the answer is on screen). Headless Textual
computes each update but skips turning it into terminal bytes; the bench does that too
(``render_segments``) to pay what a real terminal would. The next key is sent only once
the answer is painted and the app is idle: a slow typist, each keystroke measured on its
own, none dropped as stale.

A breakdown is kept too: the time to the answer in the table (search + ``show``), to the
first paint of any kind (the key echoed in the search bar), the rows in the answer and
the time the garbage collector held the app during each keystroke.

With ``store``, the app starts warm on a copy of a directory store kept by an earlier
load (the bench's 1,000,000), from which customers created last were removed: the app
answers from the store at once and its start-up sync finds and fetches them. The queries
are typed while that sync runs (each keystroke marked ``syncing``), then once more when
it has ended: the same keys, the same app, idle.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SIZE = (120, 40)
STORE_SCOPE = "bench"
"""The scope the bench names its directory stores by (see ``StorePlace``)."""
SYNC_GROUPS = frozenset({"load", "refresh"})


@dataclass(frozen=True)
class KeystrokeResult:
    customers: int
    queries: int
    latencies: list[float]
    """Seconds from key to the answer painted, one per keystroke."""
    to_table: list[float] = field(default_factory=list)
    """Seconds from key to the answer put in the table (not yet painted)."""
    to_echo: list[float] = field(default_factory=list)
    """Seconds from key to the first screen update (the key echoed)."""
    load_seconds: float = 0.0
    rows: list[int] = field(default_factory=list)
    """Rows in the table for each keystroke's answer."""
    gc_pauses: list[float] = field(default_factory=list)
    """Seconds the garbage collector stopped the app during each keystroke."""
    gc_objects: int = 0
    """Objects tracked by the collector once typing is done."""
    full_collections: int = 0
    """Full (generation 2) collections while typing."""
    syncing: list[bool] = field(default_factory=list)
    """Whether the app's sync was running when each keystroke was answered."""
    synced: int = 0
    """Customers the start-up sync brought in (a warm start on a store)."""


def _key(ch: str) -> str:
    return "space" if ch == " " else ch


async def measure(base_url: str, queries: list[str], store: Path | None = None) -> KeystrokeResult:
    """Type `queries` into the real app on the emulator at `base_url` (with `store`: a
    folder holding the store to start warm on, see the module's docstring)."""
    from textual import events
    from textual.widgets import Input

    from app.config import Settings
    from app.directory import CustomerDirectory, StorePlace
    from app.emulator import DEMO_TOKEN
    from app.session import Connection, Session
    from app.square import SquareService
    from app.tui import CustomerDeskApp
    from widgets.customer_table import CustomerTable

    async def connect(report: Callable[[str], None]) -> Connection:
        service = SquareService(base_url, DEMO_TOKEN, timeout=60.0, deadline=600.0)
        place = StorePlace(store, STORE_SCOPE) if store is not None else None
        return Connection(service=service, directory=CustomerDirectory(service, place=place))

    session = Session(Settings(), connect)
    app = CustomerDeskApp(session)

    def sync_running() -> bool:
        return any(w.group in SYNC_GROUPS and not w.is_finished for w in app.workers)

    async def answered() -> None:
        """Every worker but the load's and the sync's has finished (a search and what it
        set off)."""
        while True:
            busy = [w for w in app.workers if w.group not in SYNC_GROUPS and not w.is_finished]
            if not busy:
                return
            await asyncio.wait([asyncio.ensure_future(w.wait()) for w in busy])

    latencies: list[float] = []
    to_table: list[float] = []
    to_echo: list[float] = []
    rows: list[int] = []
    gc_pauses: list[float] = []
    collecting = {"since": 0.0, "total": 0.0}

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collecting["since"] = time.perf_counter()
        else:
            collecting["total"] += time.perf_counter() - collecting["since"]

    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:

        def ready() -> bool:
            if not session.connected:
                return False
            if store is None:
                return session.directory.loaded
            return session.directory.count > 0 and app.screen.results is not None  # type: ignore[attr-defined]

        while not ready():
            await asyncio.sleep(0.05)
            if time.perf_counter() - started > 600:
                raise TimeoutError("the directory never loaded")
        loaded = time.perf_counter() - started
        held_at_start = session.directory.count
        await answered()
        await pilot.pause()
        directory = session.directory

        screen = app.screen
        table = screen.query_one(CustomerTable)
        search = screen.query_one("#search", Input)
        state: dict[str, Any] = {}
        painted = asyncio.Event()
        show = table.show
        render_lines = table.render_lines
        display = app._display

        def reset(text: str) -> None:
            state.clear()
            state["text"] = text
            painted.clear()

        def show_and_mark(customers: Any, **options: Any) -> None:
            show(customers, **options)
            if search.value == state.get("text"):
                state["shown"] = time.perf_counter()

        def render_lines_and_mark(crop: Any) -> Any:
            lines = render_lines(crop)
            if "shown" in state and not getattr(table, "_require_update_dimensions", False):
                state["drawn"] = True
            return lines

        def display_and_mark(on: Any, renderable: Any) -> None:
            display(on, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(app.console)  # the bytes a real terminal driver would write
            now = time.perf_counter()
            state.setdefault("echo", now)
            if state.get("drawn") and not painted.is_set():
                state["painted"] = now
                painted.set()

        table.show = show_and_mark  # type: ignore[method-assign]
        table.render_lines = render_lines_and_mark  # type: ignore[method-assign]
        app._display = display_and_mark  # type: ignore[method-assign, assignment]

        async def painted_and_idle() -> None:
            await asyncio.wait_for(painted.wait(), 60)
            await answered()
            await pilot.pause(0.02)

        search.focus()
        await pilot.pause()
        gc.callbacks.append(on_gc)
        full_before = gc.get_stats()[2]["collections"]
        passes = [queries] if store is None else [queries, queries]
        syncing: list[bool] = []
        for number, typed_queries in enumerate(passes):
            if number:  # the same keys again once the start-up sync has ended
                await app.workers.wait_for_complete()
                await pilot.pause()
            for query in typed_queries:
                if search.value:  # start from an empty search bar, painted (not measured)
                    reset("")
                    search.value = ""
                    await painted_and_idle()
                typed = ""
                for ch in query:
                    typed += ch
                    reset(typed)
                    key = events.Key(_key(ch), ch)
                    key.set_sender(app)
                    collecting["total"] = 0.0
                    t0 = time.perf_counter()
                    app.post_message(key)
                    await painted_and_idle()
                    if search.value != typed:
                        raise AssertionError(
                            f"the search bar holds {search.value!r}, not {typed!r}"
                        )
                    latencies.append(state["painted"] - t0)
                    to_table.append(state["shown"] - t0)
                    to_echo.append(state["echo"] - t0)
                    rows.append(len(table.customers))
                    gc_pauses.append(collecting["total"])
                    syncing.append(sync_running())
        gc.callbacks.remove(on_gc)
        full = gc.get_stats()[2]["collections"] - full_before
        objects = len(gc.get_objects())
        held = directory.count
    return KeystrokeResult(
        held,
        len(queries),
        latencies,
        to_table,
        to_echo,
        loaded,
        rows,
        gc_pauses,
        objects,
        full,
        syncing,
        held - held_at_start,
    )
