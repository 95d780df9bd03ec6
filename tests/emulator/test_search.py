"""ListCustomers and SearchCustomers: filters, sort, limit, cursors (milestone 1)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import FrozenClock

from .conftest import create, error_of


async def _search(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/v2/customers/search", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _emails(body: dict[str, Any]) -> list[str]:
    return [c.get("email_address", "") for c in body.get("customers", [])]


def _filter(**flt: Any) -> dict[str, Any]:
    return {"query": {"filter": flt}}


@pytest.fixture
async def people(client: httpx.AsyncClient, clock: FrozenClock) -> list[dict[str, Any]]:
    rows = [
        ("Steven", "Johnson", "steven.johnson@gmail.com", "+1-415-212-1200"),
        ("Maria", "Garcia", "mygmail@stevensbakery.com", "+1-212-415-1234"),
        ("Zed", "Adams", "zed@example.com", "+1 (551) 234-1567"),
        ("Ann", "Baker", "ann.baker@yahoo.com", "(206) 222-3333"),
    ]
    out = []
    for given, family, email, phone in rows:
        out.append(
            await create(
                client,
                given_name=given,
                family_name=family,
                email_address=email,
                phone_number=phone,
            )
        )
        clock.advance(10)
    return out


async def test_empty_directory_lists_as_empty_object(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/customers")
    assert response.status_code == 200
    assert response.json() == {}
    assert await _search(client) == {}


async def test_default_sort_is_by_name(
    client: httpx.AsyncClient, people: list[dict[str, Any]]
) -> None:
    listed = (await client.get("/v2/customers")).json()["customers"]
    assert [c["given_name"] for c in listed] == ["Ann", "Maria", "Steven", "Zed"]
    searched = (await _search(client))["customers"]
    assert [c["given_name"] for c in searched] == ["Ann", "Maria", "Steven", "Zed"]
    desc = (await client.get("/v2/customers", params={"sort_order": "DESC"})).json()
    assert [c["given_name"] for c in desc["customers"]] == ["Zed", "Steven", "Maria", "Ann"]


async def test_created_at_sort(client: httpx.AsyncClient, people: list[dict[str, Any]]) -> None:
    body = await _search(client, query={"sort": {"field": "CREATED_AT", "order": "DESC"}})
    assert [c["id"] for c in body["customers"]] == [p["id"] for p in reversed(people)]
    listed = await client.get("/v2/customers", params={"sort_field": "CREATED_AT"})
    assert [c["id"] for c in listed.json()["customers"]] == [p["id"] for p in people]


async def test_email_fuzzy_tokens_in_any_order(
    client: httpx.AsyncClient, people: list[dict[str, Any]]
) -> None:
    body = await _search(client, **_filter(email_address={"fuzzy": "Steven gmail"}))
    assert sorted(_emails(body)) == ["mygmail@stevensbakery.com", "steven.johnson@gmail.com"]
    body = await _search(client, **_filter(email_address={"fuzzy": "steven.johnson@"}))
    assert _emails(body) == ["steven.johnson@gmail.com"]


async def test_email_exact_is_case_insensitive(
    client: httpx.AsyncClient, people: list[dict[str, Any]]
) -> None:
    body = await _search(client, **_filter(email_address={"exact": "ZED@example.COM"}))
    assert _emails(body) == ["zed@example.com"]
    assert await _search(client, **_filter(email_address={"exact": "zed@example"})) == {}


async def test_phone_fuzzy_every_digit_token(
    client: httpx.AsyncClient, people: list[dict[str, Any]]
) -> None:
    body = await _search(client, **_filter(phone_number={"fuzzy": "415"}))
    assert sorted(c["phone_number"] for c in body["customers"]) == sorted(
        ["+1-415-212-1200", "+1-212-415-1234", "+1 (551) 234-1567"]
    )
    body = await _search(client, **_filter(phone_number={"fuzzy": "415 123"}))
    assert sorted(c["phone_number"] for c in body["customers"]) == sorted(
        ["+1-212-415-1234", "+1 (551) 234-1567"]
    )


async def test_phone_exact_compares_e164(
    client: httpx.AsyncClient, people: list[dict[str, Any]]
) -> None:
    for query in ("+12062223333", "+1 (206) 222-3333"):
        body = await _search(client, **_filter(phone_number={"exact": query}))
        assert [c["phone_number"] for c in body["customers"]] == ["(206) 222-3333"]


async def test_exact_and_fuzzy_together_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v2/customers/search",
        json=_filter(email_address={"exact": "a@b.com", "fuzzy": "a"}),
    )
    assert response.status_code == 400
    assert error_of(response)["category"] == "INVALID_REQUEST_ERROR"


async def test_limit_and_cursor_walk_every_page(
    client: httpx.AsyncClient, people: list[dict[str, Any]]
) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        body: dict[str, Any] = {"limit": 3}
        if cursor:
            body["cursor"] = cursor
        page = await _search(client, **body)
        seen += [c["id"] for c in page["customers"]]
        pages += 1
        cursor = page.get("cursor")
        if not cursor:
            break
    assert pages == 2
    assert sorted(seen) == sorted(p["id"] for p in people)
    assert len(seen) == len(set(seen))
    # the same through ListCustomers
    first = (await client.get("/v2/customers", params={"limit": 2})).json()
    assert len(first["customers"]) == 2 and first["cursor"]
    second = (
        await client.get("/v2/customers", params={"limit": 2, "cursor": first["cursor"]})
    ).json()
    assert len(second["customers"]) == 2 and "cursor" not in second


async def test_cursor_is_bound_to_its_query(
    client: httpx.AsyncClient, people: list[dict[str, Any]]
) -> None:
    page = await _search(client, limit=1)
    other = await client.post(
        "/v2/customers/search",
        json={"limit": 1, "cursor": page["cursor"], **_filter(email_address={"fuzzy": "a"})},
    )
    assert other.status_code == 400
    assert error_of(other)["code"] == "INVALID_CURSOR"
    garbage = await client.get("/v2/customers", params={"cursor": "not-a-cursor"})
    assert garbage.status_code == 400
    assert error_of(garbage)["code"] == "INVALID_CURSOR"
    listed = (await client.get("/v2/customers", params={"limit": 1})).json()
    crossed = await client.post("/v2/customers/search", json={"cursor": listed["cursor"]})
    assert error_of(crossed)["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize(("limit", "code"), [(0, "VALUE_TOO_LOW"), (101, "VALUE_TOO_HIGH")])
async def test_limit_bounds(client: httpx.AsyncClient, limit: int, code: str) -> None:
    listed = await client.get("/v2/customers", params={"limit": limit})
    assert listed.status_code == 400
    assert error_of(listed)["code"] == code
    assert error_of(listed)["field"] == "limit"
    searched = await client.post("/v2/customers/search", json={"limit": limit})
    assert searched.status_code == 400
    assert error_of(searched)["code"] == code


async def test_count(client: httpx.AsyncClient, people: list[dict[str, Any]]) -> None:
    listed = (await client.get("/v2/customers", params={"count": "true", "limit": 1})).json()
    assert listed["count"] == 4
    body = await _search(client, count=True, **_filter(email_address={"fuzzy": "gmail"}))
    assert body["count"] == 2


async def test_writes_show_in_list_and_search(
    client: httpx.AsyncClient, people: list[dict[str, Any]]
) -> None:
    steven = people[0]
    await client.put(f"/v2/customers/{steven['id']}", json={"email_address": "sj@proton.me"})
    body = await _search(client, **_filter(email_address={"fuzzy": "proton"}))
    assert [c["id"] for c in body["customers"]] == [steven["id"]]
    assert body["customers"][0]["version"] == 1
