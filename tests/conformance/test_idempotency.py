"""Idempotency keys on CreateCustomer and CreateCustomerGroup (CreateCard and
BulkCreateCustomers' map keys are in test_cards.py and test_bulk.py)."""

from __future__ import annotations

from square import Square

from .conftest import expect_error, some, unique


def _with_reference(square: Square, ref: str) -> list[str]:
    found = square.customers.search(query={"filter": {"reference_id": {"exact": ref}}})
    return [some(c.id) for c in found.customers or []]


def test_create_customer_replays_the_first_answer(square: Square) -> None:
    key, ref = unique("key"), unique("idem")
    first = some(square.customers.create(idempotency_key=key, given_name="Once", reference_id=ref))
    again = some(square.customers.create(idempotency_key=key, given_name="Once", reference_id=ref))
    assert again == first
    assert _with_reference(square, ref) == [some(first.customer).id]
    err = expect_error(
        lambda: square.customers.create(idempotency_key=key, given_name="Twice", reference_id=ref),
        400,
        "IDEMPOTENCY_KEY_REUSED",
        field="idempotency_key",
    )
    assert key in some(err.errors[0].detail)
    assert _with_reference(square, ref) == [some(first.customer).id]


def test_a_refused_request_does_not_use_up_its_key(square: Square) -> None:
    key = unique("key")
    expect_error(
        lambda: square.customers.create(idempotency_key=key, email_address="nope"),
        400,
        "INVALID_EMAIL_ADDRESS",
    )
    assert square.customers.create(idempotency_key=key, given_name="Fine").customer


def test_no_key_no_replay(square: Square) -> None:
    ref = unique("nokey")
    for _ in range(2):
        square.customers.create(given_name="Again", reference_id=ref)
    assert len(_with_reference(square, ref)) == 2


def test_create_group_replays_the_first_answer(square: Square) -> None:
    key, name = unique("key"), unique("IdemGroup")
    first = some(square.customers.groups.create(idempotency_key=key, group={"name": name}).group)
    again = some(square.customers.groups.create(idempotency_key=key, group={"name": name}).group)
    assert again == first
    assert [g.id for g in square.customers.groups.list()].count(first.id) == 1
    expect_error(
        lambda: square.customers.groups.create(idempotency_key=key, group={"name": "Other"}),
        400,
        "IDEMPOTENCY_KEY_REUSED",
        field="idempotency_key",
    )


def test_keys_belong_to_one_operation(square: Square) -> None:
    key = unique("shared")
    assert square.customers.create(idempotency_key=key, given_name="Shared").customer
    assert square.customers.groups.create(idempotency_key=key, group={"name": key}).group
