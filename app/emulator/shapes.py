"""The JSON shapes of Square's request bodies, and the check that a value has its shape."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .limits import COUNTRIES, CREATION_SOURCES, INCLUSION, SORT_FIELDS, SORT_ORDERS

# --- JSON type schemas --------------------------------------------------------------------
# A type is "string" | "integer" | "boolean" | ("enum", values) | ("object", fields)
# | ("array", item type) | ("map", value type).
JsonType = str | tuple[str, Any]

ADDRESS_PARTS: dict[str, JsonType] = {
    "address_line_1": "string",
    "address_line_2": "string",
    "address_line_3": "string",
    "locality": "string",
    "sublocality": "string",
    "sublocality_2": "string",
    "sublocality_3": "string",
    "administrative_district_level_1": "string",
    "administrative_district_level_2": "string",
    "administrative_district_level_3": "string",
    "postal_code": "string",
    "country": ("enum", COUNTRIES),
    "first_name": "string",
    "last_name": "string",
}
ADDRESS: JsonType = ("object", ADDRESS_PARTS)
ADDRESS_FIELDS: tuple[str, ...] = tuple(ADDRESS_PARTS)
TAX_IDS: JsonType = ("object", {"eu_vat": "string"})

CUSTOMER_FIELDS: dict[str, JsonType] = {
    "given_name": "string",
    "family_name": "string",
    "company_name": "string",
    "nickname": "string",
    "email_address": "string",
    "address": ADDRESS,
    "phone_number": "string",
    "reference_id": "string",
    "note": "string",
    "birthday": "string",
    "tax_ids": TAX_IDS,
}
CREATE_CUSTOMER: JsonType = ("object", {"idempotency_key": "string", **CUSTOMER_FIELDS})
UPDATE_CUSTOMER: JsonType = ("object", {**CUSTOMER_FIELDS, "version": "integer"})
TEXT_FILTER: JsonType = ("object", {"exact": "string", "fuzzy": "string"})
TIME_RANGE: JsonType = ("object", {"start_at": "string", "end_at": "string"})
FILTER_VALUE: JsonType = (
    "object",
    {"all": ("array", "string"), "any": ("array", "string"), "none": ("array", "string")},
)
CUSTOM_ATTRIBUTE_FILTERS: JsonType = (
    "object",
    {
        "filters": (
            "array",
            (
                "object",
                {
                    "key": "string",
                    "updated_at": TIME_RANGE,
                    "filter": (
                        "object",
                        {
                            "email": TEXT_FILTER,
                            "phone": TEXT_FILTER,
                            "text": TEXT_FILTER,
                            "selection": FILTER_VALUE,
                            "date": TIME_RANGE,
                            "number": ("object", {"start_at": "string", "end_at": "string"}),
                            "boolean": "boolean",
                            "address": (
                                "object",
                                {"postal_code": TEXT_FILTER, "country": ("enum", COUNTRIES)},
                            ),
                        },
                    ),
                },
            ),
        )
    },
)
"""SearchCustomers' `query.filter.custom_attribute` (spec CustomerCustomAttributeFilters)."""
SEARCH_CUSTOMERS: JsonType = (
    "object",
    {
        "cursor": "string",
        "limit": "integer",
        "count": "boolean",
        "query": (
            "object",
            {
                "filter": (
                    "object",
                    {
                        "creation_source": (
                            "object",
                            {
                                "values": ("array", ("enum", CREATION_SOURCES)),
                                "rule": ("enum", INCLUSION),
                            },
                        ),
                        "created_at": TIME_RANGE,
                        "updated_at": TIME_RANGE,
                        "email_address": TEXT_FILTER,
                        "phone_number": TEXT_FILTER,
                        "reference_id": TEXT_FILTER,
                        "group_ids": FILTER_VALUE,
                        "segment_ids": FILTER_VALUE,
                        "custom_attribute": CUSTOM_ATTRIBUTE_FILTERS,
                    },
                ),
                "sort": (
                    "object",
                    {"field": ("enum", SORT_FIELDS), "order": ("enum", SORT_ORDERS)},
                ),
            },
        ),
    },
)
BULK_CREATE: JsonType = (
    "object",
    {"customers": ("map", ("object", dict(CUSTOMER_FIELDS)))},
)
BULK_UPDATE: JsonType = (
    "object",
    {"customers": ("map", ("object", {**CUSTOMER_FIELDS, "version": "integer"}))},
)
BULK_IDS: JsonType = ("object", {"customer_ids": ("array", "string")})
GROUP_BODY: JsonType = (
    "object",
    {
        "idempotency_key": "string",
        "group": (
            "object",
            {"id": "string", "name": "string", "created_at": "string", "updated_at": "string"},
        ),
    },
)
CARD_FIELDS: JsonType = (
    "object",
    {
        "id": "string",
        "customer_id": "string",
        "cardholder_name": "string",
        "billing_address": ADDRESS,
        "reference_id": "string",
        "exp_month": "integer",
        "exp_year": "integer",
        "version": "integer",
    },
)
CREATE_CARD: JsonType = (
    "object",
    {
        "idempotency_key": "string",
        "source_id": "string",
        "verification_token": "string",
        "card": CARD_FIELDS,
    },
)
CREATE_CUSTOMER_CARD: JsonType = (
    "object",
    {
        "card_nonce": "string",
        "billing_address": ADDRESS,
        "cardholder_name": "string",
        "verification_token": "string",
    },
)

