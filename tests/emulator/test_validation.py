"""Field rules and limits (NOTES.md), JSON type errors, enums, malformed bodies."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import create, error_of


async def _post_error(
    client: httpx.AsyncClient, body: Any, path: str = "/v2/customers"
) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == 400, response.text
    return error_of(response)


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("given_name", 300),
        ("family_name", 300),
        ("company_name", 500),
        ("nickname", 100),
        ("reference_id", 100),
    ],
)
async def test_length_limits(client: httpx.AsyncClient, field: str, limit: int) -> None:
    ok = await create(client, **{"email_address": "a@b.com", field: "x" * limit})
    assert ok[field] == "x" * limit
    err = await _post_error(client, {"email_address": "a@b.com", field: "x" * (limit + 1)})
    assert err["code"] == "VALUE_TOO_LONG"
    assert err["field"] == field
    assert err["category"] == "INVALID_REQUEST_ERROR"
    response = await client.put(f"/v2/customers/{ok['id']}", json={field: "y" * (limit + 1)})
    assert response.status_code == 400
    assert error_of(response)["code"] == "VALUE_TOO_LONG"


async def test_length_counts_characters_not_bytes(client: httpx.AsyncClient) -> None:
    assert (await create(client, given_name="é" * 300))["given_name"] == "é" * 300


async def test_email_rules(client: httpx.AsyncClient) -> None:
    local = "a" * 64
    long_ok = f"{local}@{'b' * 60}.{'c' * 60}.{'d' * 60}.com"
    assert len(long_ok) <= 254
    await create(client, email_address=long_ok)
    too_long = f"{local}@{'b' * 60}.{'c' * 60}.{'d' * 60}.{'e' * 60}.com"
    assert len(too_long) > 254
    err = await _post_error(client, {"email_address": too_long})
    assert (err["code"], err["field"]) == ("VALUE_TOO_LONG", "email_address")
    for bad in ("not-an-email", "a@", "@b.com", "a b@c.com", "a@b@c.com"):
        err = await _post_error(client, {"email_address": bad})
        assert (err["code"], err["field"]) == ("INVALID_EMAIL_ADDRESS", "email_address"), bad


@pytest.mark.parametrize(
    "phone",
    [
        "1-212-555-4240",  # Square's own SDK tests use it
        "+1-212-555-4240",
        "(206) 222-3333",
        "206.222.3333",
        "+44 20 7946 0018",
        "+61 2 9374 4000",
        "+12062223333",
    ],
)
async def test_valid_phone_numbers_are_stored_verbatim(
    client: httpx.AsyncClient, phone: str
) -> None:
    assert (await create(client, phone_number=phone))["phone_number"] == phone


@pytest.mark.parametrize(
    "phone",
    [
        "555-123-4567",  # impossible US area code
        "+1 555 123 4567",
        "12345678",  # too few digits
        "+1234567890123456789",  # too many
        "call me",
        "+44 20 7946",  # incomplete
        "206-222-333x",
    ],
)
async def test_invalid_phone_numbers(client: httpx.AsyncClient, phone: str) -> None:
    err = await _post_error(client, {"given_name": "A", "phone_number": phone})
    assert (err["code"], err["field"]) == ("INVALID_PHONE_NUMBER", "phone_number")


async def test_eu_vat(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="A", tax_ids={"eu_vat": "IE3426675K"})
    assert customer["tax_ids"] == {"eu_vat": "IE3426675K"}
    err = await _post_error(client, {"given_name": "A", "tax_ids": {"eu_vat": "X" * 21}})
    assert (err["code"], err["field"]) == ("VALUE_TOO_LONG", "tax_ids.eu_vat")
    err = await _post_error(client, {"given_name": "A", "tax_ids": {"eu_vat": "IE 342-66"}})
    assert (err["code"], err["field"]) == ("INVALID_VALUE", "tax_ids.eu_vat")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"given_name": 5}, "EXPECTED_STRING", "given_name"),
        ({"given_name": ["Ada"]}, "EXPECTED_STRING", "given_name"),
        ({"given_name": "A", "address": "1 Main St"}, "EXPECTED_OBJECT", "address"),
        (
            {"given_name": "A", "address": {"postal_code": 98101}},
            "EXPECTED_STRING",
            "address.postal_code",
        ),
        (
            {"given_name": "A", "address": {"country": "XX"}},
            "INVALID_ENUM_VALUE",
            "address.country",
        ),
        ({"given_name": "A", "tax_ids": []}, "EXPECTED_OBJECT", "tax_ids"),
        ({"given_name": "A", "idempotency_key": 7}, "EXPECTED_STRING", "idempotency_key"),
    ],
)
async def test_json_type_errors_on_create(
    client: httpx.AsyncClient, body: dict[str, Any], code: str, field: str
) -> None:
    err = await _post_error(client, body)
    assert (err["category"], err["code"], err["field"]) == ("INVALID_REQUEST_ERROR", code, field)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"limit": "10"}, "EXPECTED_INTEGER", "limit"),
        ({"limit": 1.5}, "EXPECTED_INTEGER", "limit"),
        ({"count": "yes"}, "EXPECTED_BOOLEAN", "count"),
        ({"query": []}, "EXPECTED_OBJECT", "query"),
        ({"query": {"sort": {"field": "NAME"}}}, "INVALID_ENUM_VALUE", "query.sort.field"),
        ({"query": {"sort": {"order": "UP"}}}, "INVALID_ENUM_VALUE", "query.sort.order"),
        (
            {"query": {"filter": {"group_ids": {"any": "G1"}}}},
            "EXPECTED_ARRAY",
            "query.filter.group_ids.any",
        ),
        (
            {"query": {"filter": {"email_address": {"fuzzy": 3}}}},
            "EXPECTED_STRING",
            "query.filter.email_address.fuzzy",
        ),
        (
            {"query": {"filter": {"creation_source": {"values": ["NOPE"]}}}},
            "INVALID_ENUM_VALUE",
            "query.filter.creation_source.values[0]",
        ),
        (
            {"query": {"filter": {"creation_source": {"values": ["OTHER"], "rule": "MAYBE"}}}},
            "INVALID_ENUM_VALUE",
            "query.filter.creation_source.rule",
        ),
    ],
)
async def test_json_type_errors_on_search(
    client: httpx.AsyncClient, body: dict[str, Any], code: str, field: str
) -> None:
    err = await _post_error(client, body, "/v2/customers/search")
    assert (err["code"], err["field"]) == (code, field)


async def test_update_type_errors(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="A")
    response = await client.put(f"/v2/customers/{customer['id']}", json={"version": "1"})
    assert response.status_code == 400
    assert (error_of(response)["code"], error_of(response)["field"]) == (
        "EXPECTED_INTEGER",
        "version",
    )


async def test_query_parameter_errors(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/customers", params={"limit": "ten"})
    assert (response.status_code, error_of(response)["code"]) == (400, "EXPECTED_INTEGER")
    response = await client.get("/v2/customers", params={"sort_field": "NAME"})
    assert (response.status_code, error_of(response)["code"]) == (400, "INVALID_ENUM_VALUE")
    assert error_of(response)["field"] == "sort_field"
    response = await client.get("/v2/customers", params={"count": "maybe"})
    assert (response.status_code, error_of(response)["code"]) == (400, "EXPECTED_BOOLEAN")
    response = await client.delete("/v2/customers/X", params={"version": "v1"})
    assert (response.status_code, error_of(response)["code"]) == (400, "EXPECTED_INTEGER")


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v2/customers",
        content=b'{"given_name": "A",',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    err = error_of(response)
    assert err["category"] == "INVALID_REQUEST_ERROR"
    assert err["code"] == "BAD_REQUEST"
    response = await client.post("/v2/customers/search", json=[1, 2])
    assert response.status_code == 400
    assert error_of(response)["code"] == "EXPECTED_OBJECT"


async def test_error_and_result_never_together(client: httpx.AsyncClient) -> None:
    response = await client.post("/v2/customers", json={"given_name": 1})
    assert set(response.json()) == {"errors"}
    response = await client.post("/v2/customers", json={"given_name": "A"})
    assert set(response.json()) == {"customer"}
