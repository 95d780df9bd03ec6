"""The dialogs at 60×20: they fit, scroll, and Tab reaches their buttons; confirm says its keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Button

from app.config import Environment, Settings
from app.tui import CustomerDeskApp
from tests.conftest import FrozenClock
from tests.tui.conftest import build_app
from tests.tui.helpers import open_first, settle, type_text

SMALL = (60, 20)


async def add_card_dialog(pilot: Pilot[Any]) -> None:
    await open_first(pilot)
    await pilot.press("]", "a")
    await settle(pilot)


def test_add_card_at_60x20(snap_compare: Any, desk: CustomerDeskApp) -> None:
    assert snap_compare(desk, terminal_size=SMALL, run_before=add_card_dialog)


def test_pick_group_at_60x20(snap_compare: Any, desk: CustomerDeskApp) -> None:
    async def picking(pilot: Pilot[Any]) -> None:
        await open_first(pilot)
        await pilot.press("]", "]", "a")
        await settle(pilot)

    assert snap_compare(desk, terminal_size=SMALL, run_before=picking)


def test_confirm_at_60x20(snap_compare: Any, desk: CustomerDeskApp) -> None:
    async def confirming(pilot: Pilot[Any]) -> None:
        await open_first(pilot)
        await pilot.press("d")
        await settle(pilot)

    assert snap_compare(desk, terminal_size=SMALL, run_before=confirming)


async def test_tab_reaches_the_add_card_buttons_and_the_card_is_added(
    desk: CustomerDeskApp,
) -> None:
    async with desk.run_test(size=SMALL) as pilot:
        await add_card_dialog(pilot)
        await type_text(pilot, "cnon:card-nonce-ok")
        dialog = pilot.app.screen.query_one("#dialog", VerticalScroll)
        for _ in range(3):
            await pilot.press("tab")
        focused = pilot.app.screen.focused
        assert isinstance(focused, Button) and focused.id == "add"
        await pilot.pause()
        assert focused.region.bottom <= dialog.region.bottom  # scrolled into sight
        assert dialog.region.bottom <= SMALL[1]
        await pilot.press("enter")
        await settle(pilot)
        from widgets.cards_panel import CardsPanel

        assert len(pilot.app.screen.query_one(CardsPanel).cards) == 1


@pytest.mark.parametrize("environment", [Environment.CUSTOM, Environment.PRODUCTION])
async def test_the_test_nonce_hint_shows_wherever_not_production(
    demo_db: Path, clock: FrozenClock, environment: Environment
) -> None:
    from app.token_source import Secret

    settings = Settings(
        environment=environment, base_url="https://squareish.example", token=Secret("t")
    )
    desk = build_app(demo_db, clock, settings)
    async with desk.run_test(size=SMALL) as pilot:
        await add_card_dialog(pilot)
        hints = pilot.app.screen.query("#hint")
        if environment is Environment.PRODUCTION:
            assert not hints
        else:
            assert "reusable" in str(hints.first().render())
