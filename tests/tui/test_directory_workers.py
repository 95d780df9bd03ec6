"""The directory's load and refresh are separate workers: `r` during a load leaves it running.

The load is held at a gate (its searches wait until the test opens it), so "during the
load" is a state the test is in, not a race it hopes to win.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from textual.message import Message
from textual.worker import Worker, WorkerState

from app.messages import Connected, DirectoryLoaded
from screens.search import SearchScreen
from tests.conftest import FrozenClock
from tests.sessions import in_process
from tests.tui.conftest import build_app
from tests.tui.helpers import SIZE, settle
from widgets.customer_table import CustomerTable


class Gate(httpx.AsyncBaseTransport):
    """Holds every SearchCustomers request until opened; everything else goes through."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.held = asyncio.Event()
        self.opened = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v2/customers/search":
            self.held.set()
            await self.opened.wait()
        return await self.inner.handle_async_request(request)


async def test_r_during_a_load_leaves_the_load_running_and_the_refresh_timer_starts(
    demo_db: Path, clock: FrozenClock
) -> None:
    gates: list[Gate] = []

    def gated(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        gates.append(Gate(inner))
        return gates[-1]

    desk = build_app(demo_db, clock, connector=in_process(demo_db, clock, wrap=gated))
    messages: list[Message] = []
    async with desk.run_test(size=SIZE, notifications=True, message_hook=messages.append) as pilot:
        while not gates:
            await pilot.pause()
        gate = gates[0]
        await gate.held.wait()  # the load has asked Square and waits for the answer
        screen = desk.screen
        assert isinstance(screen, SearchScreen)
        load = screen.loading_worker
        assert load is not None and load.state is WorkerState.RUNNING
        assert not desk.session.directory.loaded and screen.refresh_timer is None

        screen.query_one(CustomerTable).focus()
        await pilot.press("r")
        await pilot.pause()
        assert load.state is WorkerState.RUNNING  # not cancelled by the refresh
        assert not [w for w in desk.workers if w.group == "refresh"]
        assert any("still loading" in n.message for n in desk._notifications)

        gate.opened.set()
        await settle(pilot)
        assert load.is_finished and not load.is_cancelled and load.error is None
        assert desk.session.directory.loaded and desk.session.directory.count > 0
        assert screen.refresh_timer is not None
        assert screen.query_one(CustomerTable).row_count > 0
    kinds = [type(m) for m in messages]
    assert Connected in kinds and DirectoryLoaded in kinds
    assert kinds.index(Connected) < kinds.index(DirectoryLoaded)


async def test_r_after_the_load_refreshes_in_its_own_group(
    demo_db: Path, clock: FrozenClock
) -> None:
    desk = build_app(demo_db, clock)
    messages: list[Message] = []
    async with desk.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(pilot)
        screen = desk.screen
        assert isinstance(screen, SearchScreen)
        screen.query_one(CustomerTable).focus()
        await pilot.press("r")
        await settle(pilot)
        assert screen.loading_worker is not None
        assert screen.loading_worker.state is WorkerState.SUCCESS
    finished = {
        (m.worker.group, m.state)
        for m in messages
        if isinstance(m, Worker.StateChanged) and m.worker.node is screen
    }
    assert ("refresh", WorkerState.SUCCESS) in finished
    assert ("load", WorkerState.CANCELLED) not in finished
