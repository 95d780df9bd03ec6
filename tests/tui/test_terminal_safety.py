"""A hostile customer cannot reach the terminal: every widget shows its text with placeholders.

The customer, card and groups are written through Square's API into the emulator, then
the desk is driven with keys; what the screen would send (the text of every segment the
compositor draws, toasts and dialogs included) must hold no control character, and must
show the placeholders instead.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, TabbedContent, TextArea

from app.square import Customer, CustomerFields
from app.tui import CustomerDeskApp
from screens.add_card import AddCardDialog
from screens.confirm import ConfirmDialog
from screens.customer import CustomerScreen
from screens.pick_group import GroupPicker
from tests.conftest import FrozenClock
from tests.tui.conftest import build_app
from tests.tui.helpers import settle, type_text
from widgets.customer_table import CustomerTable
from widgets.profile_form import ProfileForm

SIZE = (140, 45)
GIVEN = "\u001b[2J\u001b[HCLEAR"
FAMILY = "Tab\there\u202eevil"
COMPANY = "[b]Bold[/b] [@click=app.quit]Quit[/]"
NOTE = "\u001b]0;PWNED\u0007\u001b]52;c;SGVsbG8=\u0007\u001b[?1049l"
CARDHOLDER = "\u001b]0;CARD\u0007Holder\u009b31m"
JOINED = "\u001b[31mRED\u001b[0m club\u2066"
OTHER = "\u001b[5mBLINK\u001b[0m list\u0085"

SHOWN_GIVEN = "␛[2J␛[HCLEAR"
SHOWN_FAMILY = "Tab here⟨U+202E⟩evil"
SHOWN_NOTE = "␛]0;PWNED␇␛]52;c;SGVsbG8=␇␛[?1049l"
SHOWN_CARDHOLDER = "␛]0;CARD␇Holder⟨U+009B⟩31m"
SHOWN_JOINED = "␛[31mRED␛[0m club⟨U+2066⟩"
SHOWN_OTHER = "␛[5mBLINK␛[0m list⟨U+0085⟩"


def forbidden(text: str) -> list[str]:
    """The characters in `text` that a terminal would obey or reorder by."""
    return [
        char
        for char in text
        if char != "\n"
        and (
            ord(char) < 0x20
            or 0x7F <= ord(char) <= 0x9F
            or (unicodedata.category(char) in ("Cf", "Cs") and char not in "\u200c\u200d")
        )
    ]


def screen_text(app: CustomerDeskApp) -> str:
    """The text of every segment the compositor would draw now, without our own controls."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text(styles=False)


def assert_safe(app: CustomerDeskApp, *shown: str) -> str:
    text = screen_text(app)
    assert forbidden(text) == []
    for placeholder_text in shown:
        assert placeholder_text in text
    return text


async def seed_hostile(db_path: Path, clock: FrozenClock) -> str:
    """Write the hostile customer, card and groups through the API; return the id."""
    from app.emulator import DEMO_TOKEN
    from app.emulator.asgi import create_app
    from app.emulator.store import Store
    from app.square import SquareService

    store = Store(db_path)
    try:
        transport = httpx.ASGITransport(app=create_app(store, clock=clock))
        async with SquareService("http://emulator.test", DEMO_TOKEN, transport=transport) as api:
            fields = CustomerFields(
                given_name=GIVEN, family_name=FAMILY, company_name=COMPANY, note=NOTE
            )
            customer = await api.create_customer(fields)
            await api.create_card(
                "cnon:card-nonce-ok", customer_id=customer.id, cardholder_name=CARDHOLDER
            )
            joined = await api.create_customer_group(JOINED)
            await api.create_customer_group(OTHER)
            await api.add_group_to_customer(customer.id, joined.id)
            return customer.id
    finally:
        store.close()


@pytest.fixture
async def hostile(demo_db: Path, clock: FrozenClock) -> tuple[CustomerDeskApp, str]:
    customer_id = await seed_hostile(demo_db, clock)
    return build_app(demo_db, clock), customer_id


async def show_row(pilot: Pilot[Any], customer_id: str) -> CustomerTable:
    await settle(pilot)
    table = pilot.app.screen.query_one(CustomerTable)
    table.focus()
    row = [c.id for c in table.customers].index(customer_id)
    table.move_cursor(row=row)
    await pilot.pause()
    return table


