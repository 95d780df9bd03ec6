"""CreateCustomer, RetrieveCustomer, UpdateCustomer, DeleteCustomer: shapes and rules."""

from __future__ import annotations

import re

import httpx
import pytest

from app.emulator.store import Store
from tests.conftest import FrozenClock

from .conftest import create, error_of


async def test_create_returns_square_shaped_customer(client: httpx.AsyncClient) -> None:
    customer = await create(
        client,
        given_name="Amelia",
        family_name="Earhart",
        email_address="Amelia.Earhart@example.com",
        phone_number="+1-212-555-4240",
        address={"address_line_1": "500 Electric Ave", "locality": "New York", "country": "US"},
        reference_id="YOUR_REFERENCE_ID",
        note="a customer",
    )
    assert re.fullmatch(r"[0-9A-Z]{26}", customer["id"])
    assert customer["created_at"] == "2026-11-26T09:30:00.000Z"
    assert customer["updated_at"] == customer["created_at"]
    assert customer["version"] == 0
    assert customer["creation_source"] == "THIRD_PARTY"
    assert customer["preferences"] == {"email_unsubscribed": False}
    assert customer["phone_number"] == "+1-212-555-4240"  # stored verbatim
    assert customer["address"]["country"] == "US"
    assert "group_ids" not in customer and "segment_ids" not in customer
    assert "nickname" not in customer and "birthday" not in customer  # empty values omitted
    assert "cards" not in customer


async def test_retrieve_is_consistent_and_404_names_the_id(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="Ada")
    got = await client.get(f"/v2/customers/{customer['id']}")
    assert got.status_code == 200
    assert got.json() == {"customer": customer}
    missing = await client.get("/v2/customers/NOPE")
    assert missing.status_code == 404
    assert error_of(missing) == {
        "category": "INVALID_REQUEST_ERROR",
        "code": "NOT_FOUND",
        "detail": "Customer with ID `NOPE` not found.",
        "field": "customer_id",
    }


async def test_create_needs_an_identifying_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/v2/customers", json={"note": "nobody", "nickname": "x"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "MISSING_REQUIRED_PARAMETER"
    response = await client.post("/v2/customers", json={"given_name": ""})
    assert response.status_code == 400


async def test_birthday_is_normalised(client: httpx.AsyncClient) -> None:
    assert (await create(client, given_name="A", birthday="12-10"))["birthday"] == "0000-12-10"
    assert (await create(client, given_name="B", birthday="1990-02-28"))["birthday"] == (
        "1990-02-28"
    )
    assert (await create(client, given_name="C", birthday="02-29"))["birthday"] == "0000-02-29"
    for bad in ("1990-02-30", "13-01", "1990/01/01", "yesterday"):
        response = await client.post("/v2/customers", json={"given_name": "D", "birthday": bad})
        assert response.status_code == 400, bad
        assert error_of(response)["code"] == "INVALID_TIME"
        assert error_of(response)["field"] == "birthday"


async def test_update_is_sparse_and_bumps_version(
    client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    customer = await create(
        client, given_name="Ada", family_name="Lovelace", note="n", company_name="AE"
    )
    clock.advance(60)
    response = await client.put(f"/v2/customers/{customer['id']}", json={"nickname": "Countess"})
    assert response.status_code == 200
    updated = response.json()["customer"]
    assert updated["nickname"] == "Countess"
    assert updated["given_name"] == "Ada" and updated["note"] == "n"  # untouched
    assert updated["version"] == 1
    assert updated["created_at"] == customer["created_at"]
    assert updated["updated_at"] == "2026-11-26T09:31:00.000Z"
    # null clears, and so does an empty string
    response = await client.put(
        f"/v2/customers/{customer['id']}", json={"note": None, "company_name": ""}
    )
    cleared = response.json()["customer"]
    assert "note" not in cleared and "company_name" not in cleared
    assert cleared["version"] == 2


async def test_update_with_stale_version_is_a_version_mismatch(
    client: httpx.AsyncClient,
) -> None:
    customer = await create(client, given_name="Ada")
    ok = await client.put(f"/v2/customers/{customer['id']}", json={"note": "x", "version": 0})
    assert ok.status_code == 200
    stale = await client.put(f"/v2/customers/{customer['id']}", json={"note": "y", "version": 0})
    assert stale.status_code == 409
    assert error_of(stale)["code"] == "CONFLICT"
    assert error_of(stale)["field"] == "version"
    after = (await client.get(f"/v2/customers/{customer['id']}")).json()["customer"]
    assert after["note"] == "x" and after["version"] == 1


async def test_update_unknown_customer_is_404(client: httpx.AsyncClient) -> None:
    response = await client.put("/v2/customers/UNKNOWN", json={"note": "x"})
    assert response.status_code == 404
    assert error_of(response)["code"] == "NOT_FOUND"


async def test_address_merges_part_wise(client: httpx.AsyncClient) -> None:
    customer = await create(
        client,
        given_name="A",
        address={"address_line_1": "1 Main St", "locality": "Seattle", "postal_code": "98101"},
    )
    response = await client.put(
        f"/v2/customers/{customer['id']}",
        json={"address": {"locality": "Portland", "postal_code": None}},
    )
    assert response.json()["customer"]["address"] == {
        "address_line_1": "1 Main St",
        "locality": "Portland",
    }
    response = await client.put(f"/v2/customers/{customer['id']}", json={"address": None})
    assert "address" not in response.json()["customer"]


async def test_x_clear_null_header_is_accepted(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="Ada", nickname="Countess")
    response = await client.put(
        f"/v2/customers/{customer['id']}",
        json={"nickname": None},
        headers={"X-Clear-Null": "true"},
    )
    assert response.status_code == 200
    assert "nickname" not in response.json()["customer"]


async def test_an_emulator_bug_still_answers_in_squares_envelope(
    client: httpx.AsyncClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(customer_id: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(store, "get_customer", broken)
    response = await client.get("/v2/customers/ANY")
    assert response.status_code == 500
    assert error_of(response)["category"] == "API_ERROR"
    assert error_of(response)["code"] == "INTERNAL_SERVER_ERROR"
