"""History, ctrl+z, recently opened and the delete confirmation, driven with the keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, OptionList

from app.config import Environment, Settings
from app.desk.journal import Journal
from app.session import Session
from app.square import SquareService
from app.tui import CustomerDeskApp
from screens.confirm import ConfirmDialog
from screens.customer import CustomerScreen
from screens.history import HistoryScreen
from screens.recent import RecentDialog
from screens.search import SearchScreen
from tests.conftest import FrozenClock
from tests.sessions import in_process
from tests.tui.helpers import SIZE, open_first, settle, type_text


def journalled(
    demo_db: Path, clock: FrozenClock, settings: Settings | None = None
) -> CustomerDeskApp:
    """The desk with a journal in memory on the emulator's frozen clock."""
    session = Session(
        settings or Settings(), in_process(demo_db, clock), Journal(None, clock=clock)
    )
    app = CustomerDeskApp(session)
    app.animation_level = "none"
    return app


async def edit_nickname(pilot: Pilot[Any], text: str) -> str:
    """Open the first customer, add ``text`` to the nickname and save; its id."""
    customer = await open_first(pilot)
    await pilot.press("e", "tab", "tab")
    await type_text(pilot, text)
    await pilot.press("ctrl+s")
    await settle(pilot)
    return customer.id


async def test_ctrl_z_after_an_edit_restores_the_old_value_in_the_store(
    demo_db: Path, clock: FrozenClock, service: SquareService
) -> None:
    desk = journalled(demo_db, clock)
    async with desk.run_test(size=SIZE) as pilot:
        customer_id = await edit_nickname(pilot, "Zed")
        before = (await service.retrieve_customer(customer_id)).nickname
        assert before is not None and before.endswith("Zed")
        await pilot.press("ctrl+z")
        await pilot.pause()
        dialog = desk.screen
        assert isinstance(dialog, ConfirmDialog) and "Edit of" in dialog.question
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen)
        restored = (await service.retrieve_customer(customer_id)).nickname or ""
        assert restored == before.removesuffix("Zed") or (restored == "" and before == "Zed")
        await pilot.press("ctrl+z")  # the edit was undone: the next back is nothing this run
        await pilot.pause()
        assert not isinstance(desk.screen, ConfirmDialog)


async def test_history_lists_the_change_and_u_undoes_it_and_enter_opens(
    demo_db: Path, clock: FrozenClock, service: SquareService
) -> None:
    desk = journalled(demo_db, clock)
    async with desk.run_test(size=SIZE) as pilot:
        customer_id = await edit_nickname(pilot, "Q")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(desk.screen, SearchScreen)
        desk.screen.query_one("#customers").focus()
        await pilot.press("h")
        await pilot.pause()
        history = desk.screen
        assert isinstance(history, HistoryScreen)
        table = history.query_one(DataTable)
        assert table.row_count == 1
        assert "Edit of" in str(table.get_row_at(0)[1]) and table.get_row_at(0)[2] == "done"
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert not (await service.retrieve_customer(customer_id)).nickname or not (
            (await service.retrieve_customer(customer_id)).nickname or ""
        ).endswith("Q")
        assert table.row_count == 2 and table.get_row_at(1)[2] == "undone"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen) and desk.screen.customer.id == customer_id


async def test_recently_opened_customers_are_one_key_away(
    demo_db: Path, clock: FrozenClock
) -> None:
    desk = journalled(demo_db, clock)
    async with desk.run_test(size=SIZE) as pilot:
        first = await open_first(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(desk.screen, RecentDialog)
        assert desk.screen.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen) and desk.screen.customer.id == first.id


async def test_the_delete_confirmation_names_email_or_phone(
    demo_db: Path, clock: FrozenClock
) -> None:
    desk = journalled(demo_db, clock)
    async with desk.run_test(size=SIZE) as pilot:
        customer = await open_first(pilot)
        await pilot.press("d")
        await pilot.pause()
        dialog = desk.screen
        assert isinstance(dialog, ConfirmDialog) and dialog.typed is None
        reach = customer.email_address or customer.phone_number or ""
        assert customer.display_name in dialog.question and reach in dialog.question


async def test_in_production_the_name_is_typed_to_delete(
    demo_db: Path, clock: FrozenClock, service: SquareService
) -> None:
    settings = Settings(environment=Environment.PRODUCTION, base_url="https://connect.squareup.com")
    desk = journalled(demo_db, clock, settings)
    async with desk.run_test(size=SIZE) as pilot:
        customer = await open_first(pilot)
        await pilot.press("d")
        await pilot.pause()
        dialog = desk.screen
        assert isinstance(dialog, ConfirmDialog) and dialog.typed == customer.display_name
        assert dialog.query_one("#confirm", Button).disabled
        await pilot.press("y", "enter")  # not the name: nothing happens
        await pilot.pause()
        assert desk.screen is dialog
        dialog.query_one("#typed", Input).value = ""
        await type_text(pilot, customer.display_name.upper())
        assert not dialog.query_one("#confirm", Button).disabled
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, SearchScreen)
        [change] = desk.session.journal.changes()
        assert change.operation == "customer.delete" and change.landed


def test_history_screen(snap_compare: Any, demo_db: Path, clock: FrozenClock) -> None:
    desk = journalled(demo_db, clock)

    async def with_history(pilot: Pilot[Any]) -> None:
        await edit_nickname(pilot, "Zed")
        desk.clear_notifications()
        await pilot.press("h")  # from the customer screen: that customer's changes
        await settle(pilot)

    assert snap_compare(desk, terminal_size=SIZE, run_before=with_history)
