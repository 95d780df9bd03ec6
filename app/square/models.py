"""Pydantic models of the Square objects and request bodies Customer Desk uses.

The response models (`Customer`, `Card`, `CustomerGroup`, ...) follow Square's
Customers API (Square-Version 2025-08-20) field for field and keep any field they do
not know (`extra="allow"`), so a newer Square release never loses data on its way
through the app. Request bodies (`CustomerFields`, `CustomerQuery`, ...) refuse unknown
fields, so a typo is caught before it reaches Square.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Address",
    "AddressFilter",
    "BulkUpdateEntry",
    "Card",
    "CardPage",
    "CreationSourceFilter",
    "CustomAttributeFilter",
    "CustomAttributeFilterValue",
    "CustomAttributeFilters",
    "Customer",
    "CustomerFields",
    "CustomerFilter",
    "CustomerGroup",
    "CustomerGroupPage",
    "CustomerPage",
    "CustomerPreferences",
    "CustomerQuery",
    "CustomerSegment",
    "CustomerSegmentPage",
    "CustomerSort",
    "CustomerTaxIds",
    "FilterValue",
    "NumberRange",
    "TextFilter",
    "TimeRange",
]

SortField = Literal["DEFAULT", "CREATED_AT"]
SortOrder = Literal["ASC", "DESC"]


class SquareObject(BaseModel):
    """An object Square returns: unknown fields are kept, values are validated loosely."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_json(self) -> dict[str, Any]:
        """The object as Square's JSON (omitting empty values, as Square does)."""
        return self.model_dump(mode="json", exclude_none=True)


class RequestModel(BaseModel):
    """A request body we build: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_body(self) -> dict[str, Any]:
        """Only the fields that were set; an explicit ``None`` is sent as JSON ``null``."""
        return self.model_dump(mode="json", exclude_unset=True)


# --------------------------------------------------------------------------- objects


class Address(SquareObject):
    address_line_1: str | None = None
    address_line_2: str | None = None
    address_line_3: str | None = None
    locality: str | None = None
    sublocality: str | None = None
    sublocality_2: str | None = None
    sublocality_3: str | None = None
    administrative_district_level_1: str | None = None
    administrative_district_level_2: str | None = None
    administrative_district_level_3: str | None = None
    postal_code: str | None = None
    country: str | None = None
    """ISO 3166 alpha-2 code (``"GB"``, ``"US"``...)."""
    first_name: str | None = None
    last_name: str | None = None

    @property
    def one_line(self) -> str:
        """The address on one line, for tables and headers ("" when empty)."""
        parts = [
            self.address_line_1,
            self.address_line_2,
            self.address_line_3,
            self.locality,
            self.administrative_district_level_1,
            self.postal_code,
            self.country,
        ]
        return ", ".join(part for part in parts if part)


class CustomerPreferences(SquareObject):
    email_unsubscribed: bool | None = None


class CustomerTaxIds(SquareObject):
    eu_vat: str | None = None


class Customer(SquareObject):
    id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    given_name: str | None = None
    family_name: str | None = None
    nickname: str | None = None
    company_name: str | None = None
    email_address: str | None = None
    address: Address | None = None
    phone_number: str | None = None
    birthday: str | None = None
    """``YYYY-MM-DD``; the year is ``0000`` when Square was given only ``MM-DD``."""
    reference_id: str | None = None
    note: str | None = None
    preferences: CustomerPreferences | None = None
    creation_source: str | None = None
    group_ids: list[str] = Field(default_factory=list)
    segment_ids: list[str] = Field(default_factory=list)
    version: int = 0
    tax_ids: CustomerTaxIds | None = None

    @property
    def display_name(self) -> str:
        """Given + family name, else company, email, phone, else ``"(no name)"``."""
        name = " ".join(part.strip() for part in (self.given_name, self.family_name) if part)
        if name.strip():
            return name.strip()
        for other in (self.company_name, self.email_address, self.phone_number):
            if other and other.strip():
                return other.strip()
        return "(no name)"


class Card(SquareObject):
    id: str
    card_brand: str | None = None
    last_4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    cardholder_name: str | None = None
    billing_address: Address | None = None
    fingerprint: str | None = None
    customer_id: str | None = None
    merchant_id: str | None = None
    reference_id: str | None = None
    enabled: bool = True
    card_type: str | None = None
    prepaid_type: str | None = None
    bin: str | None = None
    version: int | None = None
    card_co_brand: str | None = None
    issuer_alert: str | None = None
    issuer_alert_at: datetime | None = None
    hsa_fsa: bool | None = None

    @property
    def label(self) -> str:
        """``"VISA •••• 5858  12/27"`` — how an agent names a card."""
        brand = (self.card_brand or "CARD").replace("_", " ")
        text = f"{brand} •••• {self.last_4 or '????'}"
        if self.exp_month and self.exp_year:
            text += f"  {self.exp_month:02d}/{self.exp_year % 100:02d}"
        return text


class CustomerGroup(SquareObject):
    id: str
    name: str
    created_at: datetime | None = None
    updated_at: datetime | None = None


class CustomerSegment(SquareObject):
    id: str
    name: str
    created_at: datetime | None = None
    updated_at: datetime | None = None


# --------------------------------------------------------------------------- pages


class CustomerPage(BaseModel):
    """One page of ListCustomers / SearchCustomers."""

    customers: list[Customer] = Field(default_factory=list)
    cursor: str | None = None
    """Pass back for the next page; ``None`` on the last page."""
    count: int | None = None
    """The total number of matches, when the request asked for ``count``."""


class CustomerGroupPage(BaseModel):
    groups: list[CustomerGroup] = Field(default_factory=list)
    cursor: str | None = None


class CustomerSegmentPage(BaseModel):
    segments: list[CustomerSegment] = Field(default_factory=list)
    cursor: str | None = None


class CardPage(BaseModel):
    cards: list[Card] = Field(default_factory=list)
    cursor: str | None = None


# --------------------------------------------------------------------------- requests


class CustomerFields(RequestModel):
    """The writable fields of a customer, for CreateCustomer and UpdateCustomer.

    Only the fields that were set are sent (`to_body`): leave a field out to keep it,
    set it to ``None`` to clear it on Square.
    """

    given_name: str | None = None
    family_name: str | None = None
    company_name: str | None = None
    nickname: str | None = None
    email_address: str | None = None
    address: Address | None = None
    phone_number: str | None = None
    reference_id: str | None = None
    note: str | None = None
    birthday: str | None = None
    tax_ids: CustomerTaxIds | None = None

    @classmethod
    def from_customer(cls, customer: Customer) -> CustomerFields:
        """Every writable field of ``customer``, all marked as set (a full form)."""
        return cls(**{name: getattr(customer, name) for name in cls.model_fields})

    @property
    def is_empty(self) -> bool:
        return not self.model_fields_set


class BulkUpdateEntry(RequestModel):
    """One entry of BulkUpdateCustomers: the fields and, optionally, the expected version."""

    fields: CustomerFields
    version: int | None = None


class TextFilter(RequestModel):
    """``exact`` or ``fuzzy`` (never both in one filter)."""

    exact: str | None = None
    fuzzy: str | None = None


class TimeRange(RequestModel):
    """``start_at`` inclusive, ``end_at`` exclusive (RFC 3339)."""

    start_at: datetime | str | None = None
    end_at: datetime | str | None = None


class FilterValue(RequestModel):
    all: list[str] | None = None
    any: list[str] | None = None
    none: list[str] | None = None


class CreationSourceFilter(RequestModel):
    values: list[str] | None = None
    rule: Literal["INCLUDE", "EXCLUDE"] | None = None


class NumberRange(RequestModel):
    """Square's ``FloatNumberRange``: decimal bounds, both inclusive."""

    start_at: Decimal | str | None = None
    end_at: Decimal | str | None = None


