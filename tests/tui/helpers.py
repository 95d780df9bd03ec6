"""Waiting on the app the way a person would: until its work is done, never by sleeping."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from textual.pilot import Pilot
from textual.worker import WorkerFailed, WorkerState

if TYPE_CHECKING:
    from app.square import Customer
    from widgets.profile_form import ProfileForm

BUSY = (WorkerState.PENDING, WorkerState.RUNNING)
SIZE = (120, 40)
"""The terminal the TUI tests and snapshots run in."""


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until no worker is pending or running and the message queues are empty.
    A worker that failed is done too: its screen has said why."""
    for _ in range(100):
        with contextlib.suppress(WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.state in BUSY for worker in pilot.app.workers):
            return
    raise AssertionError("the app never settled")


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


async def open_first(pilot: Pilot[Any], row: int = 0) -> Customer:
    """Once loaded, open the customer on the first row (or ``row``) with the keys, as an
    agent would: down with `j`, open with `enter`."""
    from screens.customer import CustomerScreen
    from widgets.customer_table import CustomerTable

    await settle(pilot)
    table = pilot.app.screen.query_one(CustomerTable)
    table.focus()
    await pilot.press(*["j"] * row)
    customer = table.selected_customer
    assert customer is not None
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomerScreen)
    return customer


async def open_first_for_editing(pilot: Pilot[Any]) -> ProfileForm:
    from widgets.profile_form import ProfileForm

    await open_first(pilot)
    await pilot.press("e")
    form = pilot.app.screen.query_one(ProfileForm)
    assert form.editing
    return form
