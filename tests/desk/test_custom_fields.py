"""Custom fields against the emulator: load with definitions, save each type, conflicts, refusals.

The demo seller's fields ("Favourite drink", "VIP since", "Dietary needs", "Wholesale
account") are writable; the loyalty app's "Loyalty tier" is shared read-only and its hidden
field never shows. The other types (Number, Email, PhoneNumber, Address, a single-choice
Selection) are made by the desk's own application for the test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.config import Settings
from app.desk.custom_fields import (
    CustomFields,
    FieldsInvalid,
    FieldsSaved,
    Typed,
    load_custom_fields,
    save_custom_fields,
    shown_value,
    typed_of,
)
from app.desk.outcomes import Refused
from app.square import CustomAttributeDefinitionFields, SquareService, selection_schema, type_schema
from tests.desk.conftest import CountedSession, SessionMaker


def key_of(fields: CustomFields, name: str) -> str:
    found = [f.key for f in fields.fields if f.name == name]
    assert found, f"no custom field named {name!r}"
    return found[0]


async def first_customer(service: SquareService) -> str:
    return (await service.list_customers(limit=1)).customers[0].id


async def test_the_demo_fields_load_with_the_read_only_one_said_why(
    session: CountedSession, elsewhere: SquareService
) -> None:
    fields = await load_custom_fields(session, await first_customer(elsewhere))
    assert isinstance(fields, CustomFields)
    names = [f.name for f in fields.fields]
    for name in ("Favourite drink", "VIP since", "Dietary needs", "Wholesale account"):
        assert name in names
    tier = fields.fields[names.index("Loyalty tier")]
    assert not tier.writable and "read-only" in tier.read_only_reason
    assert "sync-token" not in [f.key.split(":")[-1] for f in fields.fields]  # hidden


async def test_text_date_selection_and_toggle_saved_and_read_back(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer_id = await first_customer(elsewhere)
    fields = await load_custom_fields(session, customer_id)
    assert isinstance(fields, CustomFields)
    drink, vip = key_of(fields, "Favourite drink"), key_of(fields, "VIP since")
    diet, wholesale = key_of(fields, "Dietary needs"), key_of(fields, "Wholesale account")
    diet_field = fields.get(diet)
    assert diet_field is not None
    vegan = next(o.id for o in diet_field.definition.options if o.name == "Vegan")
    typed: dict[str, Typed] = {
        drink: "Builder's tea",
        vip: "2024-05-01",
        diet: (vegan,),
        wholesale: True,
    }
    result = await save_custom_fields(session, fields, typed)
    assert isinstance(result, FieldsSaved) and result.complete
    assert result.saved == {drink, vip, diet, wholesale}
    assert (await elsewhere.retrieve_custom_attribute(customer_id, drink)).value == "Builder's tea"
    assert (await elsewhere.retrieve_custom_attribute(customer_id, vip)).value == "2024-05-01"
    assert (await elsewhere.retrieve_custom_attribute(customer_id, diet)).value == [vegan]
    assert (await elsewhere.retrieve_custom_attribute(customer_id, wholesale)).value is True
    untouched = {f.key: typed_of(f) for f in result.fields.fields}  # every editor as loaded
    only = await save_custom_fields(session, result.fields, untouched)
    assert isinstance(only, FieldsSaved) and not only.saved
    again = await save_custom_fields(session, result.fields, typed)  # nothing changed now
    assert isinstance(again, FieldsSaved) and not again.saved
    shown = result.fields.get(diet)
    assert shown is not None and shown_value(shown) == "Vegan"


async def test_an_untouched_unset_toggle_is_not_saved_as_no(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer_id = await first_customer(elsewhere)
    fields = await load_custom_fields(session, customer_id)
    assert isinstance(fields, CustomFields)
    wholesale = fields.get(key_of(fields, "Wholesale account"))
    assert wholesale is not None
    if wholesale.value is not None:
        await elsewhere.delete_custom_attribute(customer_id, wholesale.key)
        fields = await load_custom_fields(session, customer_id)
        assert isinstance(fields, CustomFields)
    typed = {f.key: typed_of(f) for f in fields.fields}  # every editor as loaded
    drink = key_of(fields, "Favourite drink")
    typed[drink] = "Cocoa"
    result = await save_custom_fields(session, fields, typed)
    assert isinstance(result, FieldsSaved) and result.saved == {drink}
    keys = {a.key async for a in elsewhere.iter_custom_attributes(customer_id)}
    assert wholesale.key not in keys


async def test_the_other_types_of_the_desks_own_fields(
    session: CountedSession, elsewhere: SquareService
) -> None:
    service = session.service
    for key, name, schema in (
        ("visits", "Visits", type_schema("Number")),
        ("work_email", "Work email", type_schema("Email")),
        ("mobile", "Mobile", type_schema("PhoneNumber")),
        ("ship_to", "Ship to", type_schema("Address")),
        ("size", "Size", selection_schema(["S", "M", "L"], max_selections=1)),
    ):
        await service.create_custom_attribute_definition(
            CustomAttributeDefinitionFields(key=key, schema_=schema, name=name, description=name)
        )
    customer_id = await first_customer(elsewhere)
    fields = await load_custom_fields(session, customer_id)
    assert isinstance(fields, CustomFields)
    size = fields.get("size")
    assert size is not None and size.definition.max_selections == 1
    medium = size.definition.options[1].id
    typed: dict[str, Typed] = {
        "visits": "12.5",
        "work_email": "ada@example.com",
        "mobile": "(206) 222-4444",
        "ship_to": {"address_line_1": "1 Main St", "locality": "Dublin", "country": "ie"},
        "size": (medium,),
    }
    result = await save_custom_fields(session, fields, typed)
    assert isinstance(result, FieldsSaved) and result.complete, result
    read = {a.key: a.value async for a in elsewhere.iter_custom_attributes(customer_id)}
    assert Decimal(str(read["visits"])) == Decimal("12.5")
    assert read["work_email"] == "ada@example.com"
    assert read["mobile"] == "+12062224444"
    assert read["ship_to"]["country"] == "IE" and read["ship_to"]["locality"] == "Dublin"
    assert read["size"] == [medium]


async def test_every_bad_value_is_told_at_once_and_nothing_is_sent(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer_id = await first_customer(elsewhere)
    fields = await load_custom_fields(session, customer_id)
    assert isinstance(fields, CustomFields)
    vip, tier = key_of(fields, "VIP since"), key_of(fields, "Loyalty tier")
    drink = key_of(fields, "Favourite drink")
    before = session.requests
    result = await save_custom_fields(
        session, fields, {vip: "2024-02-30", tier: "Platinum", drink: "x" * 1001}
    )
    assert isinstance(result, FieldsInvalid)
    assert set(result.problems) == {vip, tier, drink}
    assert "read-only" in result.problems[tier]
    assert session.requests == before


async def test_a_value_changed_elsewhere_is_a_conflict_then_saved_over_on_purpose(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer_id = await first_customer(elsewhere)
    fields = await load_custom_fields(session, customer_id)
    assert isinstance(fields, CustomFields)
    drink = key_of(fields, "Favourite drink")
    current = fields.get(drink)
    assert current is not None
    await elsewhere.upsert_custom_attribute(customer_id, drink, "Mocha", version=current.version)
    result = await save_custom_fields(session, fields, {drink: "Green tea"})
    assert isinstance(result, FieldsSaved) and not result.complete
    assert result.conflicts == {drink: "Mocha"}
    assert (await elsewhere.retrieve_custom_attribute(customer_id, drink)).value == "Mocha"
    again = await save_custom_fields(session, result.fields, {drink: "Green tea"})
    assert isinstance(again, FieldsSaved) and again.complete
    assert (await elsewhere.retrieve_custom_attribute(customer_id, drink)).value == "Green tea"


async def test_clearing_a_value_deletes_it(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer_id = await first_customer(elsewhere)
    fields = await load_custom_fields(session, customer_id)
    assert isinstance(fields, CustomFields)
    vip = key_of(fields, "VIP since")
    saved = await save_custom_fields(session, fields, {vip: date(2023, 1, 9).isoformat()})
    assert isinstance(saved, FieldsSaved) and saved.complete
    cleared = await save_custom_fields(session, saved.fields, {vip: ""})
    assert isinstance(cleared, FieldsSaved) and cleared.saved == {vip}
    assert vip not in {a.key async for a in elsewhere.iter_custom_attributes(customer_id)}


async def test_read_only_is_refused_before_any_request(
    make_session: SessionMaker, elsewhere: SquareService
) -> None:
    session = await make_session(Settings(read_only=True))
    fields = await load_custom_fields(session, await first_customer(elsewhere))
    assert isinstance(fields, CustomFields)
    drink = key_of(fields, "Favourite drink")
    before = session.requests
    result = await save_custom_fields(session, fields, {drink: "Cocoa"})
    assert isinstance(result, Refused) and result.operation == "UpsertCustomerCustomAttribute"
    assert session.requests == before
