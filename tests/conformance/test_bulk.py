"""Bulk create, update, delete and retrieve: per-entry results and whole-batch errors."""

from __future__ import annotations

from typing import Any

from square import Square
from square.types.error import Error

from .conftest import INVALID_REQUEST, expect_error, new_customer, some, unique


def _only(errors: list[Error] | None) -> tuple[str, str, str | None]:
    assert errors is not None and len(errors) == 1, errors
    return (errors[0].category, errors[0].code, errors[0].field)


def test_bulk_create_per_entry(square: Square) -> None:
    ok, bad_email, nobody = unique("ok"), unique("bad"), unique("nobody")
    batch: dict[str, Any] = {
        ok: {"given_name": "Bulk", "family_name": "One", "birthday": "03-04"},
        bad_email: {"given_name": "Bulk", "email_address": "nope"},
        nobody: {"note": "no identifying field"},
    }
    responses = some(square.customers.batch_create(customers=batch).responses)
    assert set(responses) == {ok, bad_email, nobody}
    made = some(responses[ok].customer)
    assert (made.family_name, made.birthday, made.version) == ("One", "0000-03-04", 0)
    assert responses[ok].errors is None
    assert responses[bad_email].customer is None
    assert _only(responses[bad_email].errors) == (
        INVALID_REQUEST,
        "INVALID_EMAIL_ADDRESS",
        "email_address",
    )
    assert _only(responses[nobody].errors)[:2] == (INVALID_REQUEST, "MISSING_REQUIRED_PARAMETER")
    # the map keys are idempotency keys: the same entry again is the same customer
    again = some(square.customers.batch_create(customers={ok: batch[ok]}).responses)
    assert some(again[ok].customer).id == made.id
    reused = some(square.customers.batch_create(customers={ok: {"given_name": "Other"}}).responses)
    assert _only(reused[ok].errors)[1:] == ("IDEMPOTENCY_KEY_REUSED", "idempotency_key")


def test_bulk_update_per_entry(square: Square) -> None:
    a, b = new_customer(square), new_customer(square)
    aid, bid = some(a.id), some(b.id)
    responses = some(
        square.customers.bulk_update_customers(
            customers={
                aid: {"note": "bulk", "version": 0},
                bid: {"phone_number": "555-123-4567"},
                "NOPE": {"note": "x"},
            }
        ).responses
    )
    updated = some(responses[aid].customer)
    assert (updated.note, updated.version) == ("bulk", 1)
    assert _only(responses[bid].errors) == (
        INVALID_REQUEST,
        "INVALID_PHONE_NUMBER",
        "phone_number",
    )
    assert _only(responses["NOPE"].errors)[1:] == ("NOT_FOUND", "customer_id")
    stale = some(
        square.customers.bulk_update_customers(
            customers={aid: {"note": "stale", "version": 0}}
        ).responses
    )
    assert _only(stale[aid].errors)[1:] == ("CONFLICT", "version")
    assert some(square.customers.get(customer_id=aid).customer).note == "bulk"
    assert some(square.customers.get(customer_id=bid).customer) == b


def test_bulk_retrieve_and_delete(square: Square) -> None:
    a, b = new_customer(square), new_customer(square)
    aid, bid = some(a.id), some(b.id)
    got = some(
        square.customers.bulk_retrieve_customers(customer_ids=[aid, bid, "NOPE", aid]).responses
    )
    assert list(got) == [aid, bid, "NOPE"]  # one response per distinct id
    assert got[aid].customer == a and got[bid].customer == b
    assert _only(got["NOPE"].errors)[1:] == ("NOT_FOUND", "customer_id")
    gone = some(square.customers.bulk_delete_customers(customer_ids=[aid, "NOPE"]).responses)
    assert gone[aid].errors is None
    assert _only(gone["NOPE"].errors)[1:] == ("NOT_FOUND", "customer_id")
    expect_error(lambda: square.customers.get(customer_id=aid), 404, "NOT_FOUND")
    again = some(square.customers.bulk_retrieve_customers(customer_ids=[aid, bid]).responses)
    assert again[aid].errors and again[bid].customer == b


def test_whole_batch_errors(square: Square) -> None:
    many = {f"k{i}": {"given_name": "X"} for i in range(101)}
    expect_error(
        lambda: square.customers.batch_create(customers=many),
        400,
        "TOO_MANY_MAP_ENTRIES",
        field="customers",
    )
    expect_error(
        lambda: square.customers.batch_create(customers={}),
        400,
        "ARRAY_LENGTH_TOO_SHORT",
        field="customers",
    )
    expect_error(
        lambda: square.customers.bulk_update_customers(
            customers={f"C{i}": {"note": "x"} for i in range(101)}
        ),
        400,
        "TOO_MANY_MAP_ENTRIES",
        field="customers",
    )
    ids = [f"C{i}" for i in range(101)]
    for call in (
        lambda: square.customers.bulk_delete_customers(customer_ids=ids),
        lambda: square.customers.bulk_retrieve_customers(customer_ids=ids),
    ):
        expect_error(call, 400, "ARRAY_LENGTH_TOO_LONG", field="customer_ids")
    for call in (
        lambda: square.customers.bulk_delete_customers(customer_ids=[]),
        lambda: square.customers.bulk_retrieve_customers(customer_ids=[]),
    ):
        expect_error(call, 400, "ARRAY_LENGTH_TOO_SHORT", field="customer_ids")


def test_a_hundred_entries_are_accepted(square: Square) -> None:
    prefix = unique("hundred")
    batch: dict[str, Any] = {f"{prefix}-{i}": {"given_name": f"Many{i}"} for i in range(100)}
    responses = some(square.customers.batch_create(customers=batch).responses)
    ids = [some(r.customer).id for r in responses.values()]
    assert len(set(ids)) == 100
    some(square.customers.bulk_delete_customers(customer_ids=[some(i) for i in ids]).responses)
