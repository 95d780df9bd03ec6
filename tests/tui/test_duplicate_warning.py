"""The warning before a duplicate, driven with keys: the issue's Jose Alvarez, open, create
anyway, cancel with the form kept, an edit that makes a profile collide; its snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from app.tui import CustomerDeskApp
from screens.customer import CustomerScreen
from screens.duplicate_warning import DuplicateWarning
from screens.search import SearchScreen
from tests.conftest import FrozenClock
from tests.tui.conftest import build_app
from tests.tui.helpers import SIZE, settle, type_text
from widgets.customer_table import CustomerTable
from widgets.profile_form import ProfileForm


async def type_jose(pilot: Pilot[Any]) -> None:
    """The issue's keys: `n`, Jose / Alvarez, the email, the phone, ctrl+s."""
    await settle(pilot)
    assert isinstance(pilot.app.screen, SearchScreen)
    pilot.app.screen.query_one(CustomerTable).focus()
    await pilot.press("n")
    await settle(pilot)
    await type_text(pilot, "Jose")
    await pilot.press("tab")
    await type_text(pilot, "Alvarez")
    await pilot.press("tab", "tab", "tab")  # nickname, company → email
    await type_text(pilot, "jose.alvarez@gmail.com")
    await pilot.press("tab")
    await type_text(pilot, "4152121200")
    await pilot.press("ctrl+s")
    await settle(pilot)


async def joses(desk: CustomerDeskApp) -> list[str]:
    """Every Jose / José Alvarez / Álvarez Square holds."""
    assert desk.session.connected
    everyone = [c async for c in desk.session.service.iter_customers(limit=100)]
    return sorted(c.display_name for c in everyone if c.given_name in ("Jose", "José"))


async def test_creating_jose_alvarez_warns_and_opens_jose(
    demo_db: Path, clock: FrozenClock
) -> None:
    desk = build_app(demo_db, clock)
    async with desk.run_test(size=SIZE) as pilot:
        await type_jose(pilot)
        warning = desk.screen
        assert isinstance(warning, DuplicateWarning)
        assert [m.customer.display_name for m in warning.matches] == ["José Álvarez"]
        assert warning.matches[0].reason == "same email, same phone"
        await pilot.press("enter")
        await settle(pilot)
        opened = desk.screen
        assert isinstance(opened, CustomerScreen) and opened.customer.display_name == "José Álvarez"
        await pilot.press("escape")  # back to the new form, kept as typed
        await settle(pilot)
        form = desk.screen.query_one(ProfileForm)
        assert form.editing and desk.screen.query_one("#given_name", Input).value == "Jose"
        assert await joses(desk) == ["José Álvarez"]  # nothing created


async def test_cancel_keeps_the_form_and_c_creates_anyway(
    demo_db: Path, clock: FrozenClock
) -> None:
    desk = build_app(demo_db, clock)
    async with desk.run_test(size=SIZE) as pilot:
        await type_jose(pilot)
        assert isinstance(desk.screen, DuplicateWarning)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen)
        assert desk.screen.query_one("#email_address", Input).value == "jose.alvarez@gmail.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(desk.screen, DuplicateWarning)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen) and desk.screen.customer.id
        assert await joses(desk) == ["Jose Alvarez", "José Álvarez"]


async def test_an_edit_that_collides_warns_and_one_that_does_not_saves(
    demo_db: Path, clock: FrozenClock
) -> None:
    desk = build_app(demo_db, clock)
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = desk.screen.query_one(CustomerTable)
        table.focus()
        await pilot.press("j", "j")  # Ada Lovelace
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen)
        assert desk.screen.customer.display_name == "Ada Lovelace"
        await pilot.press("e")
        desk.screen.query_one("#nickname", Input).value = "Countess"
        await pilot.press("ctrl+s")  # no rule reads the nickname: saved at once
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen) and not desk.screen.form.editing
        await pilot.press("e")
        desk.screen.query_one("#phone_number", Input).value = "312.448.2290"
        await pilot.press("ctrl+s")
        await settle(pilot)
        warning = desk.screen
        assert isinstance(warning, DuplicateWarning) and warning.saving
        assert [m.customer.display_name for m in warning.matches] == ["Daniel Okafor"] * 2


def test_snapshot_of_the_warning(snap_compare: Any, demo_db: Path, clock: FrozenClock) -> None:
    assert snap_compare(build_app(demo_db, clock), terminal_size=SIZE, run_before=type_jose)


async def test_a_profile_says_which_others_share_its_email_or_phone(
    demo_db: Path, clock: FrozenClock
) -> None:
    desk = build_app(demo_db, clock)
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "liz harrington")
        await settle(pilot)
        desk.screen.query_one(CustomerTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        screen = desk.screen
        assert isinstance(screen, CustomerScreen) and screen.customer.given_name == "Liz"
        line = str(screen.query_one("#duplicates", Static).render())
        assert line == "1 possible duplicate shares this email — press D to see them"
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(desk.screen, DuplicateWarning) and desk.screen.purpose == "browse"
        await pilot.press("c")  # no "create anyway" here
        assert isinstance(desk.screen, DuplicateWarning)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen)
        assert desk.screen.customer.display_name == "Elizabeth Harrington"
        line = str(desk.screen.query_one("#duplicates", Static).render())
        assert line.startswith("2 possible duplicates share this email or phone")
