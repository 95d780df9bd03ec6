"""SearchCustomers' other filters, hidden profiles and lag-free consistency rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.emulator.store import Store
from tests.conftest import FrozenClock

from .conftest import create, error_of


async def _ids(client: httpx.AsyncClient, flt: dict[str, Any], **extra: Any) -> list[str]:
    response = await client.post("/v2/customers/search", json={"query": {"filter": flt}, **extra})
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json().get("customers", [])]


async def test_reference_id_exact_and_fuzzy(client: httpx.AsyncClient) -> None:
    a = await create(client, given_name="A", reference_id="NYC_M_35_JOHNSON")
    b = await create(client, given_name="B", reference_id="NYC_F_22_BROWN")
    await create(client, given_name="C")
    assert await _ids(client, {"reference_id": {"exact": "NYC_M_35_JOHNSON"}}) == [a["id"]]
    assert await _ids(client, {"reference_id": {"exact": "nyc_m_35_johnson"}}) == []
    assert await _ids(client, {"reference_id": {"fuzzy": "NYC M"}}) == [a["id"]]
    assert await _ids(client, {"reference_id": {"fuzzy": "nyc"}}) == [a["id"], b["id"]]


async def test_creation_source(client: httpx.AsyncClient, store: Store) -> None:
    api = await create(client, given_name="Api")
    imported = dict(api, id="IMPORTED0000000000000000AA", given_name="Imp")
    imported["creation_source"] = "IMPORT"
    store.put_customer(imported)
    include = {"creation_source": {"values": ["THIRD_PARTY"], "rule": "INCLUDE"}}
    assert await _ids(client, include) == [api["id"]]
    default_rule = {"creation_source": {"values": ["IMPORT"]}}
    assert await _ids(client, default_rule) == [imported["id"]]
    exclude = {"creation_source": {"values": ["THIRD_PARTY"], "rule": "EXCLUDE"}}
    assert await _ids(client, exclude) == [imported["id"]]


async def test_created_and_updated_ranges(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    first = await create(client, given_name="First")  # 09:30:00
    clock.advance(3600)
    second = await create(client, given_name="Second")  # 10:30:00
    clock.advance(3600)
    await client.put(f"/v2/customers/{first['id']}", json={"note": "touched"})  # 11:30:00
    window = {"start_at": "2026-11-26T09:00:00Z", "end_at": "2026-11-26T10:30:00Z"}
    assert await _ids(client, {"created_at": window}) == [first["id"]]  # end exclusive
    start_only = {"start_at": "2026-11-26T10:30:00.000Z"}  # start inclusive
    assert await _ids(client, {"created_at": start_only}) == [second["id"]]
    offset = {"start_at": "2026-11-26T03:00:00-08:00"}  # = 11:00Z
    assert await _ids(client, {"updated_at": offset}) == [first["id"]]
    assert sorted(await _ids(client, {"updated_at": {"end_at": "2027-01-01T00:00:00Z"}})) == sorted(
        [first["id"], second["id"]]
    )


@pytest.mark.parametrize(
    ("flt", "code", "field"),
    [
        (
            {"created_at": {"start_at": "yesterday"}},
            "INVALID_TIME",
            "query.filter.created_at.start_at",
        ),
        (
            {"updated_at": {"end_at": "2026-13-01T00:00:00Z"}},
            "INVALID_TIME",
            "query.filter.updated_at.end_at",
        ),
        (
            {"created_at": {"start_at": "2026-02-01T00:00:00Z", "end_at": "2026-01-01T00:00:00Z"}},
            "INVALID_TIME_RANGE",
            "query.filter.created_at",
        ),
    ],
)
async def test_time_errors(
    client: httpx.AsyncClient, flt: dict[str, Any], code: str, field: str
) -> None:
    response = await client.post("/v2/customers/search", json={"query": {"filter": flt}})
    assert response.status_code == 400
    assert (error_of(response)["code"], error_of(response)["field"]) == (code, field)


async def test_group_filters(client: httpx.AsyncClient) -> None:
    g1 = (await client.post("/v2/customers/groups", json={"group": {"name": "G1"}})).json()[
        "group"
    ]["id"]
    g2 = (await client.post("/v2/customers/groups", json={"group": {"name": "G2"}})).json()[
        "group"
    ]["id"]
    a = await create(client, given_name="A")
    b = await create(client, given_name="B")
    c = await create(client, given_name="C")
    await client.put(f"/v2/customers/{a['id']}/groups/{g1}")
    await client.put(f"/v2/customers/{a['id']}/groups/{g2}")
    await client.put(f"/v2/customers/{b['id']}/groups/{g1}")
    assert await _ids(client, {"group_ids": {"any": [g1, g2]}}) == [a["id"], b["id"]]
    assert await _ids(client, {"group_ids": {"all": [g1, g2]}}) == [a["id"]]
    assert await _ids(client, {"group_ids": {"none": [g1]}}) == [c["id"]]
    assert await _ids(client, {"group_ids": {"any": [g1], "none": [g2]}}) == [b["id"]]
    response = await client.post(
        "/v2/customers/search", json={"query": {"filter": {"group_ids": {"any": ["UNKNOWN"]}}}}
    )
    assert (response.status_code, response.json()) == (200, {})


async def test_segment_filters(client: httpx.AsyncClient, store: Store) -> None:
    a = await create(client, given_name="A")
    b = await create(client, given_name="B")
    for sid in ("S.ONE", "S.TWO", "S.THREE", "S.FOUR"):
        store.put_segment({"id": sid, "name": sid, "created_at": "x", "updated_at": "x"})
    with store.transaction():
        store.conn.execute("INSERT INTO segment_members VALUES (?, 'S.ONE')", (a["id"],))
        store._touched.add(a["id"])
    assert await _ids(client, {"segment_ids": {"any": ["S.ONE"]}}) == [a["id"]]
    assert await _ids(client, {"segment_ids": {"none": ["S.ONE"]}}) == [b["id"]]
    assert await _ids(client, {"segment_ids": {"all": ["S.ONE", "S.TWO"]}}) == []
    unknown = await client.post(
        "/v2/customers/search", json={"query": {"filter": {"segment_ids": {"any": ["S.NOPE"]}}}}
    )
    assert unknown.status_code == 400
    assert error_of(unknown)["code"] == "BAD_REQUEST"
    assert "S.NOPE" in error_of(unknown)["detail"]
    too_many = await client.post(
        "/v2/customers/search",
        json={
            "query": {"filter": {"segment_ids": {"any": ["S.ONE", "S.TWO", "S.THREE", "S.FOUR"]}}}
        },
    )
    assert too_many.status_code == 400
    # three in all, whatever the mix of all / any / none
    mixed = {"all": ["S.ONE", "S.TWO"], "none": ["S.THREE", "S.FOUR"]}
    response = await client.post(
        "/v2/customers/search", json={"query": {"filter": {"segment_ids": mixed}}}
    )
    assert response.status_code == 400
    assert (error_of(response)["code"], error_of(response)["field"]) == (
        "ARRAY_LENGTH_TOO_LONG",
        "query.filter.segment_ids",
    )
    three = {"all": ["S.ONE"], "any": ["S.ONE", "S.TWO"], "none": []}
    assert await _ids(client, {"segment_ids": three}) == [a["id"]]
    # segment changes do not bump the version
    assert (await client.get(f"/v2/customers/{a['id']}")).json()["customer"]["version"] == 0


async def test_filters_and_together(client: httpx.AsyncClient) -> None:
    a = await create(
        client, given_name="A", email_address="a@gmail.com", phone_number="+1 206-222-3333"
    )
    await create(
        client, given_name="B", email_address="b@gmail.com", phone_number="+1 415-212-1200"
    )
    flt = {"email_address": {"fuzzy": "gmail"}, "phone_number": {"fuzzy": "206"}}
    assert await _ids(client, flt) == [a["id"]]
    flt = {"email_address": {"exact": "a@gmail.com"}, "phone_number": {"exact": "+14152121200"}}
    assert await _ids(client, flt) == []


async def test_profiles_without_identity_are_hidden(client: httpx.AsyncClient) -> None:
    shown = await create(client, given_name="Shown")
    hidden = await create(client, email_address="only@example.com", note="n")
    response = await client.put(f"/v2/customers/{hidden['id']}", json={"email_address": None})
    assert response.status_code == 200
    assert "email_address" not in response.json()["customer"]
    listed = (await client.get("/v2/customers", params={"count": "true"})).json()
    assert [c["id"] for c in listed["customers"]] == [shown["id"]]
    assert listed["count"] == 1
    assert await _ids(client, {}) == [shown["id"]]
    assert (await client.get(f"/v2/customers/{hidden['id']}")).status_code == 200


async def test_default_sort_falls_back_to_company_email_phone(client: httpx.AsyncClient) -> None:
    by_phone = await create(client, phone_number="+1 206-222-3333")
    by_email = await create(client, email_address="mike@example.com")
    by_company = await create(client, company_name="Delta Co")
    by_name = await create(client, given_name="Bob", family_name="Zed")
    accented = await create(client, given_name="Élodie")
    order = [c["id"] for c in (await client.get("/v2/customers")).json()["customers"]]
    assert order == [
        by_phone["id"],
        by_name["id"],
        by_company["id"],
        accented["id"],
        by_email["id"],
    ]


async def test_limit_paging_over_filtered_results_desc(client: httpx.AsyncClient) -> None:
    made = [
        await create(client, given_name=f"N{i:02d}", email_address=f"n{i}@gmail.com")
        for i in range(7)
    ]
    seen: list[str] = []
    body: dict[str, Any] = {
        "limit": 3,
        "query": {"filter": {"email_address": {"fuzzy": "gmail"}}, "sort": {"order": "DESC"}},
    }
    while True:
        page = (await client.post("/v2/customers/search", json=body)).json()
        seen += [c["id"] for c in page["customers"]]
        if "cursor" not in page:
            break
        body["cursor"] = page["cursor"]
    assert seen == [c["id"] for c in reversed(made)]