_EXPECTED = {
    "string": ("EXPECTED_STRING", "Expected a string value."),
    "integer": ("EXPECTED_INTEGER", "Expected an integer value."),
    "boolean": ("EXPECTED_BOOLEAN", "Expected a boolean value."),
    "object": ("EXPECTED_OBJECT", "Expected an object."),
    "array": ("EXPECTED_ARRAY", "Expected an array."),
    "map": ("EXPECTED_MAP", "Expected a map (a JSON object)."),
}


def expected(kind: str, path: str) -> Exception:
    """Square's EXPECTED_<KIND> error for a value at `path` that is not a `kind`."""
    code, detail = _EXPECTED[kind]
    return bad_request(code, detail, path or None)


def check_type(value: Any, jtype: JsonType, path: str = "") -> None:
    """Raise Square's EXPECTED_* / INVALID_ENUM_VALUE for a value of the wrong JSON type.

    null passes everywhere (the caller decides what it means); unknown object keys are
    ignored, as Square's JSON reader does.
    """
    if value is None:
        return
    if isinstance(jtype, str):
        if jtype == "string" and not isinstance(value, str):
            raise expected("string", path)
        if jtype == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
            raise expected("integer", path)
        if jtype == "boolean" and not isinstance(value, bool):
            raise expected("boolean", path)
        return
    kind, arg = jtype
    if kind == "enum":
        if not isinstance(value, str):
            raise expected("string", path)
        if value not in arg:
            raise bad_request(
                "INVALID_ENUM_VALUE", f"`{value}` is not a valid enum value for `{path}`.", path
            )
    elif kind == "object":
        if not isinstance(value, dict):
            raise expected("object", path)
        for key, sub in arg.items():
            if key in value:
                check_type(value[key], sub, f"{path}.{key}" if path else key)
    elif kind == "array":
        if not isinstance(value, list):
            raise expected("array", path)
        for i, item in enumerate(value):
            _not_null(item, arg, f"{path}[{i}]")
            check_type(item, arg, f"{path}[{i}]")
    elif kind == "map":
        if not isinstance(value, dict):
            raise expected("map", path)
        for key, item in value.items():
            _not_null(item, arg, f"{path}.{key}" if path else key)
            check_type(item, arg, f"{path}.{key}" if path else key)


def _not_null(item: Any, jtype: JsonType, path: str) -> None:
    """An entry of an array or map may not be null (there is nothing to clear)."""
    if item is None:
        kind = jtype if isinstance(jtype, str) else jtype[0]
        raise expected("string" if kind == "enum" else kind, path)
