"""Create, retrieve, update, delete and list customers through Square's SDK."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from square import Square
from square.core.request_options import RequestOptions

from .conftest import expect_error, new_customer, some, unique

FULL_PROFILE: dict[str, Any] = {
    "family_name": "Earhart",
    "company_name": "Lockheed",
    "nickname": "Meelie",
    "email_address": "Amelia.Earhart@example.com",
    "phone_number": "1-212-555-4240",  # Square's own SDK tests use it
    "address": {
        "address_line_1": "500 Electric Ave",
        "address_line_2": "Suite 600",
        "locality": "New York",
        "administrative_district_level_1": "NY",
        "postal_code": "10003",
        "country": "US",
    },
    "birthday": "12-10",
    "reference_id": "YOUR_REFERENCE_ID",
    "note": "a customer",
    "tax_ids": {"eu_vat": "IE3426675K"},
}


def test_create_retrieve_update_delete(square: Square) -> None:
    created = new_customer(square, idempotency_key=unique("key"), **FULL_PROFILE)
    cid = some(created.id)
    assert re.fullmatch(r"[0-9A-Z]{26}", cid)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", some(created.created_at))
    assert created.updated_at == created.created_at
    assert (created.version, created.creation_source) == (0, "THIRD_PARTY")
    assert created.birthday == "0000-12-10"  # MM-DD comes back with year 0000
    assert created.phone_number == "1-212-555-4240"  # stored verbatim
    assert some(created.preferences).email_unsubscribed is False
    assert some(created.address).locality == "New York"
    assert some(created.tax_ids).eu_vat == "IE3426675K"
    assert created.group_ids is None and created.segment_ids is None

    assert square.customers.get(customer_id=cid).customer == created

    # sparse update: only what is sent changes
    updated = some(square.customers.update(customer_id=cid, nickname="Mel", version=0).customer)
    assert (updated.nickname, updated.version) == ("Mel", 1)
    assert updated.created_at == created.created_at
    assert some(updated.updated_at) >= some(created.updated_at)
    assert (updated.family_name, updated.note, updated.address) == (
        created.family_name,
        created.note,
        created.address,
    )
    # a birthday with its year; an address part changed, the others kept
    updated = some(
        square.customers.update(
            customer_id=cid, birthday="1897-07-24", address={"locality": "Atchison"}
        ).customer
    )
    assert updated.birthday == "1897-07-24"
    assert some(updated.address).locality == "Atchison"
    assert some(updated.address).postal_code == "10003"

    square.customers.delete(customer_id=cid, version=updated.version)
    expect_error(lambda: square.customers.get(customer_id=cid), 404, "NOT_FOUND")


def test_null_and_empty_string_clear_fields(square: Square) -> None:
    cid = some(new_customer(square, **FULL_PROFILE).id)
    # an explicit JSON null (the SDK sends null for None)
    cleared = some(square.customers.update(customer_id=cid, nickname=None, address=None).customer)
    assert cleared.nickname is None and cleared.address is None
    # with X-Clear-Null: true, as Square's docs show it
    clear_null: RequestOptions = {"additional_headers": {"X-Clear-Null": "true"}}
    cleared = some(
        square.customers.update(
            customer_id=cid, note=None, tax_ids=None, request_options=clear_null
        ).customer
    )
    assert cleared.note is None and cleared.tax_ids is None
    # an empty string clears a string field too
    cleared = some(square.customers.update(customer_id=cid, company_name="").customer)
    assert cleared.company_name is None
    assert cleared.version == 3
    assert cleared.family_name == "Earhart"  # untouched


def test_retrieve_update_delete_an_unknown_customer(square: Square) -> None:
    for call in (
        lambda: square.customers.get(customer_id="NOPE"),
        lambda: square.customers.update(customer_id="NOPE", note="x"),
        lambda: square.customers.delete(customer_id="NOPE"),
    ):
        err = expect_error(call, 404, "NOT_FOUND", field="customer_id")
        assert "NOPE" in some(err.errors[0].detail)


def test_version_mismatch_on_update_and_delete(square: Square) -> None:
    cid = some(new_customer(square).id)
    square.customers.update(customer_id=cid, note="first", version=0)
    expect_error(
        lambda: square.customers.update(customer_id=cid, note="stale", version=0),
        409,
        "CONFLICT",
        field="version",
    )
    expect_error(
        lambda: square.customers.delete(customer_id=cid, version=0),
        409,
        "CONFLICT",
        field="version",
    )
    assert some(square.customers.get(customer_id=cid).customer).note == "first"
    square.customers.update(customer_id=cid, note="no version: last write wins")
    square.customers.delete(customer_id=cid, version=2)


LONG = "x" * 1000
INVALID: list[tuple[dict[str, Any], str, str | None]] = [
    ({"given_name": LONG[:301]}, "VALUE_TOO_LONG", "given_name"),
    ({"family_name": LONG[:301]}, "VALUE_TOO_LONG", "family_name"),
    ({"company_name": LONG[:501]}, "VALUE_TOO_LONG", "company_name"),
    ({"nickname": LONG[:101]}, "VALUE_TOO_LONG", "nickname"),
    ({"email_address": "a" * 243 + "@example.com"}, "VALUE_TOO_LONG", "email_address"),
    ({"reference_id": LONG[:101]}, "VALUE_TOO_LONG", "reference_id"),
    ({"tax_ids": {"eu_vat": "X" * 21}}, "VALUE_TOO_LONG", "tax_ids.eu_vat"),
    ({"tax_ids": {"eu_vat": "IE 342-66"}}, "INVALID_VALUE", "tax_ids.eu_vat"),
    ({"email_address": "not-an-address"}, "INVALID_EMAIL_ADDRESS", "email_address"),
    ({"email_address": "two@@example.com"}, "INVALID_EMAIL_ADDRESS", "email_address"),
    ({"phone_number": "555-123-4567"}, "INVALID_PHONE_NUMBER", "phone_number"),
    ({"phone_number": "12345678"}, "INVALID_PHONE_NUMBER", "phone_number"),
    ({"phone_number": "call me"}, "INVALID_PHONE_NUMBER", "phone_number"),
    ({"birthday": "1990-13-01"}, "INVALID_TIME", "birthday"),
    ({"birthday": "02-30"}, "INVALID_TIME", "birthday"),
    ({"birthday": "Dec 10"}, "INVALID_TIME", "birthday"),
    ({"address": {"country": "XX"}}, "INVALID_ENUM_VALUE", "address.country"),
    ({"given_name": 5}, "EXPECTED_STRING", "given_name"),
    ({"address": "1 Main St"}, "EXPECTED_OBJECT", "address"),
]


@pytest.mark.parametrize(("fields", "code", "field"), INVALID)
def test_invalid_fields_on_create(
    square: Square, fields: dict[str, Any], code: str, field: str
) -> None:
    body = {"given_name": "Valid", **fields}
    expect_error(lambda: square.customers.create(**body), 400, code, field=field)


@pytest.mark.parametrize(("fields", "code", "field"), INVALID)
def test_invalid_fields_on_update(
    square: Square, fields: dict[str, Any], code: str, field: str
) -> None:
    customer = new_customer(square)
    cid = some(customer.id)
    expect_error(lambda: square.customers.update(customer_id=cid, **fields), 400, code, field=field)
    assert square.customers.get(customer_id=cid).customer == customer  # nothing changed


def test_values_at_the_limits_are_accepted(square: Square) -> None:
    customer = new_customer(
        square,
        given_name="g" * 300,
        family_name="f" * 300,
        company_name="c" * 500,
        nickname="n" * 100,
        email_address="a" * 242 + "@example.com",
        reference_id="r" * 100,
        phone_number="+44 20 7946 0018",
        tax_ids={"eu_vat": "X" * 20},
    )
    assert len(some(customer.email_address)) == 254


def test_create_needs_an_identifying_field(square: Square) -> None:
    expect_error(
        lambda: square.customers.create(note="nobody", nickname="x", reference_id="r"),
        400,
        "MISSING_REQUIRED_PARAMETER",
    )
    expect_error(lambda: square.customers.create(given_name=""), 400, "MISSING_REQUIRED_PARAMETER")


def test_square_never_deduplicates(square: Square) -> None:
    ref = unique("dup")
    first = new_customer(square, given_name="Twin", reference_id=ref)
    second = new_customer(square, given_name="Twin", reference_id=ref)
    assert first.id != second.id


# --------------------------------------------------------------------------- ListCustomers


def _list_all(square: Square, **kwargs: Any) -> tuple[list[str], list[str | None]]:
    """Ids of every customer in pages, and the cursor each page gave."""
    ids: list[str] = []
    cursors: list[str | None] = []
    for page in square.customers.list(**kwargs).iter_pages():
        assert page.items, "no empty page before the end"
        ids.extend(some(c.id) for c in page.items)
        cursors.append(page.response.cursor)
    return ids, cursors


def test_list_pages_through_everyone(square: Square) -> None:
    total = some(square.customers.list(limit=1, count=True).response.count)
    ids, cursors = _list_all(square, limit=37)
    assert len(ids) == len(set(ids)) == total
    assert cursors[-1] is None and all(cursors[:-1])  # the last page has no cursor
    assert len(cursors) == -(-total // 37)
    assert ids == _list_all(square)[0]  # default limit 100: the same order
    # count comes with every page when asked, never otherwise
    pager = square.customers.list(limit=100, count=True)
    assert [p.response.count for p in pager.iter_pages()] == [total] * -(-total // 100)
    assert square.customers.list(limit=5).response.count is None


def test_list_sort_orders(square: Square) -> None:
    by_created = [
        some(c.created_at)
        for c in square.customers.list(sort_field="CREATED_AT", sort_order="ASC", limit=100)
    ]
    assert by_created == sorted(by_created)
    asc = _list_all(square, sort_field="CREATED_AT", sort_order="ASC", limit=64)[0]
    desc = _list_all(square, sort_field="CREATED_AT", sort_order="DESC", limit=64)[0]
    assert desc == asc[::-1]
    default_desc = _list_all(square, sort_order="DESC")[0]
    assert default_desc == _list_all(square, sort_field="DEFAULT")[0][::-1]
    # DEFAULT order: by name, case and accents aside
    names = [
        " ".join(filter(None, (c.given_name, c.family_name))) or some(c.company_name)
        for c in square.customers.list(limit=100)
        if c.given_name or c.family_name or c.company_name
    ]
    assert names[0].casefold() <= names[-1].casefold()


def test_list_errors(square: Square) -> None:
    expect_error(lambda: square.customers.list(limit=0), 400, "VALUE_TOO_LOW", field="limit")
    expect_error(lambda: square.customers.list(limit=101), 400, "VALUE_TOO_HIGH", field="limit")
    expect_error(
        lambda: square.customers.list(sort_field="NAME"),
        400,
        "INVALID_ENUM_VALUE",
        field="sort_field",
    )
    expect_error(
        lambda: square.customers.list(cursor="not-a-cursor"), 400, "INVALID_CURSOR", field="cursor"
    )
    # a cursor is valid only with the query that made it
    cursor = some(square.customers.list(limit=2).response.cursor)
    expect_error(
        lambda: square.customers.list(cursor=cursor, sort_field="CREATED_AT", limit=2),
        400,
        "INVALID_CURSOR",
    )
    expect_error(lambda: square.customers.search(cursor=cursor, limit=2), 400, "INVALID_CURSOR")


def test_profiles_without_public_info_are_retrievable_but_not_listed(square: Square) -> None:
    ref = unique("hidden")
    cid = some(new_customer(square, given_name="Fleeting", reference_id=ref, note="n").id)
    by_ref: Callable[[], Any] = lambda: square.customers.search(  # noqa: E731
        query={"filter": {"reference_id": {"exact": ref}}}
    )
    assert [c.id for c in some(by_ref().customers)] == [cid]
    # with no given/family/company name, email or phone left, list and search omit it
    square.customers.update(customer_id=cid, given_name=None)
    hidden = some(square.customers.get(customer_id=cid).customer)
    assert hidden.note == "n" and hidden.given_name is None
    assert by_ref().customers is None and by_ref().cursor is None
    assert cid not in _list_all(square)[0]
    # a name brings it back
    square.customers.update(customer_id=cid, company_name="Back Again")
    assert [c.id for c in some(by_ref().customers)] == [cid]
    assert cid in _list_all(square)[0]
