"""The Customer Custom Attributes API through Square's SDK: every operation, success and error
paths, each answer held to the spec's schemas by the wire checker."""

from __future__ import annotations

from typing import Any

from square import Square

from .conftest import NO_RETRY, expect_error, new_customer, some, unique
from .openapi import WireChecker

TYPES = "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common."
SELECTION = "https://developer-production-s.squarecdn.com/meta-schemas/v1/selection.json"
OWN = "sq0idp-customer-desk-emulator"


def definition(key: str, type_name: str = "String", **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "schema": {"$ref": TYPES + type_name},
        "name": f"Field {key}",
        "description": f"What {key} is.",
        "visibility": "VISIBILITY_READ_WRITE_VALUES",
        **extra,
    }


def define(square: Square, key: str, type_name: str = "String", **extra: Any) -> Any:
    made = square.customers.custom_attribute_definitions.create(
        custom_attribute_definition=definition(key, type_name, **extra),
        idempotency_key=unique("def"),
    ).custom_attribute_definition
    return some(made)


def seller_field(square: Square, name: str) -> Any:
    """One of the demo seller's own custom fields (made in the Dashboard)."""
    return next(d for d in square.customers.custom_attribute_definitions.list() if d.name == name)


def test_definition_operations(square: Square, checker: WireChecker) -> None:
    key = unique("movie")
    made = define(square, key)
    assert (made.key, made.version, made.visibility) == (key, 1, "VISIBILITY_READ_WRITE_VALUES")
    assert made.schema_ == {"$ref": TYPES + "String"}
    assert made.created_at == made.updated_at
    defs = square.customers.custom_attribute_definitions
    assert defs.get(key=key).custom_attribute_definition == made
    assert defs.get(key=key, version=1).custom_attribute_definition == made
    expect_error(lambda: defs.get(key=key, version=2), 400, "BAD_REQUEST", field="version")
    # every page of the list, two at a time: ours, and the seller's fields
    keys = [d.key for d in defs.list(limit=2)]
    assert key in keys and len(keys) == len(set(keys))
    assert any(str(k).startswith("square:") for k in keys)
    assert not any(str(k).endswith(":sync-token") for k in keys)  # another app's hidden one
    changed = some(
        defs.update(
            key=key,
            custom_attribute_definition={"description": "Films they like.", "version": 1},
            idempotency_key=unique("upd"),
        ).custom_attribute_definition
    )
    assert (changed.description, changed.name, changed.version) == (
        "Films they like.",
        made.name,
        2,
    )
    expect_error(
        lambda: defs.update(
            key=key,
            custom_attribute_definition={"description": "late", "version": 1},
            request_options=NO_RETRY,
        ),
        409,
        "CONFLICT",
        field="custom_attribute_definition.version",
    )
    assert defs.delete(key=key) is not None
    expect_error(lambda: defs.get(key=key), 404, "NOT_FOUND", field="key")
    expect_error(lambda: defs.delete(key=key), 404, "NOT_FOUND", field="key")
    assert {
        "CreateCustomerCustomAttributeDefinition",
        "RetrieveCustomerCustomAttributeDefinition",
        "ListCustomerCustomAttributeDefinitions",
        "UpdateCustomerCustomAttributeDefinition",
        "DeleteCustomerCustomAttributeDefinition",
    } <= checker.seen


def test_definition_errors(square: Square) -> None:
    defs = square.customers.custom_attribute_definitions
    key = unique("dup")
    define(square, key)
    cases: list[tuple[dict[str, Any], str, str]] = [
        (definition(key), "INVALID_VALUE", "key"),
        (definition("bad key!"), "INVALID_VALUE", "key"),
        (definition(unique("k"), "Duration"), "INVALID_VALUE", "schema"),
        (definition(unique("k"), name=None), "MISSING_REQUIRED_PARAMETER", "name"),
        (definition(unique("k"), name=f"Field {key}"), "INVALID_VALUE", "name"),
        (definition(unique("k"), description="d" * 256), "VALUE_TOO_LONG", "description"),
    ]
    for body, code, field in cases:

        def create(body: Any = body) -> object:
            return defs.create(custom_attribute_definition=body)

        expect_error(
            create,
            400,
            code,
            field=f"custom_attribute_definition.{field}",
        )
    drink = seller_field(square, "Favourite drink")
    expect_error(
        lambda: defs.update(key=some(drink.key), custom_attribute_definition={"name": "x"}),
        403,
        "FORBIDDEN",
        category="AUTHENTICATION_ERROR",
    )
    expect_error(
        lambda: defs.update(
            key=key, custom_attribute_definition={"schema": {"$ref": TYPES + "Number"}}
        ),
        400,
        "INVALID_VALUE",
    )


