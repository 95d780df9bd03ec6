"""Customer groups, memberships and segments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from app.emulator import DEMO_TOKEN
from app.emulator.asgi import create_app
from app.emulator.store import Store
from tests.conftest import FrozenClock

from .conftest import create, error_of


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
    bodies: list[dict[str, Any]] = [
        {},
        {"group": {}},
        {"group": {"name": ""}},
        {"group": {"name": "  "}},
    ]
    for body in bodies:
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


def _person(customer_id: str, name: str) -> dict[str, Any]:
    stamp = "2026-01-02T03:04:05.000Z"
    return {
        "id": customer_id,
        "created_at": stamp,
        "updated_at": stamp,
        "version": 0,
        "creation_source": "DIRECTORY",
        "given_name": name,
    }


async def test_memberships_are_read_back_from_the_file(tmp_path: Path, clock: FrozenClock) -> None:
    """Group and segment memberships written to the file come back in a store opened
    afresh: on the consistent read, in list and search (the replica), and go with a
    deleted customer."""
    path = tmp_path / "links.sqlite3"
    first = Store(path)
    stamp = "2026-01-01T00:00:00.000Z"
    for gid in ("G1", "G2"):
        first.put_group({"id": gid, "name": gid, "created_at": stamp, "updated_at": stamp})
    first.put_segment({"id": "S1", "name": "S1", "created_at": stamp, "updated_at": stamp})
    first.bulk_insert_customers(
        [_person("A", "Ann"), _person("B", "Bob")],
        [("A", "G2"), ("A", "G1"), ("B", "G2")],
        [("B", "S1")],
    )
    first.close()

    store = Store(path)
    try:
        a, b = store.get_customer("A"), store.get_customer("B")
        assert a is not None and b is not None
        assert (a["group_ids"], "segment_ids" in a) == (["G1", "G2"], False)
        assert (b["group_ids"], b["segment_ids"]) == (["G2"], ["S1"])
        app = create_app(store, clock=clock)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://emulator.test",
            headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
        ) as client:
            listed = (await client.get("/v2/customers")).json()["customers"]
            assert [(c["id"], c.get("group_ids"), c.get("segment_ids")) for c in listed] == [
                ("A", ["G1", "G2"], None),
                ("B", ["G2"], ["S1"]),
            ]
            found = await client.post(
                "/v2/customers/search",
                json={"query": {"filter": {"segment_ids": {"any": ["S1"]}}}},
            )
            assert [c["id"] for c in found.json()["customers"]] == ["B"]
            assert (await client.delete("/v2/customers/B")).status_code == 200
        members = {
            table: sorted(r[0] for r in store.conn.execute(f"SELECT customer_id FROM {table}"))
            for table in ("group_members", "segment_members")
        }
        assert members == {"group_members": ["A", "A"], "segment_members": []}
    finally:
        store.close()