async def open_hostile(pilot: Pilot[Any], customer_id: str) -> CustomerScreen:
    await show_row(pilot, customer_id)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CustomerScreen)
    return screen


async def test_the_table_shows_the_hostile_row_with_placeholders(
    hostile: tuple[CustomerDeskApp, str],
) -> None:
    desk, customer_id = hostile
    async with desk.run_test(size=SIZE) as pilot:
        table = await show_row(pilot, customer_id)
        assert table.selected_customer is not None
        assert table.selected_customer.given_name == GIVEN  # the data is as stored
        text = assert_safe(desk, SHOWN_GIVEN)
        assert "[@click=app.quit]" in text  # markup shows as typed


async def test_the_profile_header_form_and_note_show_placeholders_and_keep_the_values(
    hostile: tuple[CustomerDeskApp, str],
) -> None:
    desk, customer_id = hostile
    async with desk.run_test(size=SIZE) as pilot:
        screen = await open_hostile(pilot, customer_id)
        text = assert_safe(desk, SHOWN_GIVEN, SHOWN_FAMILY, SHOWN_NOTE[:40])
        assert f"{SHOWN_GIVEN} {SHOWN_FAMILY}" in text  # the title line
        assert "[b]Bold[/b] [@click=app.quit]Quit[/]" in text
        form = screen.query_one(ProfileForm)
        assert form.query_one("#given_name", Input).value == GIVEN
        assert form.query_one("#note", TextArea).text == NOTE
        # Editing shows the same placeholders, with the cursor in the field.
        await pilot.press("e")
        await pilot.pause()
        assert form.editing
        assert_safe(desk, SHOWN_GIVEN)
        assert not form.dirty


async def test_the_cards_panel_shows_the_cardholder_with_placeholders(
    hostile: tuple[CustomerDeskApp, str],
) -> None:
    desk, customer_id = hostile
    async with desk.run_test(size=SIZE) as pilot:
        screen = await open_hostile(pilot, customer_id)
        await pilot.press("]")
        await settle(pilot)
        assert screen.query_one(TabbedContent).active == "cards"
        assert_safe(desk, SHOWN_CARDHOLDER)


async def test_the_add_card_dialog_shows_the_name_with_placeholders_and_refuses_it(
    hostile: tuple[CustomerDeskApp, str],
) -> None:
    desk, customer_id = hostile
    async with desk.run_test(size=SIZE) as pilot:
        await open_hostile(pilot, customer_id)
        await pilot.press("]")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        dialog = desk.screen
        assert isinstance(dialog, AddCardDialog)
        assert dialog.query_one("#cardholder", Input).value.startswith(GIVEN)
        assert_safe(desk, SHOWN_GIVEN)
        assert desk.session.connected
        cards_before = [c async for c in desk.session.service.iter_cards(customer_id=customer_id)]
        await type_text(pilot, "cnon:card-nonce-ok-2")
        await pilot.press("enter")
        await settle(pilot)
        assert desk.screen is dialog  # refused: the name still holds control characters
        assert "Remove the control characters (shown as ␛, ␉, �)" in assert_safe(desk)
        cards_after = [c async for c in desk.session.service.iter_cards(customer_id=customer_id)]
        assert len(cards_after) == len(cards_before)


async def test_the_groups_panel_picker_confirm_and_toast_show_placeholders(
    hostile: tuple[CustomerDeskApp, str],
) -> None:
    desk, customer_id = hostile
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_hostile(pilot, customer_id)
        await pilot.press("]", "]")
        await settle(pilot)
        assert screen.query_one(TabbedContent).active == "groups"
        assert_safe(desk, SHOWN_JOINED)
        # The picker lists the group the customer is not in.
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(desk.screen, GroupPicker)
        assert_safe(desk, SHOWN_OTHER)
        await pilot.press("escape")
        await pilot.pause()
        # Removing from the joined group: the question names both, then a toast says done.
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(desk.screen, ConfirmDialog)
        assert_safe(desk, SHOWN_GIVEN, SHOWN_JOINED)
        await pilot.press("y")
        await settle(pilot)
        now_shown: object = desk.screen
        assert now_shown is screen
        assert_safe(desk, f"Removed from {SHOWN_JOINED}.")


