"""The support agent's path: launch, search, open, edit, save — against the emulator."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from textual.widgets import Input, TextArea

from app.square import Customer, CustomerFields
from app.tui import CustomerDeskApp
from screens.confirm import ConfirmDialog
from screens.customer import CustomerScreen
from screens.search import SearchScreen
from tests.tui.helpers import SIZE, open_first, open_first_for_editing, settle, type_text
from widgets.customer_table import CustomerTable
from widgets.profile_form import ProfileForm


async def read_back(db_path: Path, customer_id: str) -> Customer:
    """Read the customer through a fresh emulator on the same file: what the store holds."""
    from app.emulator import DEMO_TOKEN
    from app.emulator.asgi import create_app
    from app.emulator.store import Store
    from app.square import SquareService

    store = Store(db_path)
    try:
        transport = httpx.ASGITransport(app=create_app(store))
        async with SquareService("http://check.test", DEMO_TOKEN, transport=transport) as service:
            return await service.retrieve_customer(customer_id)
    finally:
        store.close()


async def test_launch_shows_the_demo_directory(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(desk.screen, SearchScreen)
        table = desk.screen.query_one(CustomerTable)
        assert desk.session.connected
        directory = desk.session.directory
        assert directory.loaded and directory.count > 0
        assert table.row_count == directory.count  # every customer, read as shown
        first = await desk.session.service.search_customers(limit=3)  # Square's DEFAULT order
        assert [c.id for c in table.customers[:3]] == [c.id for c in first.customers]


async def test_typing_a_name_shows_the_matching_rows(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = desk.screen.query_one(CustomerTable)
        target = next(c for c in table.customers if c.family_name and len(c.family_name) > 3)
        assert target.family_name is not None
        await type_text(pilot, target.family_name.lower()[:4])
        await settle(pilot)
        shown = table.customers
        assert target.id in {c.id for c in shown}
        prefix = target.family_name.lower()[:4]
        for customer in shown:
            words = " ".join(
                str(v)
                for v in (
                    customer.given_name,
                    customer.family_name,
                    customer.nickname,
                    customer.company_name,
                    customer.email_address,
                    customer.reference_id,
                    customer.note,
                )
                if v
            )
            assert any(w.startswith(prefix) for w in re.split(r"[^\w]+", words.lower())), words
        assert desk.session.connected
        assert len(shown) < desk.session.directory.count


async def test_open_edit_save_reaches_the_store(desk: CustomerDeskApp, demo_db: Path) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        customer = await open_first(pilot)
        await pilot.press("e")
        form = desk.screen.query_one(ProfileForm)
        assert form.editing
        given = form.query_one("#given_name", Input)
        given.value = "Ada"
        form.query_one("#note", TextArea).text = "Prefers email."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not form.editing
        stored = await read_back(demo_db, customer.id)
        assert stored.given_name == "Ada"
        assert stored.note == "Prefers email."
        assert stored.version == customer.version + 1


async def test_a_rejected_email_shows_beside_the_field_and_keeps_the_text(
    desk: CustomerDeskApp,
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        form = await open_first_for_editing(pilot)
        email = form.query_one("#email_address", Input)
        email.value = "not-an-email"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.editing
        assert email.value == "not-an-email"
        error = str(form.query_one("#error-email_address").render())
        assert error.strip()
        assert form.query_one("#field-email_address").has_class("-invalid")


async def test_a_change_saved_elsewhere_to_another_field_is_merged(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        form = await open_first_for_editing(pilot)
        customer = form.customer
        assert desk.session.connected
        service = desk.session.service
        # Another agent fixes the nickname while this one edits the note.
        await service.update_customer(
            customer.id, CustomerFields(nickname="Elsewhere"), version=customer.version
        )
        form.query_one("#note", TextArea).text = "Typed here."
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = await service.retrieve_customer(customer.id)
        assert stored.nickname == "Elsewhere"
        assert stored.note == "Typed here."
        assert stored.version == customer.version + 2
        assert not form.editing


async def test_a_clash_on_the_same_field_keeps_the_typed_text(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        form = await open_first_for_editing(pilot)
        customer = form.customer
        assert desk.session.connected
        service = desk.session.service
        await service.update_customer(
            customer.id, CustomerFields(nickname="Theirs"), version=customer.version
        )
        nickname = form.query_one("#nickname", Input)
        nickname.value = "Mine"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.editing
        assert nickname.value == "Mine"
        assert "Theirs" in str(form.query_one("#error-nickname").render())
        assert (await service.retrieve_customer(customer.id)).nickname == "Theirs"
        # Saving again is a deliberate overwrite of their value.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not form.editing
        assert (await service.retrieve_customer(customer.id)).nickname == "Mine"


async def test_escape_with_unsaved_edits_asks_before_discarding(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        form = await open_first_for_editing(pilot)
        original = form.query_one("#given_name", Input).value
        form.query_one("#given_name", Input).value = "Changed"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(desk.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(desk.screen, CustomerScreen)
        assert form.query_one("#given_name", Input).value == "Changed"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not form.editing
        assert form.query_one("#given_name", Input).value == original
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(desk.screen, SearchScreen)


async def test_typing_an_email_or_a_phone_finds_the_customer(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = desk.screen.query_one(CustomerTable)
        target = next(c for c in table.customers if c.email_address and c.phone_number)
        assert target.email_address is not None and target.phone_number is not None
        await type_text(pilot, target.email_address)
        await settle(pilot)
        assert table.customers[0].id == target.id  # the exact address ranks first
        await pilot.press("escape")
        digits = "".join(ch for ch in target.phone_number if ch.isdigit())[-7:]
        await type_text(pilot, digits)
        await settle(pilot)
        assert target.id in {c.id for c in table.customers}
        assert all(
            digits in "".join(ch for ch in (c.phone_number or "") if ch.isdigit())
            for c in table.customers
        )


async def test_edit_the_address_a_bad_country_is_shown_beside_it(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        form = await open_first_for_editing(pilot)
        customer = form.customer
        assert customer.address is not None and customer.address.address_line_1
        form.query_one("#locality", Input).value = "Springfield"
        form.query_one("#country", Input).value = "UK"  # the ISO code is GB
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.editing
        assert form.query_one("#field-country").has_class("-invalid")
        assert form.query_one("#locality", Input).value == "Springfield"
        form.query_one("#country", Input).value = "gb"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not form.editing
        assert desk.session.connected
        stored = await desk.session.service.retrieve_customer(customer.id)
        assert stored.address is not None
        assert stored.address.locality == "Springfield"
        assert stored.address.country == "GB"
        assert stored.address.address_line_1 == customer.address.address_line_1
        assert stored.address.postal_code == customer.address.postal_code


async def test_an_operator_filters_through_square(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert desk.session.connected
        service = desk.session.service
        groups = [g async for g in service.iter_customer_groups()]
        vip = next(g for g in groups if g.name == "VIP")
        await type_text(pilot, "group:vip")
        await settle(pilot)
        table = desk.screen.query_one(CustomerTable)
        assert len(table.customers) > 0
        assert all(vip.id in c.group_ids for c in table.customers)
        await pilot.press("escape")
        await type_text(pilot, "created:>soon")
        await settle(pilot)
        assert desk.is_running and len(table.customers) == 0
        assert "created" in table.empty_text  # the reason, where the rows would be
