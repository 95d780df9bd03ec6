"""Cards, groups, a new customer and a deletion, driven with keys against the emulator."""

from __future__ import annotations

from textual.widgets import Input, OptionList, TabbedContent

from app.tui import CustomerDeskApp
from screens.add_card import AddCardDialog
from screens.confirm import ConfirmDialog
from screens.customer import CustomerScreen
from screens.pick_group import GroupPicker
from screens.search import SearchScreen
from tests.tui.helpers import SIZE, open_first, settle, type_text
from widgets.cards_panel import CardsPanel
from widgets.customer_table import CustomerTable
from widgets.groups_panel import GroupsPanel
from widgets.profile_form import ProfileForm


async def test_add_and_remove_a_card(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        customer = await open_first(pilot)
        assert desk.session.connected
        service = desk.session.service
        before = [c async for c in service.iter_cards(customer_id=customer.id)]
        await pilot.press("]")
        await settle(pilot)
        assert desk.screen.query_one(TabbedContent).active == "cards"
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(desk.screen, AddCardDialog)
        await type_text(pilot, "cnon:card-nonce-ok")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen)
        after = [c async for c in service.iter_cards(customer_id=customer.id)]
        assert len(after) == len(before) + 1
        panel = desk.screen.query_one(CardsPanel)
        assert {c.id for c in panel.cards} == {c.id for c in after}
        added = next(c for c in after if c.id not in {b.id for b in before})
        assert added.last_4 == "5858"
        tab = desk.screen.query_one(TabbedContent).get_tab("cards")
        assert str(tab.label) == f"Cards ({len(after)})"
        # Remove it: select its row, d, confirm.
        panel.query_one("DataTable").move_cursor(row=panel.cards.index(added))
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(desk.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        remaining = [c async for c in service.iter_cards(customer_id=customer.id)]
        assert added.id not in {c.id for c in remaining}
        assert (await service.retrieve_card(added.id)).enabled is False
        assert added.id not in {c.id for c in panel.cards}


async def test_a_declined_card_keeps_the_dialog_open_with_the_reason(
    desk: CustomerDeskApp,
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await pilot.press("]", "a")
        await pilot.pause()
        await type_text(pilot, "cnon:card-nonce-declined")
        await pilot.press("enter")
        await settle(pilot)
        dialog = desk.screen
        assert isinstance(dialog, AddCardDialog)
        assert dialog.query_one("#source", Input).value == "cnon:card-nonce-declined"
        assert "declined" in str(dialog.query_one("#error").render()).lower()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(desk.screen, CustomerScreen)


async def test_add_and_remove_a_group(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        customer = await open_first(pilot)
        assert desk.session.connected
        service = desk.session.service
        groups = [g async for g in service.iter_customer_groups()]
        candidate = next(g for g in groups if g.id not in customer.group_ids)
        await pilot.press("]", "]")
        await settle(pilot)
        assert desk.screen.query_one(TabbedContent).active == "groups"
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(desk.screen, GroupPicker)
        await type_text(pilot, candidate.name)
        assert desk.screen.query_one(OptionList).option_count >= 1
        await pilot.press("enter")
        await settle(pilot)
        stored = await service.retrieve_customer(customer.id)
        assert candidate.id in stored.group_ids
        assert stored.version == customer.version + 1
        panel = desk.screen.query_one(GroupsPanel)
        assert candidate.id in {g.id for g in panel.groups}
        # Remove it again.
        row = [g.id for g in panel.groups].index(candidate.id)
        panel.query_one("DataTable").move_cursor(row=row)  # type: ignore[attr-defined]
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        stored = await service.retrieve_customer(customer.id)
        assert candidate.id not in stored.group_ids
        assert candidate.id not in {g.id for g in panel.groups}


async def test_a_new_group_name_creates_the_group(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        customer = await open_first(pilot)
        await pilot.press("]", "]", "a")
        await pilot.pause()
        await type_text(pilot, "Wholesale [EU]")
        await pilot.press("enter")
        await settle(pilot)
        assert desk.session.connected
        service = desk.session.service
        named = [g async for g in service.iter_customer_groups() if g.name == "Wholesale [EU]"]
        assert len(named) == 1
        group = named[0]
        assert group.id in (await service.retrieve_customer(customer.id)).group_ids


async def test_create_a_new_customer(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        desk.screen.query_one(CustomerTable).focus()
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen)
        form = desk.screen.query_one(ProfileForm)
        assert form.editing
        await type_text(pilot, "Grace")
        await pilot.press("tab")
        await type_text(pilot, "Hopper")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not form.editing
        created = desk.screen.customer
        assert created.id
        assert desk.session.connected
        stored = await desk.session.service.retrieve_customer(created.id)
        assert (stored.given_name, stored.family_name) == ("Grace", "Hopper")
        assert desk.session.directory.get(created.id) is not None
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(desk.screen, SearchScreen)
        desk.screen.query_one("#search", Input).focus()
        await type_text(pilot, "grace hop")
        await settle(pilot)
        assert created.id in {c.id for c in desk.screen.query_one(CustomerTable).customers}


async def test_delete_a_customer(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        customer = await open_first(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(desk.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(desk.screen, SearchScreen)
        assert customer.id not in {c.id for c in desk.screen.query_one(CustomerTable).customers}
        assert desk.session.connected
        assert desk.session.directory.get(customer.id) is None
        from app.square import NotFoundError

        try:
            await desk.session.service.retrieve_customer(customer.id)
        except NotFoundError:
            pass
        else:
            raise AssertionError("the customer is still there")


async def test_opening_a_customer_deleted_elsewhere_goes_back_and_drops_the_row(
    desk: CustomerDeskApp,
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = desk.screen.query_one(CustomerTable)
        table.focus()
        customer = table.selected_customer
        assert customer is not None and desk.session.connected
        await desk.session.service.delete_customer(customer.id)  # another agent, meanwhile
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, SearchScreen)
        assert desk.session.directory.get(customer.id) is None
        assert customer.id not in {c.id for c in table.customers}
