"""Keys, the palette, keymaps, quitting, and calls that fail — the app keeps working."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Input, Static

from app.config import Environment, Settings
from app.palette import PlaceCommands, palette_entries
from app.tui import CustomerDeskApp
from screens.confirm import ConfirmDialog
from screens.customer import CustomerScreen
from screens.search import SearchScreen
from tests.conftest import FrozenClock
from tests.sessions import in_process
from tests.tui.conftest import build_app
from tests.tui.helpers import SIZE, open_first, open_first_for_editing, settle, type_text
from widgets.customer_table import CustomerTable
from widgets.profile_form import ProfileForm


async def test_table_keys_move_and_copy(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = desk.screen.query_one(CustomerTable)
        table.focus()
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("y")
        assert desk.clipboard == table.customers[0].id


async def test_letters_typed_in_the_search_never_fire_keys(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        search = desk.screen.query_one("#search", Input)
        assert search.has_focus
        await type_text(pilot, "quinn ryder")
        await settle(pilot)
        assert search.value == "quinn ryder"
        assert desk.is_running and isinstance(desk.screen, SearchScreen)
        await pilot.press("escape")
        assert search.value == ""
        await pilot.press("escape")
        assert desk.screen.query_one(CustomerTable).has_focus
        await pilot.press("slash")
        assert search.has_focus


async def test_every_screen_action_is_in_the_palette(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        desk.screen.query_one(CustomerTable).focus()
        await pilot.pause()
        titles = {entry.title for entry in palette_entries(desk.screen, desk.keymap)}
        assert {"Open", "New customer", "Refresh", "Copy id", "Search"} <= titles
        await pilot.press("colon")
        await pilot.pause()
        assert isinstance(desk.screen, CommandPalette)
        await type_text(pilot, "new customer")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen) and desk.screen.is_new


async def test_the_palette_lists_our_actions_once_with_textuals_in_title_order(
    desk: CustomerDeskApp,
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        desk.screen.query_one(CustomerTable).focus()
        await pilot.pause()
        provider = PlaceCommands(desk.screen)
        titles = [str(hit.text) async for hit in provider.discover()]
        assert titles == sorted(titles)
        assert {"Help", "Theme", "Open", "New customer", "Refresh"} <= set(titles)
        assert "Keys" not in titles and titles.count("Quit") == 1  # Help and Quit are ours
        assert titles.count("Open") == 1 and titles.count("Refresh") == 1
        found = [str(hit.text) async for hit in provider.search("new cust")]
        assert "New customer" in found and "Theme" not in found


async def test_a_user_keymap_rebinds_by_id(demo_db: Path, clock: FrozenClock) -> None:
    desk = build_app(demo_db, clock, Settings(keymap={"customer.edit": "f2"}))
    async with desk.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        form = desk.screen.query_one(ProfileForm)
        await pilot.press("e")
        assert not form.editing
        await pilot.press("f2")
        assert form.editing


async def test_quitting_with_unsaved_edits_asks_first(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await open_first_for_editing(pilot)
        desk.screen.query_one("#given_name", Input).value = "Unsaved"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(desk.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert desk.is_running
        assert desk.screen.query_one("#given_name", Input).value == "Unsaved"


def bad_token_app(demo_db: Path, clock: FrozenClock) -> CustomerDeskApp:
    settings = Settings(environment=Environment.SANDBOX)
    return build_app(demo_db, clock, settings, in_process(demo_db, clock, token="not-a-token"))


async def test_a_rejected_token_says_so_and_the_app_keeps_working(
    demo_db: Path, clock: FrozenClock
) -> None:
    desk = bad_token_app(demo_db, clock)
    notes: list[str] = []
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        notes = [n.message for n in desk._notifications]
        status = str(desk.screen.query_one("#status", Static).render())
        assert "failed" in status.lower()
        await type_text(pilot, "ada")
        await settle(pilot)
        assert desk.is_running and isinstance(desk.screen, SearchScreen)
    assert any("token" in note.lower() or "authori" in note.lower() for note in notes), notes


async def test_production_is_impossible_to_miss(demo_db: Path, clock: FrozenClock) -> None:
    settings = Settings(environment=Environment.PRODUCTION, base_url="https://connect.squareup.com")
    desk = build_app(demo_db, clock, settings)
    async with desk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "PRODUCTION" in str(desk.screen.query_one("EnvironmentBadge", Static).render())
        assert desk.screen.query_one("TopBar").has_class("-production")


async def test_refresh_shows_a_customer_added_by_another_client(desk: CustomerDeskApp) -> None:
    from app.square import CustomerFields

    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert desk.session.connected
        other = await desk.session.service.create_customer(
            CustomerFields(given_name="Quentin", family_name="Elsewhere")
        )
        search = desk.screen.query_one("#search", Input)
        await type_text(pilot, "quentin elsew")
        await settle(pilot)
        table = desk.screen.query_one(CustomerTable)
        assert other.id not in {c.id for c in table.customers}
        table.focus()
        await pilot.press("r")
        await settle(pilot)
        assert search.value == "quentin elsew"
        assert [c.id for c in table.customers] == [other.id]


async def test_a_click_highlights_a_row_and_a_second_click_opens_it(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = desk.screen.query_one(CustomerTable)
        await pilot.click(CustomerTable, offset=(5, 3))  # line 0 is the header
        assert table.cursor_row == 2
        chosen = table.selected_customer
        assert chosen is not None
        await pilot.click(CustomerTable, offset=(5, 3))
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen)
        assert desk.screen.customer.id == chosen.id
