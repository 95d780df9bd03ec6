"""The Custom fields panel, driven with the keys: each kind edited and saved, a read-only
field, every bad value told at once, and a value changed elsewhere meanwhile."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, SelectionList, Switch

from app.desk.custom_fields import CustomFields
from app.square import SquareService
from app.tui import CustomerDeskApp
from tests.tui.helpers import SIZE, open_first, settle, type_text
from widgets.custom_fields import CustomFieldsPanel


async def fields_panel(pilot: Pilot[Any]) -> tuple[CustomFieldsPanel, str]:
    customer = await open_first(pilot)
    await pilot.press("]", "]", "]")
    await settle(pilot)
    panel = pilot.app.screen.query_one(CustomFieldsPanel)
    assert panel.fields is not None
    return panel, customer.id


def index_of(fields: CustomFields, name: str) -> int:
    return [f.name for f in fields.fields].index(name)


async def retype(pilot: Pilot[Any], editor: Input, text: str) -> None:
    editor.focus()
    editor.value = ""
    await type_text(pilot, text)


async def test_text_date_toggle_and_selection_saved(
    desk: CustomerDeskApp, service: SquareService
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        panel, customer_id = await fields_panel(pilot)
        assert panel.fields is not None
        fields = panel.fields
        drink = index_of(fields, "Favourite drink")
        vip = index_of(fields, "VIP since")
        diet = index_of(fields, "Dietary needs")
        toggle = index_of(fields, "Wholesale account")
        await retype(pilot, panel.query_one(f"#cf-{drink}", Input), "Oat flat white")
        await retype(pilot, panel.query_one(f"#cf-{vip}", Input), "2025-02-14")
        switch = panel.query_one(f"#cf-{toggle}", Switch)
        was = switch.value
        switch.focus()
        await pilot.press("space")
        choices: SelectionList[str] = panel.query_one(f"#cf-{diet}", SelectionList)
        choices.focus()
        choices.deselect_all()
        await pilot.press("space")  # the first option: Vegetarian
        assert panel.dirty
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not panel.dirty
        values = {a.key: a.value async for a in service.iter_custom_attributes(customer_id)}
        assert values[fields.fields[drink].key] == "Oat flat white"
        assert values[fields.fields[vip].key] == "2025-02-14"
        assert values[fields.fields[toggle].key] is (not was)
        vegetarian = fields.fields[diet].definition.options[0].id
        assert values[fields.fields[diet].key] == [vegetarian]


async def test_the_read_only_field_is_disabled_and_says_why(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        panel, _ = await fields_panel(pilot)
        assert panel.fields is not None
        tier = index_of(panel.fields, "Loyalty tier")
        assert panel.query_one(f"#cf-{tier}", Input).disabled
        note = panel.query_one(f"#cf-field-{tier}").query(".field-note").first()
        assert "only it can change it" in str(note.render())


async def test_three_bad_values_are_three_messages_and_nothing_is_saved(
    desk: CustomerDeskApp, service: SquareService
) -> None:
    from app.square import CustomAttributeDefinitionFields, type_schema

    for key, schema in (("visits", type_schema("Number")), ("work_email", type_schema("Email"))):
        await service.create_custom_attribute_definition(
            CustomAttributeDefinitionFields(key=key, schema_=schema, name=key, description=key)
        )
    async with desk.run_test(size=SIZE) as pilot:
        panel, customer_id = await fields_panel(pilot)
        assert panel.fields is not None
        fields = panel.fields
        vip, visits = index_of(fields, "VIP since"), index_of(fields, "visits")
        email = index_of(fields, "work_email")
        await retype(pilot, panel.query_one(f"#cf-{vip}", Input), "2025-02-30")
        await retype(pilot, panel.query_one(f"#cf-{visits}", Input), "lots")
        await retype(pilot, panel.query_one(f"#cf-{email}", Input), "ada@@example")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(panel.query(".custom-field.-invalid")) == 3
        assert panel.dirty  # the text stays
        values = {a.key async for a in service.iter_custom_attributes(customer_id)}
        assert "visits" not in values and "work_email" not in values


async def test_a_value_changed_elsewhere_is_shown_then_saved_over_on_purpose(
    desk: CustomerDeskApp, service: SquareService
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        panel, customer_id = await fields_panel(pilot)
        assert panel.fields is not None
        drink = index_of(panel.fields, "Favourite drink")
        custom = panel.fields.fields[drink]
        await service.upsert_custom_attribute(
            customer_id, custom.key, "Mocha", version=custom.version
        )
        editor = panel.query_one(f"#cf-{drink}", Input)
        await retype(pilot, editor, "Green tea")
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = panel.query_one(f"#cf-error-{drink}")
        assert "changed elsewhere to “Mocha”" in str(error.render())
        assert editor.value == "Green tea"
        assert (await service.retrieve_custom_attribute(customer_id, custom.key)).value == "Mocha"
        editor.focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = await service.retrieve_custom_attribute(customer_id, custom.key)
        assert stored.value == "Green tea"