def test_value_operations(square: Square, checker: WireChecker) -> None:
    cid = some(new_customer(square).id)
    key = unique("drink")
    define(square, key)
    values = square.customers.custom_attributes
    set_once = some(
        values.upsert(
            customer_id=cid,
            key=key,
            custom_attribute={"value": "Oat latte"},
            idempotency_key=unique("set"),
        ).custom_attribute
    )
    assert (set_once.key, set_once.value, set_once.version) == (key, "Oat latte", 1)
    assert set_once.visibility == "VISIBILITY_READ_WRITE_VALUES" and set_once.definition is None
    again = some(
        values.upsert(
            customer_id=cid, key=key, custom_attribute={"value": "Tea", "version": 1}
        ).custom_attribute
    )
    assert (again.value, again.version) == ("Tea", 2)
    expect_error(
        lambda: values.upsert(
            customer_id=cid,
            key=key,
            custom_attribute={"value": "Milk", "version": 1},
            request_options=NO_RETRY,
        ),
        409,
        "CONFLICT",
        field="custom_attribute.version",
    )
    read = some(values.get(customer_id=cid, key=key, with_definition=True).custom_attribute)
    assert read.value == "Tea" and some(read.definition).key == key
    expect_error(
        lambda: values.get(customer_id=cid, key=key, version=3), 400, "BAD_REQUEST", field="version"
    )
    listed = list(values.list(customer_id=cid, with_definitions=True))
    assert [(a.key, a.value) for a in listed] == [(key, "Tea")]
    assert some(listed[0].definition).name == f"Field {key}"
    assert values.delete(customer_id=cid, key=key) is not None
    expect_error(lambda: values.get(customer_id=cid, key=key), 404, "NOT_FOUND", field="key")
    expect_error(lambda: values.delete(customer_id=cid, key=key), 404, "NOT_FOUND", field="key")
    assert list(values.list(customer_id=cid)) == []
    expect_error(
        lambda: values.list(customer_id="NOPE").items, 404, "NOT_FOUND", field="customer_id"
    )
    assert {
        "UpsertCustomerCustomAttribute",
        "RetrieveCustomerCustomAttribute",
        "ListCustomerCustomAttributes",
        "DeleteCustomerCustomAttribute",
    } <= checker.seen


def test_values_are_checked_against_their_type(square: Square) -> None:
    cid = some(new_customer(square).id)
    values = square.customers.custom_attributes
    cases: list[tuple[str, Any, Any, str]] = [
        ("Email", "ada@example.com", "invalid-email", "INVALID_EMAIL_ADDRESS"),
        ("PhoneNumber", "+16175551212", "617-555-1212", "INVALID_PHONE_NUMBER"),
        ("Number", "10.5", "ten", "INVALID_VALUE"),
        ("Boolean", True, "yes", "EXPECTED_BOOLEAN"),
        ("Date", "2020-02-08", "2020-02-30", "INVALID_TIME"),
        ("Address", {"postal_code": "94103", "country": "US"}, "94103", "EXPECTED_OBJECT"),
        ("String", "Dune", 42, "EXPECTED_STRING"),
    ]
    for type_name, good, bad, code in cases:
        key = unique(type_name.lower())
        define(square, key, type_name)
        made = values.upsert(customer_id=cid, key=key, custom_attribute={"value": good})
        assert some(made.custom_attribute).value == good

        def upsert(key: str = key, bad: Any = bad) -> object:
            return values.upsert(customer_id=cid, key=key, custom_attribute={"value": bad})

        expect_error(
            upsert,
            400,
            code,
            field="custom_attribute.value",
        )
    key = unique("colours")
    made = square.customers.custom_attribute_definitions.create(
        custom_attribute_definition={
            **definition(key),
            "schema": {
                "$schema": SELECTION,
                "type": "array",
                "uniqueItems": True,
                "maxItems": 1,
                "items": {"names": ["Red", "Blue"]},
            },
        }
    ).custom_attribute_definition
    red, blue = some(some(made).schema_)["items"]["enum"]
    assert some(
        values.upsert(customer_id=cid, key=key, custom_attribute={"value": [blue]}).custom_attribute
    ).value == [blue]
    expect_error(
        lambda: values.upsert(customer_id=cid, key=key, custom_attribute={"value": [red, blue]}),
        400,
        "ARRAY_LENGTH_TOO_LONG",
    )


