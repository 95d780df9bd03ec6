"""Waiting on the app the way a person would: until its work is done, never by sleeping."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.worker import WorkerState

BUSY = (WorkerState.PENDING, WorkerState.RUNNING)


async def settle(pilot: Pilot[object]) -> None:
    """Wait until no worker is pending or running and the message queues are empty."""
    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.state in BUSY for worker in pilot.app.workers):
            return
    raise AssertionError("the app never settled")


async def type_text(pilot: Pilot[object], text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])