async def test_the_form_refuses_to_save_control_characters_beside_the_field(
    hostile: tuple[CustomerDeskApp, str],
) -> None:
    desk, customer_id = hostile
    async with desk.run_test(size=SIZE) as pilot:
        screen = await open_hostile(pilot, customer_id)
        form = screen.query_one(ProfileForm)
        await pilot.press("e")
        await pilot.pause()
        name = form.query_one("#given_name", Input)
        assert name.has_focus
        name.cursor_position = len(name.value)
        await type_text(pilot, "ED")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.editing
        assert name.value == GIVEN + "ED"  # what was typed stays
        error = str(form.query_one("#error-given_name").render())
        assert error == "Remove the control characters (shown as ␛) before saving."
        assert form.query_one("#field-given_name").has_class("-invalid")
        assert_safe(desk, "shown as ␛")
        assert desk.session.connected
        stored = await desk.session.service.retrieve_customer(customer_id)
        assert stored.given_name == GIVEN
        assert stored.version == screen.customer.version


async def test_a_stored_control_character_is_kept_when_another_field_is_saved(
    hostile: tuple[CustomerDeskApp, str],
) -> None:
    desk, customer_id = hostile
    async with desk.run_test(size=SIZE) as pilot:
        screen = await open_hostile(pilot, customer_id)
        form = screen.query_one(ProfileForm)
        await pilot.press("e")
        form.query_one("#nickname", Input).value = "Nick"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not form.editing
        assert desk.session.connected
        stored: Customer = await desk.session.service.retrieve_customer(customer_id)
        assert stored.nickname == "Nick"
        assert (stored.given_name, stored.family_name, stored.note) == (GIVEN, FAMILY, NOTE)
        assert_safe(desk, SHOWN_GIVEN)


async def test_the_form_refuses_a_bidi_override_in_the_note_and_allows_lines(
    hostile: tuple[CustomerDeskApp, str],
) -> None:
    desk, customer_id = hostile
    async with desk.run_test(size=SIZE) as pilot:
        screen = await open_hostile(pilot, customer_id)
        form = screen.query_one(ProfileForm)
        await pilot.press("e")
        note = form.query_one("#note", TextArea)
        note.text = "first line\n\tsecond\u202e line"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.editing
        assert str(form.query_one("#error-note").render()) == (
            "Remove the control characters (shown as �) before saving."
        )
        note.text = "first line\n\tsecond line"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not form.editing
        assert desk.session.connected
        stored = await desk.session.service.retrieve_customer(customer_id)
        assert stored.note == "first line\n\tsecond line"


async def test_a_notification_never_takes_square_text_as_markup_or_controls(
    desk: CustomerDeskApp,
) -> None:
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        desk.notify(
            "[@click=app.quit]Quit[/] \u001b[2J", title="\u001b]0;T\u0007[b]t", markup=False
        )
        desk.notify("[@click=app.quit]Leave[/] now \u001b[H")  # markup on: only the words
        await pilot.pause()
        text = assert_safe(desk, "[@click=app.quit]Quit[/] ␛[2J", "␛]0;T␇[b]t", "Leave now ␛[H")
        assert "[@click=app.quit]Leave" not in text
        toasts = [toast.render() for toast in desk.screen.query("Toast")]
        styles = [repr(span.style) for toast in toasts for span in getattr(toast, "spans", [])]
        assert len(toasts) == 2
        assert not [style for style in styles if "click" in style or "quit" in style]


async def test_a_placeholder_is_one_character_of_the_value_for_the_cursor(
    hostile: tuple[CustomerDeskApp, str],
) -> None:
    desk, customer_id = hostile
    async with desk.run_test(size=SIZE) as pilot:
        screen = await open_hostile(pilot, customer_id)
        form = screen.query_one(ProfileForm)
        await pilot.press("e")
        await pilot.pause()
        name = form.query_one("#given_name", Input)
        name.cursor_position = 5  # after "ESC [ 2 J ESC": on the "[" shown after the second ␛
        assert name._cursor_offset == 5  # one cell per placeholder, as drawn
        await pilot.press("backspace")
        assert name.value == "\u001b[2J[HCLEAR"  # the ESC itself went
        await pilot.press("home", "delete")
        assert name.value == "[2J[HCLEAR"
        assert form.unsafe() == {}
        assert_safe(desk, "[2J[HCLEAR")
