"""The Cards API and the deprecated customer-card endpoints, with Square's sandbox nonces."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from square import Square

from .conftest import expect_error, new_customer, some, unique

REFUSED = [
    ("cnon:card-nonce-declined", 402, "PAYMENT_METHOD_ERROR", "CARD_DECLINED"),
    ("cnon:card-nonce-rejected-cvv", 402, "PAYMENT_METHOD_ERROR", "VERIFY_CVV_FAILURE"),
    ("cnon:card-nonce-rejected-postalcode", 402, "PAYMENT_METHOD_ERROR", "VERIFY_AVS_FAILURE"),
    ("cnon:card-nonce-rejected-expiration", 400, "PAYMENT_METHOD_ERROR", "INVALID_EXPIRATION"),
    ("cnon:card-nonce-already-used", 400, "INVALID_REQUEST_ERROR", "CARD_TOKEN_USED"),
    ("cnon:made-up", 400, "INVALID_REQUEST_ERROR", "INVALID_CARD_DATA"),
]


def fresh_nonce() -> str:
    """An emulator-only variant of `cnon:card-nonce-ok` that no other test has used."""
    return f"cnon:card-nonce-ok-{unique('n')}"


def test_the_ok_nonce_makes_square_s_test_card(square: Square) -> None:
    cid = some(new_customer(square).id)
    card = some(
        square.cards.create(
            idempotency_key=unique("key"),
            source_id="cnon:card-nonce-ok",
            card={
                "customer_id": cid,
                "cardholder_name": "Amelia Earhart",
                "reference_id": "user-id-1",
                "billing_address": {"address_line_1": "500 Electric Ave", "country": "US"},
            },
        ).card
    )
    now = datetime.now(UTC)
    assert some(card.id).startswith("ccof:")
    assert (card.card_brand, card.last4, card.bin) == ("VISA", "5858", "453275")
    assert (card.card_type, card.prepaid_type) == ("CREDIT", "NOT_PREPAID")
    assert (card.exp_month, card.exp_year) == (now.month, now.year + 2)
    address = some(card.billing_address)
    assert (address.postal_code, address.address_line1) == ("94103", "500 Electric Ave")
    assert (card.enabled, card.version, card.customer_id) == (True, 1, cid)
    assert (card.cardholder_name, card.reference_id) == ("Amelia Earhart", "user-id-1")
    assert square.cards.get(card_id=some(card.id)).card == card


def test_the_ok_nonce_is_reusable(square: Square) -> None:
    """As on Square's sandbox, where Square's own SDK tests reuse it on every run: every
    customer, every new CreateCard key, the deprecated endpoint too."""
    made = []
    for _ in range(3):
        cid = some(new_customer(square).id)
        for _ in range(2):
            card = square.cards.create(
                idempotency_key=unique("key"),
                source_id="cnon:card-nonce-ok",
                card={"customer_id": cid},
            ).card
            made.append(some(some(card).id))
        other = some(new_customer(square).id)
        legacy = some(
            square.customers.cards.create(customer_id=other, card_nonce="cnon:card-nonce-ok").card
        )
        assert legacy.customer_id == other and legacy.last4 == "5858"
        made.append(some(legacy.id))
    assert len(set(made)) == 9


@pytest.mark.parametrize(("nonce", "status", "category", "code"), REFUSED)
def test_refused_nonces(square: Square, nonce: str, status: int, category: str, code: str) -> None:
    cid = some(new_customer(square).id)
    expect_error(
        lambda: square.cards.create(
            idempotency_key=unique("key"), source_id=nonce, card={"customer_id": cid}
        ),
        status,
        code,
        category=category,
        field="source_id",
    )
    expect_error(
        lambda: square.customers.cards.create(customer_id=cid, card_nonce=nonce),
        status,
        code,
        category=category,
        field="card_nonce",
    )
    assert square.cards.list(customer_id=cid).items is None  # no card was made


def test_a_payment_id_is_a_source(square: Square) -> None:
    cid = some(new_customer(square).id)
    card = some(
        square.cards.create(
            idempotency_key=unique("key"),
            source_id="R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY",
            card={"customer_id": cid},
        ).card
    )
    assert card.enabled and card.customer_id == cid


def test_create_card_idempotency(square: Square) -> None:
    cid = some(new_customer(square).id)
    key, nonce = unique("key"), fresh_nonce()
    first = some(
        square.cards.create(idempotency_key=key, source_id=nonce, card={"customer_id": cid}).card
    )
    again = some(
        square.cards.create(idempotency_key=key, source_id=nonce, card={"customer_id": cid}).card
    )
    assert again == first
    expect_error(
        lambda: square.cards.create(
            idempotency_key=key, source_id=fresh_nonce(), card={"customer_id": cid}
        ),
        400,
        "IDEMPOTENCY_KEY_REUSED",
        field="idempotency_key",
    )
    assert [c.id for c in square.cards.list(customer_id=cid)] == [first.id]


def test_create_card_validation(square: Square) -> None:
    cid = some(new_customer(square).id)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"idempotency_key": ""}, "MISSING_REQUIRED_PARAMETER", "idempotency_key"),
        ({"idempotency_key": "k" * 46}, "VALUE_TOO_LONG", "idempotency_key"),
        ({"source_id": ""}, "MISSING_REQUIRED_PARAMETER", "source_id"),
        ({"card": {"customer_id": cid, "cardholder_name": "n" * 97}}, "VALUE_TOO_LONG",
         "card.cardholder_name"),
        ({"card": {"customer_id": cid, "reference_id": "r" * 129}}, "VALUE_TOO_LONG",
         "card.reference_id"),
        ({"card": {}}, "MISSING_REQUIRED_PARAMETER", "card.customer_id"),
    ]  # fmt: skip
    for change, code, field in cases:
        body: dict[str, Any] = {
            "idempotency_key": unique("key"),
            "source_id": fresh_nonce(),
            "card": {"customer_id": cid},
            **change,
        }

        def create(body: dict[str, Any] = body) -> object:
            return square.cards.create(**body)

        expect_error(create, 400, code, field=field)
    # 45 characters is the longest key
    assert square.cards.create(
        idempotency_key="k" * 44 + unique("")[-1],
        source_id=fresh_nonce(),
        card={"customer_id": cid},
    ).card
    expect_error(
        lambda: square.cards.create(
            idempotency_key=unique("key"), source_id=fresh_nonce(), card={"customer_id": "NOPE"}
        ),
        404,
        "CUSTOMER_NOT_FOUND",
        field="card.customer_id",
    )


def test_retrieve_and_disable(square: Square) -> None:
    cid = some(new_customer(square).id)
    card = some(
        square.cards.create(
            idempotency_key=unique("key"), source_id=fresh_nonce(), card={"customer_id": cid}
        ).card
    )
    disabled = some(square.cards.disable(card_id=some(card.id)).card)
    assert (disabled.enabled, disabled.version) == (False, 2)
    assert some(square.cards.disable(card_id=some(card.id)).card) == disabled  # no effect
    assert square.cards.get(card_id=some(card.id)).card == disabled
    for call in (
        lambda: square.cards.get(card_id="ccof:nope"),
        lambda: square.cards.disable(card_id="ccof:nope"),
    ):
        expect_error(call, 404, "NOT_FOUND", field="card_id")


def test_list_cards_in_pages(square: Square) -> None:
    owner = some(new_customer(square).id)
    made = []
    for i in range(27):
        card = square.cards.create(
            idempotency_key=unique("key"),
            source_id=fresh_nonce(),
            card={"customer_id": owner, "reference_id": f"ref-{owner}-{i % 3}"},
        ).card
        made.append(some(some(card).id))
    pages = list(square.cards.list(customer_id=owner).iter_pages())
    assert [len(some(p.items)) for p in pages] == [25, 2]  # 25 a page, no limit
    assert pages[0].response.cursor and pages[1].response.cursor is None
    assert [c.id for p in pages for c in some(p.items)] == made  # oldest first
    desc = [c.id for c in square.cards.list(customer_id=owner, sort_order="DESC")]
    assert desc == made[::-1]
    by_ref = [c.id for c in square.cards.list(reference_id=f"ref-{owner}-0")]
    assert by_ref == made[0::3]
    square.cards.disable(card_id=made[0])
    assert made[0] not in [c.id for c in square.cards.list(customer_id=owner)]
    everything = [c.id for c in square.cards.list(customer_id=owner, include_disabled=True)]
    assert everything == made
    # every card of the account, across pages
    every = [c.id for c in square.cards.list(include_disabled=True)]
    assert len(every) == len(set(every)) and set(made) <= set(every)
    expect_error(lambda: square.cards.list(cursor="garbage"), 400, "INVALID_CURSOR", field="cursor")
    cursor = some(pages[0].response.cursor)
    expect_error(
        lambda: square.cards.list(customer_id=owner, sort_order="DESC", cursor=cursor),
        400,
        "INVALID_CURSOR",
    )


def test_customer_card_endpoints(square: Square) -> None:
    cid = some(new_customer(square).id)
    nonce = fresh_nonce()
    card = some(
        square.customers.cards.create(
            customer_id=cid,
            card_nonce=nonce,
            cardholder_name="Amelia Earhart",
            billing_address={"postal_code": "10003", "country": "US"},
        ).card
    )
    assert some(card.billing_address).postal_code == "10003"
    # idempotent per nonce: the same nonce gives the same card
    assert some(square.customers.cards.create(customer_id=cid, card_nonce=nonce).card).id == card.id
    expect_error(
        lambda: square.customers.cards.create(customer_id=cid, card_nonce=""),
        400,
        "MISSING_REQUIRED_PARAMETER",
        field="card_nonce",
    )
    expect_error(
        lambda: square.customers.cards.create(customer_id="NOPE", card_nonce=fresh_nonce()),
        404,
        "NOT_FOUND",
        field="customer_id",
    )
    square.customers.cards.delete(customer_id=cid, card_id=some(card.id))
    assert some(square.cards.get(card_id=some(card.id)).card).enabled is False
    expect_error(
        lambda: square.customers.cards.delete(customer_id=cid, card_id="ccof:nope"),
        404,
        "NOT_FOUND",
        field="card_id",
    )
    expect_error(
        lambda: square.customers.cards.delete(customer_id="NOPE", card_id=some(card.id)),
        404,
        "NOT_FOUND",
        field="customer_id",
    )


def test_deleting_a_customer_disables_its_cards(square: Square) -> None:
    cid = some(new_customer(square).id)
    card = some(
        square.cards.create(
            idempotency_key=unique("key"), source_id=fresh_nonce(), card={"customer_id": cid}
        ).card
    )
    square.customers.delete(customer_id=cid)
    assert some(square.cards.get(card_id=some(card.id)).card).enabled is False
    assert square.cards.list(customer_id=cid).items is None
