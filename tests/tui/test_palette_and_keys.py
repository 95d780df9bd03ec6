"""The palette from everywhere, each action once, the theme and mouse saved, help per place,
and a profile switch."""

from __future__ import annotations

import tomllib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual import events
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._key_panel import BindingsTable

from app.config import Settings, load_settings
from app.session import Session
from app.tui import CustomerDeskApp
from screens.bulk import BulkRun
from screens.confirm import ConfirmDialog
from screens.customer import CustomerScreen
from screens.export import ExportDialog
from screens.import_customers import ImportScreen
from screens.pick_group import GroupPicker
from screens.search import SearchScreen
from tests.conftest import FrozenClock
from tests.sessions import in_process
from tests.tui.conftest import build_app
from tests.tui.helpers import SIZE, open_first, settle, type_text
from widgets.customer_table import CustomerTable
from widgets.environment_badge import EnvironmentBadge

Place = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture(autouse=True)
def _own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The desk writes its preferences here, never to the user's config.toml."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("CUSTOMER_DESK_CONFIG", str(path))
    return path


async def palette_opens(pilot: Pilot[Any], key: str = "ctrl+p") -> list[str]:
    """Press ``key``: the palette must open; its listed titles; then close it."""
    app = pilot.app
    before = app.screen
    await pilot.press(key)
    await settle(pilot)
    assert CommandPalette.is_open(app), f"{key} opened nothing over {before!r}"
    await pilot.pause()
    options = app.screen.query_one(CommandList)
    titles = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    await pilot.press("escape")
    await settle(pilot)
    assert app.screen is before
    return [title.split("\n")[0] for title in titles]


async def search_box(pilot: Pilot[Any]) -> None:
    pilot.app.screen.query_one("#search", Input).focus()


async def table(pilot: Pilot[Any]) -> None:
    pilot.app.screen.query_one(CustomerTable).focus()


async def profile(pilot: Pilot[Any]) -> None:
    await open_first(pilot)


async def profile_editing(pilot: Pilot[Any]) -> None:
    await open_first(pilot)
    await pilot.press("e")  # focus in the form's first field


async def panels(pilot: Pilot[Any]) -> None:
    await open_first(pilot)
    await pilot.press("]", "]")
    await settle(pilot)


async def confirm_dialog(pilot: Pilot[Any]) -> None:
    await open_first(pilot)
    await pilot.press("d")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConfirmDialog)


async def group_picker(pilot: Pilot[Any]) -> None:
    await table(pilot)
    await pilot.press("plus")
    await settle(pilot)
    assert isinstance(pilot.app.screen, GroupPicker)


async def bulk_outcome(pilot: Pilot[Any]) -> None:
    await group_picker(pilot)
    await type_text(pilot, "Palette test")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, BulkRun)


async def export_dialog(pilot: Pilot[Any]) -> None:
    await table(pilot)
    await pilot.press("x")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ExportDialog)


async def import_screen(pilot: Pilot[Any]) -> None:
    await table(pilot)
    await pilot.press("i")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ImportScreen)


PLACES: dict[str, Place] = {
    "search box": search_box,
    "table": table,
    "profile": profile,
    "profile form": profile_editing,
    "groups panel": panels,
    "confirmation": confirm_dialog,
    "group picker": group_picker,
    "bulk outcome": bulk_outcome,
    "export dialog": export_dialog,
    "import screen": import_screen,
}


@pytest.mark.parametrize("place", list(PLACES))
async def test_ctrl_p_opens_the_palette_from_each_focus(desk: CustomerDeskApp, place: str) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await PLACES[place](pilot)
        await settle(pilot)
        titles = await palette_opens(pilot)
        assert titles, "an empty palette"
        assert len(titles) == len(set(titles)), f"listed twice: {titles}"


