"""The service's custom attribute methods against the emulator (in-process, seeded demo)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.emulator.asgi import create_app
from app.emulator.store import Store
from app.square import (
    Address,
    ConflictError,
    CustomAttribute,
    CustomAttributeDefinition,
    CustomAttributeDefinitionFields,
    CustomAttributeFilter,
    CustomAttributeFilters,
    CustomAttributeFilterValue,
    CustomAttributeUpsert,
    CustomerFilter,
    CustomerQuery,
    FilterValue,
    ForbiddenError,
    NotFoundError,
    NumberRange,
    SquareService,
    TextFilter,
    TimeRange,
    ValidationError,
    selection_schema,
    type_schema,
    wire_value,
)
from tests.conftest import EMULATOR_URL, FrozenClock


async def definitions(service: SquareService) -> dict[str, CustomAttributeDefinition]:
    return {d.name or d.key: d async for d in service.iter_custom_attribute_definitions(limit=2)}


async def some_customer_id(service: SquareService) -> str:
    return (await service.list_customers(limit=3)).customers[2].id


def bodies(service: SquareService, path_part: str) -> list[dict[str, Any]]:
    requests = service.transport.requests  # type: ignore[attr-defined]
    return [json.loads(body) for method, path, body in requests if path_part in path and body]


async def test_the_demo_s_fields_and_what_the_desk_may_do_with_them(
    service: SquareService,
) -> None:
    seen = await definitions(service)
    assert {"Favourite drink", "VIP since", "Dietary needs", "Wholesale account"} <= set(seen)
    drink, diet, tier = seen["Favourite drink"], seen["Dietary needs"], seen["Loyalty tier"]
    assert (drink.attribute_type, seen["VIP since"].attribute_type) == ("String", "Date")
    assert seen["Wholesale account"].attribute_type == "Boolean"
    assert drink.is_seller_field and drink.values_writable and not drink.owned
    assert diet.attribute_type == "Selection" and diet.max_selections == 4
    assert [o.name for o in diet.options] == ["Vegetarian", "Vegan", "Gluten-free", "Nut allergy"]
    assert tier.key == "sq0idp-loyalty-demo:tier" and not tier.values_writable
    assert not any(key.endswith("sync-token") for key in seen)  # another app's hidden field


async def test_definition_round_trip(service: SquareService) -> None:
    made = await service.create_custom_attribute_definition(
        CustomAttributeDefinitionFields(
            key="birthday-club",
            schema_=type_schema("Date"),
            name="Birthday club",
            description="Joined the birthday club on.",
            visibility="VISIBILITY_READ_WRITE_VALUES",
        )
    )
    assert (made.key, made.version, made.attribute_type, made.owned) == (
        "birthday-club",
        1,
        "Date",
        True,
    )
    sent = bodies(service, "custom-attribute-definitions")[0]
    assert sent["custom_attribute_definition"]["schema"] == type_schema("Date")
    assert sent["idempotency_key"]
    assert await service.retrieve_custom_attribute_definition("birthday-club") == made
    changed = await service.update_custom_attribute_definition(
        "birthday-club", CustomAttributeDefinitionFields(description="Since."), version=1
    )
    assert (changed.description, changed.name, changed.version) == ("Since.", made.name, 2)
    with pytest.raises(ConflictError):
        await service.update_custom_attribute_definition(
            "birthday-club", CustomAttributeDefinitionFields(description="x"), version=1
        )
    with pytest.raises(ValidationError) as info:
        await service.create_custom_attribute_definition(
            CustomAttributeDefinitionFields(key="birthday-club", schema_=type_schema("String"))
        )
    assert "custom_attribute_definition.key" in info.value.field_errors
    await service.delete_custom_attribute_definition("birthday-club")
    with pytest.raises(NotFoundError):
        await service.retrieve_custom_attribute_definition("birthday-club")


async def test_only_the_owner_changes_a_definition(service: SquareService) -> None:
    drink = (await definitions(service))["Favourite drink"]
    with pytest.raises(ForbiddenError) as info:
        await service.delete_custom_attribute_definition(drink.key)
    assert "FORBIDDEN" in info.value.codes and not service.read_only  # not a scope matter


async def test_values_of_every_type(service: SquareService) -> None:
    cid = await some_customer_id(service)
    colours = await service.create_custom_attribute_definition(
        CustomAttributeDefinitionFields(
            key="colours", schema_=selection_schema(["Red", "Blue"], max_selections=1)
        )
    )
    blue = colours.options[1]
    cases: list[tuple[str, Any, Any]] = [
        ("String", "Dune", "Dune"),
        ("Number", Decimal("10.5"), "10.5"),
        ("Number", 7, "7"),
        ("Boolean", True, True),
        ("Date", date(2024, 2, 29), "2024-02-29"),
        ("Email", "ada@example.com", "ada@example.com"),
        ("PhoneNumber", "+16175551212", "+16175551212"),
        (
            "Address",
            Address(postal_code="94103", country="US"),
            {"postal_code": "94103", "country": "US"},
        ),
    ]
    for n, (type_name, value, wire) in enumerate(cases):
        key = f"t{n}"
        await service.create_custom_attribute_definition(
            CustomAttributeDefinitionFields(key=key, schema_=type_schema(type_name))  # type: ignore[arg-type]
        )
        made = await service.upsert_custom_attribute(cid, key, value)
        assert (made.key, made.value, made.version) == (key, wire, 1)
    chosen = await service.upsert_custom_attribute(cid, "colours", [blue.id])
    assert chosen.value == [blue.id]
    held = [a async for a in service.iter_custom_attributes(cid, limit=3, with_definitions=True)]
    mine = {a.key: a for a in held if a.definition is not None and a.definition.owned}
    assert set(mine) == {f"t{n}" for n in range(len(cases))} | {"colours"}
    assert mine["t4"].definition is not None and mine["t4"].definition.attribute_type == "Date"
    with pytest.raises(ValidationError) as info:
        await service.upsert_custom_attribute(cid, "t5", "invalid-email")
    assert info.value.code == "INVALID_EMAIL_ADDRESS"
    assert "custom_attribute.value" in info.value.field_errors


async def test_value_versions_and_delete(service: SquareService) -> None:
    cid = await some_customer_id(service)
    drink = (await definitions(service))["Favourite drink"]
    try:
        current = await service.retrieve_custom_attribute(cid, drink.key)
        version = current.version
    except NotFoundError:
        version = 0
    saved = await service.upsert_custom_attribute(cid, drink.key, "Oat cortado", version=version)
    assert saved.version == version + 1 and saved.key == drink.key
    with pytest.raises(ConflictError):
        await service.upsert_custom_attribute(cid, drink.key, "Tea", version=version)
    read = await service.retrieve_custom_attribute(cid, drink.key, with_definition=True)
    assert read.value == "Oat cortado" and read.definition == drink
    await service.delete_custom_attribute(cid, drink.key)
    with pytest.raises(NotFoundError):
        await service.retrieve_custom_attribute(cid, drink.key)
    with pytest.raises(NotFoundError):
        await service.delete_custom_attribute(cid, drink.key)


async def test_bulk_upsert(service: SquareService) -> None:
    cid = await some_customer_id(service)
    seen = await definitions(service)
    results = await service.bulk_upsert_custom_attributes(
        [
            CustomAttributeUpsert(
                customer_id=cid, key=seen["VIP since"].key, value=date(2022, 1, 3)
            ),
            CustomAttributeUpsert(customer_id=cid, key=seen["Loyalty tier"].key, value="Gold"),
            CustomAttributeUpsert(customer_id="NOPE", key=seen["Favourite drink"].key, value="x"),
        ]
    )
    assert list(results) == ["0", "1", "2"]
    assert isinstance(results["0"], CustomAttribute) and results["0"].value == "2022-01-03"
    assert isinstance(results["1"], ForbiddenError)  # another app's read-only field
    assert isinstance(results["2"], NotFoundError)
    sent = bodies(service, "bulk-upsert")[0]["values"]
    assert all(entry["idempotency_key"] for entry in sent.values())


async def test_search_by_a_custom_field(service: SquareService, store: Store) -> None:
    drink = (await definitions(service))["Favourite drink"]
    owner, key = drink.key.split(":")
    holders = {v["customer_id"]: v["value"] for v in store.values_for(owner, key)}
    wanted = sorted(holders.values())[0]
    expected = {cid for cid, value in holders.items() if value.casefold() == wanted.casefold()}
    query = CustomerQuery(
        filter=CustomerFilter(
            custom_attribute=CustomAttributeFilters(
                filters=[
                    CustomAttributeFilter(
                        key=drink.key,
                        filter=CustomAttributeFilterValue(text=TextFilter(exact=wanted)),
                    )
                ]
            )
        )
    )
    found = {c.id async for c in service.iter_search(query, limit=100)}
    assert found == expected and found
    # the other kinds are typed too, and go out as Square's JSON
    body = CustomerQuery(
        filter=CustomerFilter(
            custom_attribute=CustomAttributeFilters(
                filters=[
                    CustomAttributeFilter(
                        key="k",
                        filter=CustomAttributeFilterValue(
                            number=NumberRange(start_at=Decimal("1.5"))
                        ),
                        updated_at=TimeRange(start_at="2024-01-01T00:00:00Z"),
                    ),
                    CustomAttributeFilter(
                        key="s",
                        filter=CustomAttributeFilterValue(selection=FilterValue(any=["Vegan"])),
                    ),
                    CustomAttributeFilter(
                        key="b", filter=CustomAttributeFilterValue(boolean=False)
                    ),
                ]
            )
        )
    ).to_body()
    assert body["filter"]["custom_attribute"]["filters"] == [
        {
            "key": "k",
            "filter": {"number": {"start_at": "1.5"}},
            "updated_at": {"start_at": "2024-01-01T00:00:00Z"},
        },
        {"key": "s", "filter": {"selection": {"any": ["Vegan"]}}},
        {"key": "b", "filter": {"boolean": False}},
    ]


def test_wire_values() -> None:
    assert wire_value(date(2020, 2, 8)) == "2020-02-08"
    assert wire_value(Decimal("-0.50")) == "-0.50"
    assert wire_value(["a", "b"]) == ["a", "b"]
    assert wire_value(Address(country="GB")) == {"country": "GB"}
    with pytest.raises(TypeError):
        wire_value(1.5)  # a float is not exact: use Decimal or a string
    with pytest.raises(ValueError):
        type_schema("Selection")


class LoseFirstAnswer(httpx.AsyncBaseTransport):
    """Delivers every request; the first answer to a POST on `path_part` is lost on the way
    back (the write committed, the connection dropped)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, path_part: str) -> None:
        self.inner, self.path_part, self.lost = inner, path_part, 0
        self.sent: list[dict[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and self.path_part in request.url.path:
            self.sent.append(json.loads(await request.aread()))
            if not self.lost:
                self.lost += 1
                await response.aread()
                raise httpx.ReadError("connection dropped", request=request)
        return response


async def test_a_retried_upsert_lands_once(store: Store, clock: FrozenClock) -> None:
    transport = LoseFirstAnswer(
        httpx.ASGITransport(app=create_app(store, clock=clock)), "/custom-attributes/"
    )
    async with SquareService(
        EMULATOR_URL, "customer-desk-demo-token", transport=transport, backoff_base=0.001
    ) as service:
        cid = (await service.list_customers(limit=1)).customers[0].id
        await service.create_custom_attribute_definition(
            CustomAttributeDefinitionFields(key="retried", schema_=type_schema("String"))
        )
        saved = await service.upsert_custom_attribute(cid, "retried", "Tea", version=0)
    assert saved.version == 1  # the retry got the first answer replayed, not a conflict
    assert len(transport.sent) == 2
    assert transport.sent[0] == transport.sent[1]  # the same idempotency key both times
