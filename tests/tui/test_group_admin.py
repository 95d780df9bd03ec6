"""Rename and delete a group from the picker: f2 / f8, the confirmation names its member count."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from app.square import SquareService
from app.tui import CustomerDeskApp
from screens.confirm import ConfirmDialog
from screens.group_admin import RenameGroupDialog
from screens.pick_group import GroupPicker
from tests.tui.helpers import SIZE, open_first, settle, type_text


async def test_rename_then_delete_from_the_picker(
    desk: CustomerDeskApp, service: SquareService
) -> None:
    vip = next(g for g in [g async for g in service.iter_customer_groups()] if g.name == "VIP")
    query = {"filter": {"group_ids": {"all": [vip.id]}}}
    members = len([c async for c in service.iter_search(query)])
    async with desk.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await pilot.press("]", "]", "a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, GroupPicker)
        await type_text(pilot, "vip")
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RenameGroupDialog)
        pilot.app.screen.query_one("#name", Input).value = "VIP guests"
        await pilot.press("enter")
        await settle(pilot)
        assert (await service.retrieve_customer_group(vip.id)).name == "VIP guests"
        picker = pilot.app.screen
        assert isinstance(picker, GroupPicker)
        options = picker.query_one(OptionList)
        assert options.highlighted is not None
        assert options.get_option_at_index(options.highlighted).id == vip.id
        await pilot.press("f8")
        await settle(pilot)
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmDialog)
        assert f"Its {members} customers leave it" in confirm.question
        await pilot.press("y")
        await settle(pilot)
        assert vip.id not in {g.id async for g in service.iter_customer_groups()}
        assert isinstance(pilot.app.screen, GroupPicker)
        assert all(g.id != vip.id for g in pilot.app.screen.groups)
