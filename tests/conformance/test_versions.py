"""Square-Version through the SDK: a client pinned before 2024-12-18 sees `Customer.cards`."""

from __future__ import annotations

from square import Square

from .conftest import SquareFactory, new_customer, some, unique
from .openapi import WireChecker, legacy_properties, violations

OLD = "2020-12-16"  # the old square-connect SDK's version


def test_an_old_version_sees_cards_on_file(
    square: Square, make_square: SquareFactory, checker: WireChecker
) -> None:
    cid = some(new_customer(square).id)
    card = some(
        square.cards.create(
            idempotency_key=unique("key"), source_id="cnon:card-nonce-ok", card={"customer_id": cid}
        ).card
    )
    old = make_square(version=OLD)
    old.customers.get(customer_id=cid)
    cards = checker.last_body["customer"]["cards"]
    assert [c["id"] for c in cards] == [card.id] and cards[0]["last_4"] == "5858"
    old.customers.bulk_retrieve_customers(customer_ids=[cid])
    assert checker.last_body["responses"][cid]["customer"]["cards"] == cards
    square.customers.get(customer_id=cid)  # the SDK's own (current) version
    assert "cards" not in checker.last_body["customer"]
    make_square(version="2024-12-18").customers.get(customer_id=cid)
    assert "cards" not in checker.last_body["customer"]


def test_the_wire_checker_takes_cards_only_from_an_old_version() -> None:
    customer = {"id": "C", "cards": [{"id": "ccof:x", "last_4": "5858"}]}
    schema = {"$ref": "#/components/schemas/Customer"}
    assert violations(customer, schema, legacy=legacy_properties(OLD)) == []
    assert violations(customer, schema, legacy=legacy_properties("2025-08-20")) == [
        "$: `cards` is not in the spec"
    ]
