"""Idempotency keys: replay with the same body, IDEMPOTENCY_KEY_REUSED with another."""

from __future__ import annotations

import httpx

from .conftest import error_of


async def test_create_customer_replays(client: httpx.AsyncClient) -> None:
    body = {"idempotency_key": "abc", "given_name": "Ada"}
    first = await client.post("/v2/customers", json=body)
    second = await client.post("/v2/customers", json=body)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len((await client.get("/v2/customers")).json()["customers"]) == 1


async def test_create_customer_key_reused_with_another_body(client: httpx.AsyncClient) -> None:
    await client.post("/v2/customers", json={"idempotency_key": "abc", "given_name": "Ada"})
    reused = await client.post(
        "/v2/customers", json={"idempotency_key": "abc", "given_name": "Grace"}
    )
    assert reused.status_code == 400
    err = error_of(reused)
    assert (err["code"], err["field"]) == ("IDEMPOTENCY_KEY_REUSED", "idempotency_key")


async def test_no_key_never_deduplicates(client: httpx.AsyncClient) -> None:
    for _ in range(2):
        await client.post("/v2/customers", json={"given_name": "Ada"})
    assert len((await client.get("/v2/customers")).json()["customers"]) == 2


async def test_a_failed_request_does_not_burn_the_key(client: httpx.AsyncClient) -> None:
    bad = await client.post("/v2/customers", json={"idempotency_key": "k", "note": "x"})
    assert bad.status_code == 400
    ok = await client.post("/v2/customers", json={"idempotency_key": "k", "given_name": "A"})
    assert ok.status_code == 200


async def test_keys_are_per_operation(client: httpx.AsyncClient) -> None:
    await client.post("/v2/customers", json={"idempotency_key": "same", "given_name": "Ada"})
    group = await client.post(
        "/v2/customers/groups", json={"idempotency_key": "same", "group": {"name": "G"}}
    )
    assert group.status_code == 200
