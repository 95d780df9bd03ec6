"""What the agent sees, pixel for pixel: review `snapshot_report.html` before updating."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from app.tui import CustomerDeskApp
from tests.tui.helpers import SIZE, open_first, settle, type_text


def test_main_screen(snap_compare: Any, desk: CustomerDeskApp) -> None:
    async def loaded(pilot: Pilot[Any]) -> None:
        await settle(pilot)

    assert snap_compare(desk, terminal_size=SIZE, run_before=loaded)


def test_main_screen_searching(snap_compare: Any, desk: CustomerDeskApp) -> None:
    async def searched(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await type_text(pilot, "jo")
        await settle(pilot)

    assert snap_compare(desk, terminal_size=SIZE, run_before=searched)


def test_customer_screen(snap_compare: Any, desk: CustomerDeskApp) -> None:
    async def opened(pilot: Pilot[Any]) -> None:
        await open_first(pilot, row=2)

    assert snap_compare(desk, terminal_size=SIZE, run_before=opened)


def test_customer_screen_editing_with_an_error(snap_compare: Any, desk: CustomerDeskApp) -> None:
    async def rejected(pilot: Pilot[Any]) -> None:
        await open_first(pilot)
        await pilot.press("e")
        await pilot.press("tab", "tab", "tab", "tab")
        await type_text(pilot, "@@")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(desk, terminal_size=SIZE, run_before=rejected)


def test_cards_panel_with_a_card(snap_compare: Any, desk: CustomerDeskApp) -> None:
    async def with_card(pilot: Pilot[Any]) -> None:
        await open_first(pilot)
        await pilot.press("]", "a")
        await pilot.pause()
        await type_text(pilot, "cnon:card-nonce-ok")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(desk, terminal_size=SIZE, run_before=with_card)


def test_group_picker(snap_compare: Any, desk: CustomerDeskApp) -> None:
    async def picking(pilot: Pilot[Any]) -> None:
        await open_first(pilot)
        await pilot.press("]", "]", "a")
        await pilot.pause()
        await type_text(pilot, "v")
        await pilot.pause()

    assert snap_compare(desk, terminal_size=SIZE, run_before=picking)
