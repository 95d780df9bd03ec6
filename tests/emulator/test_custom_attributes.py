"""Customer custom attributes on the emulator: definitions, values, versions, visibility, bulk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.emulator import ALL_SCOPES, DEMO_TOKEN
from app.emulator.attribute_types import SELECTION_URL, TYPE_URL
from app.emulator.store import Store
from tests.conftest import FrozenClock

from .conftest import ClientFactory, create, error_of

DEFS = "/v2/customers/custom-attribute-definitions"
OTHER_TOKEN = "other-application-token"
OTHER_APP = "sq0idp-other-application"
DROP = object()


def ref(type_name: str) -> dict[str, str]:
    return {"$ref": TYPE_URL + type_name}


async def define(
    client: httpx.AsyncClient,
    key: str,
    schema: dict[str, Any] | None = None,
    *,
    visibility: str = "VISIBILITY_READ_WRITE_VALUES",
    name: str | None = None,
) -> dict[str, Any]:
    body = {
        "key": key,
        "schema": schema or ref("String"),
        "name": name or f"Field {key}",
        "description": f"About {key}.",
        "visibility": visibility,
    }
    response = await client.post(DEFS, json={"custom_attribute_definition": body})
    assert response.status_code == 200, response.text
    made: dict[str, Any] = response.json()["custom_attribute_definition"]
    return made


def values_path(customer_id: str, key: str = "") -> str:
    base = f"/v2/customers/{customer_id}/custom-attributes"
    return f"{base}/{key}" if key else base


async def upsert(
    client: httpx.AsyncClient, customer_id: str, key: str, value: Any, **extra: Any
) -> httpx.Response:
    attribute = {"value": value, **extra}
    return await client.post(values_path(customer_id, key), json={"custom_attribute": attribute})


@pytest.fixture
async def other(make_client: ClientFactory) -> AsyncIterator[httpx.AsyncClient]:
    """A client of another application of the same seller."""
    tokens = {DEMO_TOKEN: ALL_SCOPES, OTHER_TOKEN: ALL_SCOPES}
    async with make_client(
        token=OTHER_TOKEN, tokens=tokens, applications={OTHER_TOKEN: OTHER_APP}
    ) as client:
        yield client


# --- definitions ------------------------------------------------------------------------------


async def test_definition_lifecycle(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    made = await define(client, "favorite-movie", name="Favourite movie")
    assert made == {
        "key": "favorite-movie",
        "schema": ref("String"),
        "name": "Favourite movie",
        "description": "About favorite-movie.",
        "visibility": "VISIBILITY_READ_WRITE_VALUES",
        "version": 1,
        "updated_at": "2026-11-26T09:30:00.000Z",
        "created_at": "2026-11-26T09:30:00.000Z",
    }
    path = f"{DEFS}/favorite-movie"
    assert (await client.get(path)).json() == {"custom_attribute_definition": made}
    assert (await client.get(path, params={"version": 1})).status_code == 200
    newer = await client.get(path, params={"version": 2})
    assert (newer.status_code, error_of(newer)["code"]) == (400, "BAD_REQUEST")

    clock.advance(60)
    changed = await client.put(
        path, json={"custom_attribute_definition": {"description": "Films.", "version": 1}}
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()["custom_attribute_definition"]
    assert (after["description"], after["name"], after["version"]) == (
        "Films.",
        "Favourite movie",  # sparse: untouched
        2,
    )
    assert after["updated_at"] > after["created_at"] == made["created_at"]
    stale = await client.put(
        path, json={"custom_attribute_definition": {"description": "x", "version": 1}}
    )
    assert stale.status_code == 409
    assert (error_of(stale)["code"], error_of(stale)["field"]) == (
        "CONFLICT",
        "custom_attribute_definition.version",
    )
    cut = await client.put(path, json={"custom_attribute_definition": {"schema": ref("Number")}})
    assert (cut.status_code, error_of(cut)["code"]) == (400, "INVALID_VALUE")

    customer = await create(client, given_name="Ada")
    assert (await upsert(client, customer["id"], "favorite-movie", "Dune")).status_code == 200
    gone = await client.delete(path)
    assert (gone.status_code, gone.json()) == (200, {})
    assert (await client.get(path)).status_code == 404
    assert (await client.get(values_path(customer["id"]))).json() == {}


@pytest.mark.parametrize(
    ("definition", "code", "field"),
    [
        ({"key": DROP}, "MISSING_REQUIRED_PARAMETER", "key"),
        ({"key": "has space"}, "INVALID_VALUE", "key"),
        ({"key": "k" * 61}, "VALUE_TOO_LONG", "key"),
        ({"key": "other:key"}, "INVALID_VALUE", "key"),
        ({"key": "k", "schema": None}, "MISSING_REQUIRED_PARAMETER", "schema"),
        ({"key": "k", "schema": {"$ref": TYPE_URL + "DateTime"}}, "INVALID_VALUE", "schema"),
        ({"key": "k", "schema": {"$ref": "https://example.com/x"}}, "INVALID_VALUE", "schema"),
        ({"key": "k", "schema": "String"}, "EXPECTED_OBJECT", "schema"),
        ({"key": "k", "visibility": "PUBLIC"}, "INVALID_ENUM_VALUE", "visibility"),
        ({"key": "k", "name": None}, "MISSING_REQUIRED_PARAMETER", "name"),
        ({"key": "k", "description": ""}, "MISSING_REQUIRED_PARAMETER", "description"),
        ({"key": "k", "name": "n" * 256}, "VALUE_TOO_LONG", "name"),
    ],
)
async def test_definition_create_rules(
    client: httpx.AsyncClient, definition: dict[str, Any], code: str, field: str
) -> None:
    body = {
        "key": "k",
        "schema": ref("String"),
        "name": "Name",
        "description": "Description",
        "visibility": "VISIBILITY_READ_ONLY",
        **definition,
    }
    body = {k: v for k, v in body.items() if v is not DROP}
    response = await client.post(DEFS, json={"custom_attribute_definition": body})
    assert response.status_code == 400, response.text
    err = error_of(response)
    assert (err["code"], err["field"]) == (code, f"custom_attribute_definition.{field}")


async def test_a_hidden_definition_needs_no_name(client: httpx.AsyncClient) -> None:
    response = await client.post(
        DEFS, json={"custom_attribute_definition": {"key": "internal", "schema": ref("Number")}}
    )
    assert response.status_code == 200, response.text
    made = response.json()["custom_attribute_definition"]
    assert made["visibility"] == "VISIBILITY_HIDDEN" and "name" not in made


async def test_keys_and_names_are_unique(client: httpx.AsyncClient) -> None:
    await define(client, "drink", name="Drink")
    again = await client.post(
        DEFS,
        json={"custom_attribute_definition": {"key": "drink", "schema": ref("String")}},
    )
    assert (error_of(again)["code"], error_of(again)["field"]) == (
        "INVALID_VALUE",
        "custom_attribute_definition.key",
    )
    named = await client.post(
        DEFS,
        json={
            "custom_attribute_definition": {
                "key": "drink2",
                "schema": ref("String"),
                "name": "Drink",
                "description": "d",
                "visibility": "VISIBILITY_READ_ONLY",
            }
        },
    )
    assert (error_of(named)["code"], error_of(named)["field"]) == (
        "INVALID_VALUE",
        "custom_attribute_definition.name",
    )
    await define(client, "drink3", name="drink")  # names are case-sensitive


async def test_create_is_idempotent(client: httpx.AsyncClient) -> None:
    body = {
        "idempotency_key": "define-once",
        "custom_attribute_definition": {"key": "once", "schema": ref("Boolean")},
    }
    first = await client.post(DEFS, json=body)
    assert (await client.post(DEFS, json=body)).json() == first.json()
    body["custom_attribute_definition"] = {"key": "twice", "schema": ref("Boolean")}
    reused = await client.post(DEFS, json=body)
    assert error_of(reused)["code"] == "IDEMPOTENCY_KEY_REUSED"
    long_key = await client.post(DEFS, json={**body, "idempotency_key": "k" * 46})
    assert error_of(long_key)["code"] == "VALUE_TOO_LONG"


async def test_definitions_list_in_pages(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    assert (await client.get(DEFS)).json() == {}
    for n in range(23):
        clock.advance(1)
        await define(client, f"f{n:02d}")
    first = (await client.get(DEFS)).json()
    assert len(first["custom_attribute_definitions"]) == 20  # the default page
    second = (await client.get(DEFS, params={"cursor": first["cursor"]})).json()
    keys = [d["key"] for d in first["custom_attribute_definitions"]]
    keys += [d["key"] for d in second["custom_attribute_definitions"]]
    assert keys == [f"f{n:02d}" for n in range(23)] and "cursor" not in second
    assert len((await client.get(DEFS, params={"limit": 100})).json()[
        "custom_attribute_definitions"
    ]) == 23  # fmt: skip
    for limit, code in ((0, "VALUE_TOO_LOW"), (101, "VALUE_TOO_HIGH")):
        assert error_of(await client.get(DEFS, params={"limit": limit}))["code"] == code
    bad = await client.get(DEFS, params={"cursor": "bm90IGEgY3Vyc29y"})
    assert error_of(bad)["code"] == "INVALID_CURSOR"


# --- values ---------------------------------------------------------------------------------

VALID: list[tuple[str, Any]] = [
    ("String", "Dune"),
    ("Number", "10.5"),
    ("Number", "-3"),
    ("Boolean", False),
    ("Date", "2020-02-29"),
    ("Email", "ada@example.com"),
    ("PhoneNumber", "+16175551212"),
    ("Address", {"address_line_1": "500 Electric Ave", "postal_code": "10003", "country": "US"}),
]
INVALID: list[tuple[str, Any, str]] = [
    ("String", 12, "EXPECTED_STRING"),
    ("String", "   ", "INVALID_VALUE"),
    ("String", "x" * 1001, "VALUE_TOO_LONG"),
    ("Number", 10.5, "EXPECTED_STRING"),
    ("Number", "ten", "INVALID_VALUE"),
    ("Number", "1.123456", "INVALID_VALUE"),
    ("Number", "92233720368548", "VALUE_TOO_HIGH"),
    ("Boolean", "true", "EXPECTED_BOOLEAN"),
    ("Date", "2021-02-29", "INVALID_TIME"),
    ("Date", "02-08", "INVALID_TIME"),
    ("Email", "invalid-email", "INVALID_EMAIL_ADDRESS"),
    ("PhoneNumber", "(617) 555-1212", "INVALID_PHONE_NUMBER"),
    ("PhoneNumber", "+15555551212", "INVALID_PHONE_NUMBER"),
    ("Address", "500 Electric Ave", "EXPECTED_OBJECT"),
    ("Address", {"country": "XX"}, "INVALID_ENUM_VALUE"),
    ("Address", {}, "INVALID_VALUE"),
    ("String", None, "MISSING_REQUIRED_PARAMETER"),
]


@pytest.mark.parametrize(("type_name", "value"), VALID)
async def test_each_type_takes_its_values(
    client: httpx.AsyncClient, type_name: str, value: Any
) -> None:
    await define(client, "field", ref(type_name))
    customer = await create(client, given_name="Ada")
    response = await upsert(client, customer["id"], "field", value)
    assert response.status_code == 200, response.text
    attribute = response.json()["custom_attribute"]
    assert attribute["value"] == value and attribute["version"] == 1
    read = await client.get(values_path(customer["id"], "field"))
    assert read.json() == {"custom_attribute": attribute}


@pytest.mark.parametrize(("type_name", "value", "code"), INVALID)
async def test_each_type_refuses_other_values(
    client: httpx.AsyncClient, type_name: str, value: Any, code: str
) -> None:
    await define(client, "field", ref(type_name))
    customer = await create(client, given_name="Ada")
    response = await upsert(client, customer["id"], "field", value)
    assert response.status_code == 400, response.text
    assert error_of(response)["code"] == code
    assert error_of(response)["field"].startswith("custom_attribute.value")
    assert (await client.get(values_path(customer["id"], "field"))).status_code == 404


async def test_value_versions(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    await define(client, "drink")
    customer = await create(client, given_name="Ada")
    cid = customer["id"]
    stale_new = await upsert(client, cid, "drink", "Tea", version=3)
    assert (stale_new.status_code, error_of(stale_new)["code"]) == (409, "CONFLICT")
    first = (await upsert(client, cid, "drink", "Tea")).json()["custom_attribute"]
    assert first["version"] == 1 and first["visibility"] == "VISIBILITY_READ_WRITE_VALUES"
    clock.advance(5)
    second = (await upsert(client, cid, "drink", "Coffee", version=1)).json()["custom_attribute"]
    assert second["version"] == 2 and second["created_at"] == first["created_at"]
    assert second["updated_at"] > first["updated_at"]
    same = (await upsert(client, cid, "drink", "Coffee")).json()["custom_attribute"]
    assert same == second  # nothing changed: the same version
    stale = await upsert(client, cid, "drink", "Milk", version=1)
    assert stale.status_code == 409
    assert (error_of(stale)["code"], error_of(stale)["field"]) == (
        "CONFLICT",
        "custom_attribute.version",
    )
    newer = await client.get(values_path(cid, "drink"), params={"version": 3})
    assert error_of(newer)["code"] == "BAD_REQUEST"
    # the customer itself is not changed by its attributes
    assert (await client.get(f"/v2/customers/{cid}")).json()["customer"]["version"] == 0


async def test_upsert_is_idempotent_per_key(client: httpx.AsyncClient) -> None:
    await define(client, "drink")
    cid = (await create(client, given_name="Ada"))["id"]
    body = {"idempotency_key": "set-tea", "custom_attribute": {"value": "Tea"}}
    first = await client.post(values_path(cid, "drink"), json=body)
    await upsert(client, cid, "drink", "Coffee")
    replay = await client.post(values_path(cid, "drink"), json=body)
    assert replay.json() == first.json()  # the first answer, not a new write
    other = (await create(client, given_name="Bob"))["id"]
    reused = await client.post(values_path(other, "drink"), json=body)
    assert error_of(reused)["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_values_list_retrieve_delete(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    for key in ("a", "b", "c"):
        clock.advance(1)
        await define(client, key)
    cid = (await create(client, given_name="Ada"))["id"]
    for key in ("c", "a"):
        await upsert(client, cid, key, key.upper())
    listed = (await client.get(values_path(cid))).json()["custom_attributes"]
    assert [(a["key"], a["value"]) for a in listed] == [("a", "A"), ("c", "C")]
    assert all("definition" not in a for a in listed)
    full = (await client.get(values_path(cid), params={"with_definitions": "true"})).json()
    assert [a["definition"]["key"] for a in full["custom_attributes"]] == ["a", "c"]
    one = await client.get(values_path(cid, "a"), params={"with_definition": "true"})
    assert one.json()["custom_attribute"]["definition"]["name"] == "Field a"
    page = (await client.get(values_path(cid), params={"limit": 1})).json()
    assert len(page["custom_attributes"]) == 1 and page["cursor"]
    unset = await client.get(values_path(cid, "b"))
    assert (unset.status_code, error_of(unset)["field"]) == (404, "key")
    assert (await client.delete(values_path(cid, "a"))).json() == {}
    assert (await client.delete(values_path(cid, "a"))).status_code == 404
    for path in (values_path("NOPE"), values_path("NOPE", "a")):
        missing = await client.get(path)
        assert (missing.status_code, error_of(missing)["field"]) == (404, "customer_id")
    nokey = await upsert(client, cid, "nope", "x")
    assert (nokey.status_code, error_of(nokey)["code"]) == (404, "NOT_FOUND")


async def test_a_deleted_customer_takes_its_values(client: httpx.AsyncClient, store: Store) -> None:
    await define(client, "drink")
    cid = (await create(client, given_name="Ada"))["id"]
    await upsert(client, cid, "drink", "Tea")
    assert store.values_of(cid)
    await client.delete(f"/v2/customers/{cid}")
    assert store.values_of(cid) == []


async def test_selection(client: httpx.AsyncClient) -> None:
    schema = {
        "$schema": SELECTION_URL,
        "type": "array",
        "uniqueItems": True,
        "maxItems": 2,
        "items": {"names": ["Red", "Green", "Blue"]},
    }
    made = await define(client, "colours", schema)
    ids = made["schema"]["items"]["enum"]
    assert made["schema"]["items"]["names"] == ["Red", "Green", "Blue"] and len(set(ids)) == 3
    red, green, blue = ids
    cid = (await create(client, given_name="Ada"))["id"]
    assert (await upsert(client, cid, "colours", [red, blue])).status_code == 200
    for bad, code in (
        ([red, green, blue], "ARRAY_LENGTH_TOO_LONG"),
        (["Red"], "INVALID_VALUE"),
        ([red, red], "INVALID_VALUE"),
        ([], "INVALID_VALUE"),
        (red, "EXPECTED_ARRAY"),
    ):
        assert error_of(await upsert(client, cid, "colours", bad))["code"] == code
    # rename Blue, drop Green, add Yellow: ids follow the names; Blue's value keeps its id
    update = {"items": {"names": ["Red", "Navy", "Yellow"], "enum": [red, blue, green]}}
    renamed = await client.put(
        f"{DEFS}/colours",
        json={"custom_attribute_definition": {"schema": {**schema, **update}}},
    )
    assert renamed.status_code == 200, renamed.text
    items = renamed.json()["custom_attribute_definition"]["schema"]["items"]
    assert items == {"names": ["Red", "Navy", "Yellow"], "enum": [red, blue, green]}
    dropped = await client.put(
        f"{DEFS}/colours",
        json={"custom_attribute_definition": {"schema": {**schema, "items": {"names": ["Navy"]}}}},
    )
    assert dropped.json()["custom_attribute_definition"]["schema"]["items"]["enum"] == [blue]
    value = (await client.get(values_path(cid, "colours"))).json()["custom_attribute"]
    assert (value["value"], value["version"]) == ([blue], 2)  # Red left it: a new version
    foreign = await client.put(
        f"{DEFS}/colours",
        json={
            "custom_attribute_definition": {
                "schema": {**schema, "items": {"names": ["X"], "enum": ["not-ours"]}}
            }
        },
    )
    assert error_of(foreign)["code"] == "INVALID_VALUE"


# --- visibility -------------------------------------------------------------------------------


async def test_visibility_between_applications(
    client: httpx.AsyncClient, other: httpx.AsyncClient, clock: FrozenClock
) -> None:
    cid = (await create(client, given_name="Ada"))["id"]
    for key, visibility in (
        ("secret", "VISIBILITY_HIDDEN"),
        ("shown", "VISIBILITY_READ_ONLY"),
        ("shared", "VISIBILITY_READ_WRITE_VALUES"),
    ):
        clock.advance(1)
        await define(client, key, visibility=visibility)
    for key in ("secret", "shown", "shared"):
        assert (await upsert(client, cid, key, f"{key} value")).status_code == 200
    owner = "sq0idp-customer-desk-emulator"

    # the owner sees its own keys simply; the other application only qualified ones
    listed = (await other.get(DEFS)).json()["custom_attribute_definitions"]
    assert [d["key"] for d in listed] == [f"{owner}:shown", f"{owner}:shared"]
    values = (await other.get(values_path(cid))).json()["custom_attributes"]
    assert [v["key"] for v in values] == [f"{owner}:shown", f"{owner}:shared"]
    for key in ("secret", f"{owner}:secret", "shown"):
        hidden = await other.get(f"{DEFS}/{key}")
        assert (hidden.status_code, error_of(hidden)["code"]) == (404, "NOT_FOUND")
        assert (await other.get(values_path(cid, key))).status_code == 404

    # read-only: readable, not writable; read-write values: writable values only
    assert (await other.get(values_path(cid, f"{owner}:shown"))).status_code == 200
    for call in (
        upsert(other, cid, f"{owner}:shown", "mine"),
        other.delete(values_path(cid, f"{owner}:shown")),
        other.put(f"{DEFS}/{owner}:shared", json={"custom_attribute_definition": {"name": "x"}}),
        other.delete(f"{DEFS}/{owner}:shared"),
    ):
        refused = await call
        assert (refused.status_code, error_of(refused)["code"]) == (403, "FORBIDDEN")
    written = await upsert(other, cid, f"{owner}:shared", "theirs")
    assert written.status_code == 200
    assert written.json()["custom_attribute"]["key"] == f"{owner}:shared"
    mine = (await client.get(values_path(cid, "shared"))).json()["custom_attribute"]
    assert (mine["key"], mine["value"], mine["version"]) == ("shared", "theirs", 2)

    # a visibility change shows at once on the values' read-only copy
    await client.put(
        f"{DEFS}/shared",
        json={"custom_attribute_definition": {"visibility": "VISIBILITY_HIDDEN"}},
    )
    assert (await other.get(values_path(cid, f"{owner}:shared"))).status_code == 404
    assert (await client.get(values_path(cid, "shared"))).json()["custom_attribute"][
        "visibility"
    ] == "VISIBILITY_HIDDEN"


async def test_the_seller_s_custom_fields_are_everyone_s(
    client: httpx.AsyncClient, other: httpx.AsyncClient, store: Store
) -> None:
    store.put_definition(
        {
            "owner": "square",
            "key": "a0f1505a-2aa1-490d-91a8-8d31ff181808",
            "schema": ref("String"),
            "name": "Favourite drink",
            "description": "What they order.",
            "visibility": "VISIBILITY_READ_WRITE_VALUES",
            "version": 1,
            "created_at": "2024-01-01T00:00:00.000Z",
            "updated_at": "2024-01-01T00:00:00.000Z",
        }
    )
    key = "square:a0f1505a-2aa1-490d-91a8-8d31ff181808"
    cid = (await create(client, given_name="Ada"))["id"]
    for app in (client, other):
        assert [d["key"] for d in (await app.get(DEFS)).json()["custom_attribute_definitions"]] == [
            key
        ]
        assert (await upsert(app, cid, key, "Tea")).status_code == 200
        refused = await app.delete(f"{DEFS}/{key}")
        assert refused.status_code == 403  # only the Dashboard changes the seller's fields


# --- bulk upsert ------------------------------------------------------------------------------


async def test_bulk_upsert_answers_each_entry(client: httpx.AsyncClient) -> None:
    await define(client, "drink")
    await define(client, "vip", ref("Date"))
    ada = (await create(client, given_name="Ada"))["id"]
    bob = (await create(client, given_name="Bob"))["id"]
    body = {
        "values": {
            "one": {"customer_id": ada, "custom_attribute": {"key": "drink", "value": "Tea"}},
            "two": {"customer_id": bob, "custom_attribute": {"key": "vip", "value": "2024-02-30"}},
            "three": {"customer_id": "NOPE", "custom_attribute": {"key": "drink", "value": "x"}},
            "four": {
                "customer_id": bob,
                "custom_attribute": {"key": "vip", "value": "2024-02-29"},
                "idempotency_key": "bob-vip",
            },
            "five": {"customer_id": ada, "custom_attribute": {"value": "x"}},
        }
    }
    response = await client.post("/v2/customers/custom-attributes/bulk-upsert", json=body)
    assert response.status_code == 200, response.text
    values = response.json()["values"]
    assert set(values) == {"one", "two", "three", "four", "five"}
    assert values["one"]["customer_id"] == ada
    assert values["one"]["custom_attribute"]["value"] == "Tea"
    assert values["two"]["errors"][0]["field"] == "values.two.custom_attribute.value"
    assert values["three"]["errors"][0]["code"] == "NOT_FOUND"
    assert values["four"]["custom_attribute"]["value"] == "2024-02-29"
    assert values["five"]["errors"][0]["code"] == "MISSING_REQUIRED_PARAMETER"
    again = await client.post(
        "/v2/customers/custom-attributes/bulk-upsert",
        json={"values": {"x": body["values"]["four"]}},
    )
    assert again.json()["values"]["x"] == values["four"]  # per-entry idempotency
    empty = await client.post("/v2/customers/custom-attributes/bulk-upsert", json={"values": {}})
    assert error_of(empty)["code"] == "ARRAY_LENGTH_TOO_SHORT"
    many = {str(n): body["values"]["one"] for n in range(26)}
    too_many = await client.post(
        "/v2/customers/custom-attributes/bulk-upsert", json={"values": many}
    )
    assert error_of(too_many)["code"] == "TOO_MANY_MAP_ENTRIES"


async def test_each_token_says_its_application(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    mine = (await client.post("/oauth2/token/status")).json()
    theirs = (await other.post("/oauth2/token/status")).json()
    assert (mine["client_id"], theirs["client_id"]) == ("sq0idp-customer-desk-emulator", OTHER_APP)