async def test_colon_opens_the_palette_outside_inputs_and_types_in_the_search(
    desk: CustomerDeskApp,
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await table(pilot)
        await palette_opens(pilot, "colon")
        await search_box(pilot)
        await pilot.press("colon")
        await settle(pilot)
        assert not desk.screen.query(CommandList)  # no palette over the search
        assert desk.screen.query_one("#search", Input).value.endswith(":")


async def test_the_palette_lists_each_action_once(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await table(pilot)
        titles = await palette_opens(pilot)
        assert titles.count("Quit") == 1
        assert "Keys" not in titles and titles.count("Help") == 1
        for title in ("Mark", "Mark all", "Add to group", "Export", "Theme"):
            assert title in titles
        assert "Palette" not in titles
        assert "Mouse: switch off" in titles


# --------------------------------------------------------------------------- theme, mouse


def desk_with_config(demo_db: Path, clock: FrozenClock, config: Path) -> CustomerDeskApp:
    return build_app(demo_db, clock, load_settings({}, config_file=config, use_keyring=False))


async def choose(pilot: Pilot[Any], *steps: str) -> None:
    """Open the palette and pick, typing each step and pressing enter."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    for step in steps:
        await type_text(pilot, step)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)


async def test_the_theme_picked_is_saved_and_used_at_the_next_start(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir(mode=0o700)
    config.write_text("# my settings\nread_only = false\n", encoding="utf-8")
    desk = desk_with_config(demo_db, clock, config)
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await table(pilot)
        await choose(pilot, "theme", "ansi-dark")
        assert desk.theme == "ansi-dark"
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# my settings\nread_only = false\n")
    assert tomllib.loads(text)["theme"] == "ansi-dark"
    assert config.stat().st_mode & 0o777 == 0o600

    again = desk_with_config(demo_db, clock, config)
    assert again.settings.theme == "ansi-dark"
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "ansi-dark"


async def test_an_old_ansi_theme_name_is_understood(demo_db: Path, clock: FrozenClock) -> None:
    desk = build_app(demo_db, clock, Settings(theme="textual-ansi"))
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert desk.theme == "ansi-dark"


def mouse_click(desk: CustomerDeskApp, widget: Any, y: int) -> None:
    """A click as the terminal sends it: down and up, through the App."""
    region = widget.region
    for kind in (events.MouseDown, events.MouseUp):
        desk.post_message(
            kind(
                None,
                region.x + 3,
                region.y + y,
                0,
                0,
                1,
                False,
                False,
                False,
                screen_x=region.x + 3,
                screen_y=region.y + y,
            )
        )


async def test_the_mouse_switched_off_is_ignored_and_saved(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    desk = desk_with_config(demo_db, clock, config)
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        customers = desk.screen.query_one(CustomerTable)
        await table(pilot)
        mouse_click(desk, customers, 4)
        await settle(pilot)
        clicked = customers.cursor_row
        assert clicked > 0  # the control: a click moves the cursor
        await choose(pilot, "mouse: switch off")
        assert not desk.mouse_enabled
        mouse_click(desk, customers, 8)
        await settle(pilot)
        assert customers.cursor_row == clicked
    assert tomllib.loads(config.read_text(encoding="utf-8"))["mouse"] is False
    assert load_settings({}, config_file=config, use_keyring=False).mouse is False


# --------------------------------------------------------------------------- help


def help_text(desk: CustomerDeskApp) -> set[str]:
    """The help panel's lines (key, description), stripped."""
    console = Console(width=100, record=True)
    console.print(desk.screen.query_one(BindingsTable).render_bindings_table())
    return {line.strip() for line in console.export_text().splitlines() if line.strip()}


def lists(lines: set[str], description: str) -> bool:
    return any(line.endswith(f" {description}") for line in lines)


async def test_help_lists_the_bindings_of_the_focused_place(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await table(pilot)
        await pilot.press("f1")
        await settle(pilot)
        in_table = help_text(desk)
        for description in ("Mark", "Mark all", "New customer", "Export", "Delete", "Quit"):
            assert lists(in_table, description), description
        await search_box(pilot)
        await settle(pilot)
        in_search = help_text(desk)
        # letters type in the search box: their actions are not keys here
        for description in ("Mark", "New customer", "Export", "Delete"):
            assert not lists(in_search, description), description
        assert lists(in_search, "Quit") and lists(in_search, "Palette")


# --------------------------------------------------------------------------- profiles

CONFIG = """
[profiles.north]
environment = "local"

[profiles.south]
environment = "local"
read_only = true
"""


async def test_switching_profile_asks_when_edits_are_unsaved_then_reconnects(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")

    def session_for(name: str) -> Session:
        settings = load_settings({}, config_file=config, use_keyring=False, profile=name)
        return Session(settings, in_process(demo_db, clock))

    desk = CustomerDeskApp(
        session_for("north"),
        profile_session=session_for,
        profiles=lambda: ["north", "south"],
    )
    desk.animation_level = "none"
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "north" in str(desk.screen.query_one(EnvironmentBadge).render())
        form = await open_first(pilot)
        await pilot.press("e")
        await type_text(pilot, "x")
        assert isinstance(desk.screen, CustomerScreen) and desk.screen.has_unsaved_edits
        del form
        await choose(pilot, "switch profile south")
        assert isinstance(desk.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen)  # nothing lost
        await choose(pilot, "switch profile south")
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(desk.screen, SearchScreen)
        assert desk.session.settings.profile == "south"
        badge = str(desk.screen.query_one(EnvironmentBadge).render())
        assert "south" in badge and "READ-ONLY" in badge
        assert desk.session.connected and desk.session.read_only
        assert desk.screen.query_one(CustomerTable).row_count > 0
