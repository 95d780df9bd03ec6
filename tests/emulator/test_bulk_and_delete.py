"""DeleteCustomer and the bulk operations."""

from __future__ import annotations

import httpx

from .conftest import create, error_of


async def test_delete_customer(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="Ada")
    response = await client.delete(f"/v2/customers/{customer['id']}")
    assert (response.status_code, response.json()) == (200, {})
    assert (await client.get(f"/v2/customers/{customer['id']}")).status_code == 404
    assert (await client.get("/v2/customers")).json() == {}
    again = await client.delete(f"/v2/customers/{customer['id']}")
    assert again.status_code == 404
    assert error_of(again)["code"] == "NOT_FOUND"


async def test_delete_with_version(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="Ada")
    await client.put(f"/v2/customers/{customer['id']}", json={"note": "x"})
    stale = await client.delete(f"/v2/customers/{customer['id']}", params={"version": 0})
    assert stale.status_code == 409
    assert (error_of(stale)["code"], error_of(stale)["field"]) == ("CONFLICT", "version")
    ok = await client.delete(f"/v2/customers/{customer['id']}", params={"version": 1})
    assert ok.status_code == 200


async def test_bulk_create_per_entry_responses(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v2/customers/bulk-create",
        json={
            "customers": {
                "key-1": {"given_name": "Amelia", "email_address": "amelia@example.com"},
                "key-2": {"given_name": "Marie", "phone_number": "555-000-0000"},
                "key-3": {"note": "nobody"},
            }
        },
    )
    assert response.status_code == 200
    responses = response.json()["responses"]
    assert set(responses) == {"key-1", "key-2", "key-3"}
    assert responses["key-1"]["customer"]["given_name"] == "Amelia"
    assert responses["key-1"]["customer"]["version"] == 0
    assert responses["key-2"]["errors"][0]["code"] == "INVALID_PHONE_NUMBER"
    assert responses["key-3"]["errors"][0]["code"] == "MISSING_REQUIRED_PARAMETER"
    assert "errors" not in response.json()
    # the map keys are idempotency keys: the same entry again is replayed
    again = await client.post(
        "/v2/customers/bulk-create",
        json={
            "customers": {"key-1": {"given_name": "Amelia", "email_address": "amelia@example.com"}}
        },
    )
    assert again.json()["responses"]["key-1"] == responses["key-1"]
    listed = (await client.get("/v2/customers")).json()["customers"]
    assert len(listed) == 1


async def test_bulk_sizes(client: httpx.AsyncClient) -> None:
    empty = await client.post("/v2/customers/bulk-create", json={"customers": {}})
    assert empty.status_code == 400
    assert empty.json()["errors"][0]["field"] == "customers"
    many = {f"k{i}": {"given_name": f"N{i}"} for i in range(101)}
    response = await client.post("/v2/customers/bulk-create", json={"customers": many})
    assert response.status_code == 400
    assert "responses" not in response.json()
    ids = [f"ID{i}" for i in range(101)]
    for path in ("/v2/customers/bulk-delete", "/v2/customers/bulk-retrieve"):
        response = await client.post(path, json={"customer_ids": ids})
        assert response.status_code == 400
        assert error_of(response)["code"] == "ARRAY_LENGTH_TOO_LONG"
        response = await client.post(path, json={"customer_ids": []})
        assert response.status_code == 400
        response = await client.post(path, json={})
        assert error_of(response)["code"] == "MISSING_REQUIRED_PARAMETER"
    hundred = {f"k{i}": {"given_name": f"N{i}"} for i in range(100)}
    response = await client.post("/v2/customers/bulk-create", json={"customers": hundred})
    assert response.status_code == 200
    assert len(response.json()["responses"]) == 100


async def test_bulk_update(client: httpx.AsyncClient) -> None:
    a = await create(client, given_name="A")
    b = await create(client, given_name="B")
    response = await client.post(
        "/v2/customers/bulk-update",
        json={
            "customers": {
                a["id"]: {"note": "first", "version": 0},
                b["id"]: {"note": "second", "version": 5},
                "MISSING": {"note": "x"},
            }
        },
    )
    responses = response.json()["responses"]
    assert responses[a["id"]]["customer"]["note"] == "first"
    assert responses[a["id"]]["customer"]["version"] == 1
    assert responses[b["id"]]["errors"][0]["code"] == "CONFLICT"
    assert responses["MISSING"]["errors"][0]["code"] == "NOT_FOUND"


async def test_bulk_delete_and_retrieve(client: httpx.AsyncClient) -> None:
    a = await create(client, given_name="A")
    b = await create(client, given_name="B")
    response = await client.post(
        "/v2/customers/bulk-retrieve", json={"customer_ids": [a["id"], "NOPE"]}
    )
    responses = response.json()["responses"]
    assert responses[a["id"]] == {"customer": a}
    assert responses["NOPE"]["errors"][0] == {
        "category": "INVALID_REQUEST_ERROR",
        "code": "NOT_FOUND",
        "detail": "Customer with ID `NOPE` not found.",
        "field": "customer_id",
    }
    response = await client.post(
        "/v2/customers/bulk-delete", json={"customer_ids": [a["id"], b["id"], "NOPE"]}
    )
    responses = response.json()["responses"]
    assert responses[a["id"]] == {} and responses[b["id"]] == {}
    assert responses["NOPE"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await client.get("/v2/customers")).json() == {}