def test_bulk_upsert(square: Square, checker: WireChecker) -> None:
    ada, bob = some(new_customer(square).id), some(new_customer(square).id)
    key = unique("bulk")
    define(square, key, "Date")
    answer = square.customers.custom_attribute_definitions.batch_upsert(
        values={
            "ada": {
                "customer_id": ada,
                "custom_attribute": {"key": key, "value": "2024-02-29"},
                "idempotency_key": unique("b"),
            },
            "bob": {"customer_id": bob, "custom_attribute": {"key": key, "value": "2023-02-29"}},
            "nobody": {
                "customer_id": "NOPE",
                "custom_attribute": {"key": key, "value": "2024-01-01"},
            },
        }
    )
    results = some(answer.values)
    assert some(results["ada"].custom_attribute).value == "2024-02-29"
    assert results["ada"].customer_id == ada and results["ada"].errors is None
    assert [e.code for e in some(results["bob"].errors)] == ["INVALID_TIME"]
    assert [e.code for e in some(results["nobody"].errors)] == ["NOT_FOUND"]
    assert answer.errors is None
    read = square.customers.custom_attributes.get(customer_id=ada, key=key).custom_attribute
    assert some(read).version == 1
    expect_error(
        lambda: square.customers.custom_attribute_definitions.batch_upsert(values={}),
        400,
        "ARRAY_LENGTH_TOO_SHORT",
        field="values",
    )
    assert "BulkUpsertCustomerCustomAttributes" in checker.seen


def test_the_seller_s_fields_and_the_search_filter(square: Square) -> None:
    drink, vip = seller_field(square, "Favourite drink"), seller_field(square, "VIP since")
    assert (
        str(drink.key).startswith("square:") and drink.visibility == "VISIBILITY_READ_WRITE_VALUES"
    )
    tag = unique("brew")
    fan, other = some(new_customer(square).id), some(new_customer(square).id)
    values = square.customers.custom_attributes
    values.upsert(
        customer_id=fan, key=some(drink.key), custom_attribute={"value": f"{tag} cold brew"}
    )
    values.upsert(customer_id=other, key=some(drink.key), custom_attribute={"value": f"{tag} tea"})
    values.upsert(customer_id=fan, key=some(vip.key), custom_attribute={"value": "2021-06-01"})

    def ids(*filters: dict[str, Any]) -> set[str]:
        query = {"filter": {"custom_attribute": {"filters": list(filters)}}}
        found = square.customers.search(query=query).customers
        return {some(c.id) for c in found or []}

    text = {"key": drink.key, "filter": {"text": {"fuzzy": f"brew {tag}"}}}
    assert ids(text) == {fan}
    assert ids({"key": drink.key, "filter": {"text": {"fuzzy": tag}}}) == {fan, other}
    since = {"key": vip.key, "filter": {"date": {"start_at": "2021-06-01", "end_at": "2021-06-01"}}}
    assert fan in ids(since)
    expect_error(
        lambda: ids({"key": drink.key, "filter": {"boolean": True}}),
        400,
        "BAD_REQUEST",
        field="query.filter.custom_attribute.filters[0].filter.boolean",
    )
