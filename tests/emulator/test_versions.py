"""Answers follow the request's Square-Version where a field came or went (`versions.py`)."""

from __future__ import annotations

import httpx
import pytest

from app.emulator.versions import CUSTOMER_CARDS_REMOVED, before

from .conftest import create

OLD = "2020-12-16"  # what the old square-connect SDK sends


async def _card(client: httpx.AsyncClient, customer_id: str, key: str) -> dict[str, object]:
    response = await client.post(
        "/v2/cards",
        json={
            "idempotency_key": key,
            "source_id": "cnon:card-nonce-ok",
            "card": {"customer_id": customer_id},
        },
    )
    assert response.status_code == 200, response.text
    card: dict[str, object] = response.json()["card"]
    return card


async def test_an_old_version_gets_the_customer_s_cards(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="Carda", family_name="Holder")
    cid = customer["id"]
    kept = await _card(client, cid, "c1")
    gone = await _card(client, cid, "c2")
    await client.post(f"/v2/cards/{gone['id']}/disable")
    plain = await create(client, given_name="Nocards")
    old = {"Square-Version": OLD}

    answer = await client.get(f"/v2/customers/{cid}", headers=old)
    assert answer.headers["square-version"] == OLD
    assert answer.json()["customer"]["cards"] == [kept]  # enabled cards only
    no_cards = (await client.get(f"/v2/customers/{plain['id']}", headers=old)).json()
    assert "cards" not in no_cards["customer"]  # empty values are left out
    listed = (await client.get("/v2/customers", headers=old)).json()["customers"]
    assert {c["id"]: "cards" in c for c in listed} == {cid: True, plain["id"]: False}
    searched = await client.post("/v2/customers/search", json={"limit": 10}, headers=old)
    assert [c.get("cards") for c in searched.json()["customers"]] == [[kept], None]
    bulk = await client.post(
        "/v2/customers/bulk-retrieve", json={"customer_ids": [cid]}, headers=old
    )
    assert bulk.json()["responses"][cid]["customer"]["cards"] == [kept]
    updated = await client.put(f"/v2/customers/{cid}", json={"note": "n"}, headers=old)
    assert updated.json()["customer"]["cards"] == [kept]


@pytest.mark.parametrize("version", [CUSTOMER_CARDS_REMOVED, "2025-08-20", "latest", None])
async def test_current_versions_get_no_cards(
    client: httpx.AsyncClient, version: str | None
) -> None:
    cid = (await create(client, given_name="Carda"))["id"]
    await _card(client, cid, "c1")
    headers = {"Square-Version": version} if version else {}
    customer = (await client.get(f"/v2/customers/{cid}", headers=headers)).json()["customer"]
    assert "cards" not in customer
    assert (await client.get("/v2/cards", params={"customer_id": cid})).json()["cards"]


def test_version_dates_compare_as_dates() -> None:
    assert before("2024-12-17", CUSTOMER_CARDS_REMOVED)
    assert not before("2024-12-18", CUSTOMER_CARDS_REMOVED)
    assert not before("2024-1-1", CUSTOMER_CARDS_REMOVED)  # not a date: the current version
    assert not before(None, CUSTOMER_CARDS_REMOVED)
