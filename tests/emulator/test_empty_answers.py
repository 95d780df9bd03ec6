"""Square answers `{}` when there is nothing to return — every list, every search, every
write without a result — and `count` alone when a count was asked for."""

from __future__ import annotations

import httpx

from .conftest import create


async def test_every_list_of_an_empty_account_is_an_empty_object(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/v2/customers", "/v2/customers/groups", "/v2/customers/segments", "/v2/cards"):
        response = await client.get(path)
        assert (response.status_code, response.json()) == (200, {}), path
    assert (await client.get("/v2/cards", params={"include_disabled": "true"})).json() == {}
    assert (await client.post("/v2/customers/search", json={})).json() == {}
    assert (await client.post("/v2/customers/search", json={"limit": 5})).json() == {}
    # a count asked for is given, even when it is nought
    assert (await client.get("/v2/customers", params={"count": "true"})).json() == {"count": 0}
    counted = await client.post("/v2/customers/search", json={"count": True})
    assert counted.json() == {"count": 0}


async def test_writes_without_a_result_answer_an_empty_object(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="Empty")
    cid = customer["id"]
    group = (await client.post("/v2/customers/groups", json={"group": {"name": "G"}})).json()
    gid = group["group"]["id"]
    card = await client.post(
        f"/v2/customers/{cid}/cards", json={"card_nonce": "cnon:card-nonce-ok"}
    )
    card_id = card.json()["card"]["id"]
    for method, path in (
        ("PUT", f"/v2/customers/{cid}/groups/{gid}"),
        ("DELETE", f"/v2/customers/{cid}/groups/{gid}"),
        ("DELETE", f"/v2/customers/groups/{gid}"),
        ("DELETE", f"/v2/customers/{cid}/cards/{card_id}"),
        ("DELETE", f"/v2/customers/{cid}"),
    ):
        response = await client.request(method, path)
        assert (response.status_code, response.json()) == (200, {}), (method, path)
    other = await create(client, given_name="Other")
    bulk = await client.post("/v2/customers/bulk-delete", json={"customer_ids": [other["id"]]})
    assert bulk.json() == {"responses": {other["id"]: {}}}
