"""Cards API and the deprecated customer-card endpoints, with Square's sandbox nonces."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import FrozenClock

from .conftest import create, error_of

CARD_FIELDS = {
    "id",
    "card_brand",
    "last_4",
    "exp_month",
    "exp_year",
    "cardholder_name",
    "billing_address",
    "fingerprint",
    "customer_id",
    "merchant_id",
    "enabled",
    "card_type",
    "prepaid_type",
    "bin",
    "version",
    "hsa_fsa",
}


async def _card(
    client: httpx.AsyncClient,
    customer_id: str,
    key: str,
    source: str = "cnon:card-nonce-ok",
    **card: Any,
) -> httpx.Response:
    return await client.post(
        "/v2/cards",
        json={
            "idempotency_key": key,
            "source_id": source,
            "card": {"customer_id": customer_id, **card},
        },
    )


async def test_create_card_with_ok_nonce(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    customer = await create(client, given_name="Amelia", family_name="Earhart")
    response = await _card(
        client, customer["id"], "k1", cardholder_name="Amelia Earhart", reference_id="user-id-1"
    )
    assert response.status_code == 200, response.text
    card = response.json()["card"]
    assert set(card) == CARD_FIELDS | {"reference_id"}
    assert card["id"].startswith("ccof:")
    assert (card["card_brand"], card["last_4"], card["bin"]) == ("VISA", "5858", "453275")
    assert (card["card_type"], card["prepaid_type"]) == ("CREDIT", "NOT_PREPAID")
    assert (card["exp_month"], card["exp_year"]) == (clock().month, clock().year + 2)
    assert card["billing_address"]["postal_code"] == "94103"
    assert (card["enabled"], card["version"]) == (True, 1)
    assert card["customer_id"] == customer["id"]
    assert (await client.get(f"/v2/cards/{card['id']}")).json() == {"card": card}
    # idempotent replay, then a reused source
    assert (
        await _card(
            client, customer["id"], "k1", cardholder_name="Amelia Earhart", reference_id="user-id-1"
        )
    ).json() == {"card": card}
    # Square's sandbox nonce is reusable: a new key makes another card (the same number)
    again = await _card(client, customer["id"], "k2")
    assert again.status_code == 200, again.text
    second = again.json()["card"]
    assert second["id"] != card["id"] and second["fingerprint"] == card["fingerprint"]
    # the emulator's fresh variants of the ok nonce
    assert (await _card(client, customer["id"], "k3", "cnon:card-nonce-ok-2")).status_code == 200


async def test_the_ok_nonce_serves_every_customer(client: httpx.AsyncClient) -> None:
    """`cnon:card-nonce-ok` works for every customer and key, on both APIs, as on Square's
    sandbox; `cnon:card-nonce-already-used` is the nonce that says CARD_TOKEN_USED."""
    made: set[str] = set()
    for n in range(3):
        customer = await create(client, given_name=f"Reuser {n}")
        response = await _card(client, customer["id"], f"reuse-{n}")
        assert response.status_code == 200, response.text
        legacy = await client.post(
            f"/v2/customers/{customer['id']}/cards", json={"card_nonce": "cnon:card-nonce-ok"}
        )
        assert legacy.status_code == 200, legacy.text
        made |= {response.json()["card"]["id"], legacy.json()["card"]["id"]}
    assert len(made) == 3  # one card each: the legacy call finds the card the nonce made
    used = await _card(client, customer["id"], "used", "cnon:card-nonce-already-used")
    assert (used.status_code, error_of(used)["code"]) == (400, "CARD_TOKEN_USED")


async def test_a_payment_id_makes_one_card(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="A")
    payment = "R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY"
    assert (await _card(client, customer["id"], "p1", payment)).status_code == 200
    used = await _card(client, customer["id"], "p2", payment)
    assert used.status_code == 400
    assert (error_of(used)["code"], error_of(used)["field"]) == ("SOURCE_USED", "source_id")


@pytest.mark.parametrize(
    ("nonce", "status", "code"),
    [
        ("cnon:card-nonce-declined", 402, "CARD_DECLINED"),
        ("cnon:card-nonce-rejected-cvv", 402, "VERIFY_CVV_FAILURE"),
        ("cnon:card-nonce-rejected-postalcode", 402, "VERIFY_AVS_FAILURE"),
        ("cnon:card-nonce-rejected-expiration", 400, "INVALID_EXPIRATION"),
        ("cnon:card-nonce-already-used", 400, "CARD_TOKEN_USED"),
        ("cnon:garbage", 400, "INVALID_CARD_DATA"),
    ],
)
async def test_sandbox_nonces(
    client: httpx.AsyncClient, nonce: str, status: int, code: str
) -> None:
    customer = await create(client, given_name="A")
    response = await _card(client, customer["id"], "key", nonce)
    assert response.status_code == status
    assert error_of(response)["code"] == code
    legacy = await client.post(f"/v2/customers/{customer['id']}/cards", json={"card_nonce": nonce})
    assert legacy.status_code == status
    assert error_of(legacy)["code"] == code


async def test_create_card_from_payment_id(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="A")
    response = await _card(client, customer["id"], "k", "R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY")
    assert response.status_code == 200
    assert response.json()["card"]["last_4"] == "1111"


async def test_create_card_validation(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="A")
    missing_key = await client.post(
        "/v2/cards",
        json={"source_id": "cnon:card-nonce-ok", "card": {"customer_id": customer["id"]}},
    )
    assert error_of(missing_key)["field"] == "idempotency_key"
    long_key = await _card(client, customer["id"], "k" * 46)
    assert (error_of(long_key)["code"], error_of(long_key)["field"]) == (
        "VALUE_TOO_LONG",
        "idempotency_key",
    )
    long_name = await _card(client, customer["id"], "k1", cardholder_name="n" * 97)
    assert error_of(long_name)["field"] == "card.cardholder_name"
    long_ref = await _card(client, customer["id"], "k2", reference_id="r" * 129)
    assert error_of(long_ref)["field"] == "card.reference_id"
    unknown = await _card(client, "NOPE", "k3")
    assert unknown.status_code == 404
    assert error_of(unknown)["code"] == "CUSTOMER_NOT_FOUND"
    assert (await client.get("/v2/cards/ccof:nope")).status_code == 404
    assert error_of(await client.get("/v2/cards/ccof:nope"))["field"] == "card_id"


async def test_disable_card(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="A")
    card = (await _card(client, customer["id"], "k")).json()["card"]
    response = await client.post(f"/v2/cards/{card['id']}/disable")
    disabled = response.json()["card"]
    assert (disabled["enabled"], disabled["version"]) == (False, 2)
    again = (await client.post(f"/v2/cards/{card['id']}/disable")).json()["card"]
    assert again == disabled  # no effect the second time
    assert (await client.post("/v2/cards/ccof:nope/disable")).status_code == 404


async def test_list_cards(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    a = await create(client, given_name="A")
    b = await create(client, given_name="B")
    ids = []
    for i in range(30):
        clock.advance(1)
        owner = a if i % 2 == 0 else b
        response = await _card(
            client, owner["id"], f"k{i}", f"cnon:card-nonce-ok-{i}", reference_id=f"r{i % 3}"
        )
        ids.append(response.json()["card"]["id"])
    first = (await client.get("/v2/cards")).json()
    assert len(first["cards"]) == 25 and first["cursor"]
    assert [c["id"] for c in first["cards"]] == ids[:25]
    second = (await client.get("/v2/cards", params={"cursor": first["cursor"]})).json()
    assert [c["id"] for c in second["cards"]] == ids[25:] and "cursor" not in second
    mine = (await client.get("/v2/cards", params={"customer_id": a["id"]})).json()["cards"]
    assert {c["customer_id"] for c in mine} == {a["id"]} and len(mine) == 15
    desc = (
        await client.get("/v2/cards", params={"customer_id": a["id"], "sort_order": "DESC"})
    ).json()
    assert [c["id"] for c in desc["cards"]] == [c["id"] for c in reversed(mine)]
    refs = (await client.get("/v2/cards", params={"reference_id": "r0"})).json()["cards"]
    assert len(refs) == 10
    await client.post(f"/v2/cards/{ids[0]}/disable")
    enabled = (await client.get("/v2/cards", params={"customer_id": a["id"]})).json()["cards"]
    assert ids[0] not in [c["id"] for c in enabled]
    everything = (
        await client.get("/v2/cards", params={"customer_id": a["id"], "include_disabled": "true"})
    ).json()["cards"]
    assert ids[0] in [c["id"] for c in everything]
    assert (await client.get("/v2/cards", params={"customer_id": "NOPE"})).json() == {}
    bad = await client.get("/v2/cards", params={"cursor": "zzz"})
    assert error_of(bad)["code"] == "INVALID_CURSOR"


async def test_deleting_a_customer_disables_its_cards(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="A")
    card = (await _card(client, customer["id"], "k")).json()["card"]
    await client.delete(f"/v2/customers/{customer['id']}")
    after = (await client.get(f"/v2/cards/{card['id']}")).json()["card"]
    assert after["enabled"] is False
    assert (await client.get("/v2/cards", params={"customer_id": customer["id"]})).json() == {}


async def test_customer_card_endpoints(client: httpx.AsyncClient) -> None:
    customer = await create(client, given_name="A")
    path = f"/v2/customers/{customer['id']}/cards"
    response = await client.post(
        path,
        json={
            "card_nonce": "cnon:card-nonce-ok",
            "cardholder_name": "Amelia Earhart",
            "billing_address": {"postal_code": "10003", "country": "US"},
        },
    )
    assert response.status_code == 200
    card = response.json()["card"]
    assert card["billing_address"] == {"postal_code": "10003", "country": "US"}
    # idempotent per nonce
    again = await client.post(path, json={"card_nonce": "cnon:card-nonce-ok"})
    assert again.json()["card"]["id"] == card["id"]
    missing = await client.post(path, json={})
    assert error_of(missing)["field"] == "card_nonce"
    assert (
        await client.post("/v2/customers/NOPE/cards", json={"card_nonce": "cnon:card-nonce-ok-9"})
    ).status_code == 404
    response = await client.delete(f"{path}/{card['id']}")
    assert (response.status_code, response.json()) == (200, {})
    assert (await client.get(f"/v2/cards/{card['id']}")).json()["card"]["enabled"] is False
    assert (await client.delete(f"{path}/ccof:nope")).status_code == 404
