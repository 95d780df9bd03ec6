"""The client's models: Square's JSON in, request bodies out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError as PydanticValidationError

from app.square import (
    Address,
    Card,
    Customer,
    CustomerFields,
    CustomerFilter,
    CustomerPage,
    CustomerQuery,
    CustomerSort,
    CustomerTaxIds,
    TextFilter,
    TimeRange,
)

SQUARE_CUSTOMER = {
    "id": "JDKYHBWT1D4F8MFH63DBMEN8Y4",
    "created_at": "2016-03-23T20:21:54.859Z",
    "updated_at": "2016-03-23T20:21:55Z",
    "given_name": "Amelia",
    "family_name": "Earhart",
    "email_address": "Amelia.Earhart@example.com",
    "address": {
        "address_line_1": "500 Electric Ave",
        "address_line_2": "Suite 600",
        "locality": "New York",
        "administrative_district_level_1": "NY",
        "postal_code": "10003",
        "country": "US",
    },
    "phone_number": "+1-212-555-4240",
    "reference_id": "YOUR_REFERENCE_ID",
    "note": "a customer",
    "preferences": {"email_unsubscribed": False},
    "creation_source": "THIRD_PARTY",
    "group_ids": ["545AXB44B4XXWMVQ4W8SBT3HHF"],
    "segment_ids": ["1KB9JE5EGJXCW.REACHABLE"],
    "version": 1,
    "tax_ids": {"eu_vat": "IE3426675K"},
    "birthday": "1897-07-24",
    "some_future_field": {"kept": True},
}


def test_customer_reads_every_square_field() -> None:
    customer = Customer.model_validate(SQUARE_CUSTOMER)
    assert customer.created_at == datetime(2016, 3, 23, 20, 21, 54, 859000, tzinfo=UTC)
    assert customer.address is not None and customer.address.locality == "New York"
    assert customer.preferences is not None and customer.preferences.email_unsubscribed is False
    assert customer.tax_ids == CustomerTaxIds(eu_vat="IE3426675K")
    assert customer.group_ids == ["545AXB44B4XXWMVQ4W8SBT3HHF"]
    assert customer.version == 1
    assert customer.model_extra == {"some_future_field": {"kept": True}}
    assert customer.to_json()["some_future_field"] == {"kept": True}


def test_customer_with_only_an_id_has_empty_defaults() -> None:
    customer = Customer.model_validate({"id": "X"})
    assert customer.group_ids == [] and customer.segment_ids == []
    assert customer.version == 0
    assert customer.address is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"given_name": "Ada", "family_name": "Lovelace", "company_name": "AE"}, "Ada Lovelace"),
        ({"given_name": "Ada"}, "Ada"),
        ({"family_name": "Lovelace"}, "Lovelace"),
        ({"given_name": " ", "company_name": "Analytical Engines"}, "Analytical Engines"),
        ({"email_address": "ada@example.com", "phone_number": "+1"}, "ada@example.com"),
        ({"phone_number": "+12062223333"}, "+12062223333"),
        ({}, "(no name)"),
    ],
)
def test_display_name(fields: dict[str, str], expected: str) -> None:
    assert Customer(id="X", **fields).display_name == expected


def test_fields_body_sends_only_what_was_set_and_none_as_null() -> None:
    fields = CustomerFields(given_name="Ada", note=None, address=Address(locality="London"))
    assert fields.to_body() == {
        "given_name": "Ada",
        "note": None,
        "address": {"locality": "London"},
    }
    assert CustomerFields().to_body() == {}
    assert CustomerFields().is_empty


def test_fields_refuse_unknown_and_read_only_fields() -> None:
    with pytest.raises(PydanticValidationError):
        CustomerFields(given_nam="typo")  # type: ignore[call-arg]
    with pytest.raises(PydanticValidationError):
        CustomerFields.model_validate({"version": 3})


def test_fields_from_customer_is_a_full_form() -> None:
    customer = Customer.model_validate(SQUARE_CUSTOMER)
    body = CustomerFields.from_customer(customer).to_body()
    assert body["given_name"] == "Amelia"
    assert body["nickname"] is None  # a full form sends every writable field
    assert "version" not in body and "id" not in body
    assert set(body) == set(CustomerFields.model_fields)


def test_page_and_card() -> None:
    page = CustomerPage.model_validate({"customers": [SQUARE_CUSTOMER], "cursor": "abc"})
    assert page.cursor == "abc" and page.count is None and len(page.customers) == 1
    assert CustomerPage.model_validate({}).customers == []
    card = Card.model_validate(
        {"id": "ccof:x", "card_brand": "VISA", "last_4": "5858", "exp_month": 3, "exp_year": 2028}
    )
    assert card.label == "VISA •••• 5858  03/28"
    assert card.enabled


def test_query_body_drops_empty_parts() -> None:
    query = CustomerQuery(
        filter=CustomerFilter(
            email_address=TextFilter(fuzzy="steven gmail"),
            updated_at=TimeRange(start_at=datetime(2024, 1, 1, tzinfo=UTC)),
        ),
        sort=CustomerSort(field="CREATED_AT", order="DESC"),
    )
    assert query.to_body() == {
        "filter": {
            "email_address": {"fuzzy": "steven gmail"},
            "updated_at": {"start_at": "2024-01-01T00:00:00Z"},
        },
        "sort": {"field": "CREATED_AT", "order": "DESC"},
    }
