"""Customer groups, memberships and segments."""

from __future__ import annotations

from typing import Any

import httpx

from app.emulator.store import Store

from .conftest import FrozenClock, create, error_of


async def _group(client: httpx.AsyncClient, name: str, **extra: Any) -> dict[str, Any]:
    response = await client.post("/v2/customers/groups", json={"group": {"name": name}, **extra})
    assert response.status_code == 200, response.text
    group: dict[str, Any] = response.json()["group"]
    return group


async def test_group_crud(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    group = await _group(client, "Loyal Customers")
    assert set(group) == {"id", "name", "created_at", "updated_at"}
    assert (await client.get(f"/v2/customers/groups/{group['id']}")).json() == {"group": group}
    clock.advance(5)
    response = await client.put(
        f"/v2/customers/groups/{group['id']}", json={"group": {"name": "Very Loyal"}}
    )
    updated = response.json()["group"]
    assert updated["name"] == "Very Loyal"
    assert updated["updated_at"] > group["updated_at"]
    assert updated["created_at"] == group["created_at"]
    listed = (await client.get("/v2/customers/groups")).json()
    assert listed == {"groups": [updated]}
    response = await client.delete(f"/v2/customers/groups/{group['id']}")
    assert (response.status_code, response.json()) == (200, {})
    missing = await client.get(f"/v2/customers/groups/{group['id']}")
    assert missing.status_code == 404
    assert (error_of(missing)["code"], error_of(missing)["field"]) == ("NOT_FOUND", "group_id")
    assert (await client.get("/v2/customers/groups")).json() == {}


async def test_group_name_is_required(client: httpx.AsyncClient) -> None:
    for body in ({}, {"group": {}}, {"group": {"name": ""}}, {"group": {"name": "  "}}):
        response = await client.post("/v2/customers/groups", json=body)
        assert response.status_code == 400, body
        assert error_of(response)["category"] == "INVALID_REQUEST_ERROR"
    group = await _group(client, "G")
    response = await client.put(f"/v2/customers/groups/{group['id']}", json={"group": {"name": ""}})
    assert response.status_code == 400


async def test_group_idempotency(client: httpx.AsyncClient) -> None:
    first = await _group(client, "A", idempotency_key="k1")
    again = await _group(client, "A", idempotency_key="k1")
    assert first == again
    reused = await client.post(
        "/v2/customers/groups", json={"group": {"name": "B"}, "idempotency_key": "k1"}
    )
    assert reused.status_code == 400
    assert error_of(reused)["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_list_groups_paging(client: httpx.AsyncClient) -> None:
    for i in range(5):
        await _group(client, f"G{i}")
    first = (await client.get("/v2/customers/groups", params={"limit": 3})).json()
    assert len(first["groups"]) == 3
    second = (
        await client.get("/v2/customers/groups", params={"limit": 3, "cursor": first["cursor"]})
    ).json()
    assert len(second["groups"]) == 2 and "cursor" not in second
    for limit, code in ((0, "VALUE_TOO_LOW"), (51, "VALUE_TOO_HIGH")):
        response = await client.get("/v2/customers/groups", params={"limit": limit})
        assert (response.status_code, error_of(response)["code"]) == (400, code)


async def test_membership_changes_bump_version(
    client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    customer = await create(client, given_name="Ada")
    group = await _group(client, "VIP")
    clock.advance(1)
    path = f"/v2/customers/{customer['id']}/groups/{group['id']}"
    response = await client.put(path)
    assert (response.status_code, response.json()) == (200, {})
    after = (await client.get(f"/v2/customers/{customer['id']}")).json()["customer"]
    assert after["group_ids"] == [group["id"]]
    assert after["version"] == 1
    assert after["updated_at"] > customer["updated_at"]
    # re-adding is a no-op
    assert (await client.put(path)).status_code == 200
    same = (await client.get(f"/v2/customers/{customer['id']}")).json()["customer"]
    assert same["version"] == 1
    response = await client.delete(path)
    assert (response.status_code, response.json()) == (200, {})
    removed = (await client.get(f"/v2/customers/{customer['id']}")).json()["customer"]
    assert "group_ids" not in removed and removed["version"] == 2


async def test_membership_404s(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="Ada")
    group = await _group(client, "VIP")
    response = await client.put(f"/v2/customers/NOPE/groups/{group['id']}")
    assert (response.status_code, error_of(response)["field"]) == (404, "customer_id")
    response = await client.put(f"/v2/customers/{customer['id']}/groups/NOPE")
    assert (response.status_code, error_of(response)["field"]) == (404, "group_id")
    response = await client.delete(f"/v2/customers/{customer['id']}/groups/NOPE")
    assert response.status_code == 404


async def test_deleting_a_group_removes_memberships(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="Ada")
    keep = await _group(client, "Keep")
    gone = await _group(client, "Gone")
    await client.put(f"/v2/customers/{customer['id']}/groups/{keep['id']}")
    await client.put(f"/v2/customers/{customer['id']}/groups/{gone['id']}")
    await client.delete(f"/v2/customers/groups/{gone['id']}")
    after = (await client.get(f"/v2/customers/{customer['id']}")).json()["customer"]
    assert after["group_ids"] == [keep["id"]]
    assert after["version"] == 3
    listed = (await client.get("/v2/customers")).json()["customers"][0]
    assert listed["group_ids"] == [keep["id"]]


async def test_segments_are_read_only(client: httpx.AsyncClient, store: Store) -> None:
    assert (await client.get("/v2/customers/segments")).json() == {}
    segment = {
        "id": "GMNXRZVEXNQDF.CHURN_RISK",
        "name": "Lapsed",
        "created_at": "2020-01-09T19:33:24.469Z",
        "updated_at": "2020-04-13T23:01:13.000Z",
    }
    store.put_segment(segment)
    assert (await client.get("/v2/customers/segments")).json() == {"segments": [segment]}
    got = await client.get(f"/v2/customers/segments/{segment['id']}")
    assert got.json() == {"segment": segment}
    missing = await client.get("/v2/customers/segments/NOPE")
    assert (missing.status_code, error_of(missing)["field"]) == (404, "segment_id")
    assert (await client.post("/v2/customers/segments", json={})).status_code == 405
    response = await client.get("/v2/customers/segments", params={"limit": 51})
    assert error_of(response)["code"] == "VALUE_TOO_HIGH"