class AddressFilter(RequestModel):
    """An Address custom attribute's filter: ``postal_code`` (``exact`` only), ``country``."""

    postal_code: TextFilter | None = None
    country: str | None = None


class CustomAttributeFilterValue(RequestModel):
    """What a custom attribute's value must be: the one kind that fits its type —
    ``text`` (String), ``email``, ``phone``, ``number``, ``date`` (``YYYY-MM-DD`` bounds,
    inclusive), ``boolean``, ``selection`` (option *names*, ``any`` / ``all``), ``address``."""

    email: TextFilter | None = None
    phone: TextFilter | None = None
    text: TextFilter | None = None
    selection: FilterValue | None = None
    date: TimeRange | None = None
    number: NumberRange | None = None
    boolean: bool | None = None
    address: AddressFilter | None = None


class CustomAttributeFilter(RequestModel):
    """One custom attribute (its ``key`` as the caller sees it, e.g. ``square:…``), with a
    ``filter`` on its value and/or an ``updated_at`` range (inclusive)."""

    key: str
    filter: CustomAttributeFilterValue | None = None
    updated_at: TimeRange | None = None


class CustomAttributeFilters(RequestModel):
    """Up to 10 filters on distinct keys; they AND together and with the other filters."""

    filters: list[CustomAttributeFilter] = Field(default_factory=list)


class CustomerFilter(RequestModel):
    creation_source: CreationSourceFilter | None = None
    created_at: TimeRange | None = None
    updated_at: TimeRange | None = None
    email_address: TextFilter | None = None
    phone_number: TextFilter | None = None
    reference_id: TextFilter | None = None
    group_ids: FilterValue | None = None
    segment_ids: FilterValue | None = None
    custom_attribute: CustomAttributeFilters | None = None


class CustomerSort(RequestModel):
    field: SortField | None = None
    order: SortOrder | None = None


class CustomerQuery(RequestModel):
    """The ``query`` of SearchCustomers: filters AND together."""

    filter: CustomerFilter | None = None
    sort: CustomerSort | None = None

    def to_body(self) -> dict[str, Any]:
        # Empty sub-objects carry no meaning; drop the Nones rather than send nulls.
        return self.model_dump(mode="json", exclude_none=True)
