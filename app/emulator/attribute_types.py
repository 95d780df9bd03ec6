"""Custom attribute schemas and values: which schemas Square takes, and a value checked by one.

A definition's `schema` is either a `$ref` to one of Square's common types (`String`,
`Number`, `Boolean`, `Date`, `Email`, `PhoneNumber`, `Address`) or an inline Selection
schema whose `items.names` are the options and `items.enum` their ids (UUIDs the emulator
fills in: who fills them is UNDOCUMENTED). `check_value` answers a value that does not fit
its schema with Square's error, else returns it as stored.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import bad_request
from .limits import (
    ATTRIBUTE_STRING_MAX,
    MAX_LENGTH,
    NUMBER_ABS_MAX,
    NUMBER_FRACTION_DIGITS_MAX,
    SELECTION_NAME_MAX,
    SELECTION_OPTIONS_MAX,
)
from .normalise import phone_e164
from .shapes import ADDRESS, check_type, expected
from .validation import clean_address, valid_email

TYPE_URL = "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common."
"""Square's common types: `TYPE_URL + "String"` and so on, each a `$ref` schema."""
SELECTION_URL = "https://developer-production-s.squarecdn.com/meta-schemas/v1/selection.json"
"""The `$schema` of an inline Selection schema."""
REF_TYPES = ("String", "Number", "Boolean", "Date", "Email", "PhoneNumber", "Address")
SELECTION = "Selection"
TYPES = (*REF_TYPES, SELECTION)

_NUMBER = re.compile(r"-?\d+(?:\.(\d+))?")
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def type_of(schema: dict[str, Any]) -> str:
    """The type a stored (valid) schema names."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(TYPE_URL):
        return ref[len(TYPE_URL) :]
    return SELECTION


def ref_schema(type_name: str) -> dict[str, Any]:
    return {"$ref": TYPE_URL + type_name}


def _invalid(detail: str, path: str) -> Exception:
    return bad_request("INVALID_VALUE", detail, path)


def _new_option_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# --- schemas --------------------------------------------------------------------------------


def new_schema(raw: Any, path: str, rng: random.Random) -> dict[str, Any]:
    """A definition's schema on create, as stored (a Selection's option ids filled in)."""
    if not isinstance(raw, dict):
        raise expected("object", path)
    if "$ref" in raw:
        ref = raw["$ref"]
        if not isinstance(ref, str) or not ref.startswith(TYPE_URL):
            raise _invalid(f"`{path}.$ref` is not one of Square's custom attribute types.", path)
        if ref[len(TYPE_URL) :] not in REF_TYPES:
            raise _invalid(
                f"`{path}.$ref` names a type customers cannot have: use one of "
                f"{', '.join(REF_TYPES)} or a Selection schema.",
                path,
            )
        return {"$ref": ref}
    if raw.get("$schema") != SELECTION_URL:
        raise _invalid(
            f"`{path}` must be a `$ref` to one of Square's types or a Selection schema "
            f"(`$schema` {SELECTION_URL}).",
            path,
        )
    return _selection(raw, path, rng, old=None)


def changed_schema(
    old: dict[str, Any], raw: Any, path: str, rng: random.Random
) -> tuple[dict[str, Any], set[str]]:
    """A schema on update: only a Selection's option names and `maxItems` may change.

    Returns the new schema and the option ids it no longer has."""
    if not isinstance(raw, dict):
        raise expected("object", path)
    if type_of(old) != SELECTION:
        if raw != old:
            raise _invalid(f"Only a Selection definition's `{path}` may change.", path)
        return old, set()
    if raw.get("$schema", SELECTION_URL) != SELECTION_URL or "$ref" in raw:
        raise _invalid(f"A Selection definition's `{path}` must stay a Selection.", path)
    new = _selection(raw, path, rng, old=old)
    return new, set(_option_ids(old)) - set(_option_ids(new))


def _option_ids(schema: dict[str, Any]) -> list[str]:
    return list(schema.get("items", {}).get("enum", []))


def options(schema: dict[str, Any]) -> dict[str, str]:
    """A Selection schema's option id → name."""
    items = schema.get("items", {})
    return dict(zip(items.get("enum", []), items.get("names", []), strict=False))


def _selection(
    raw: dict[str, Any], path: str, rng: random.Random, old: dict[str, Any] | None
) -> dict[str, Any]:
    if raw.get("type", "array") != "array":
        raise _invalid(f"`{path}.type` of a Selection must be `array`.", f"{path}.type")
    if raw.get("uniqueItems", True) is not True:
        raise _invalid(f"`{path}.uniqueItems` of a Selection must be true.", f"{path}.uniqueItems")
    items = raw.get("items")
    if not isinstance(items, dict):
        raise expected("object", f"{path}.items")
    names = items.get("names")
    where = f"{path}.items.names"
    if not isinstance(names, list) or not names:
        raise bad_request("MISSING_REQUIRED_PARAMETER", f"`{where}` needs at least one.", where)
    if len(names) > SELECTION_OPTIONS_MAX:
        raise bad_request(
            "ARRAY_LENGTH_TOO_LONG", f"`{where}` holds at most {SELECTION_OPTIONS_MAX}.", where
        )
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise expected("string", f"{where}[{i}]")
        if not name.strip():
            raise _invalid(f"`{where}[{i}]` is empty.", f"{where}[{i}]")
        if len(name) > SELECTION_NAME_MAX:
            raise bad_request(
                "VALUE_TOO_LONG", f"`{where}[{i}]` is over {SELECTION_NAME_MAX}.", f"{where}[{i}]"
            )
    if len(set(names)) != len(names):
        raise _invalid(f"`{where}` names an option twice.", where)
    ids = _ids_for(names, items.get("enum"), f"{path}.items.enum", rng, old)
    schema: dict[str, Any] = {
        "$schema": SELECTION_URL,
        "type": "array",
        "uniqueItems": True,
        "items": {"names": list(names), "enum": ids},
    }
    max_items = raw.get("maxItems", (old or {}).get("maxItems"))
    if max_items is not None:
        if isinstance(max_items, bool) or not isinstance(max_items, int):
            raise expected("integer", f"{path}.maxItems")
        if max_items < 1:
            raise bad_request(
                "VALUE_TOO_LOW", f"`{path}.maxItems` is at least 1.", f"{path}.maxItems"
            )
        schema["maxItems"] = max_items
    return schema


def _ids_for(
    names: list[str], given: Any, path: str, rng: random.Random, old: dict[str, Any] | None
) -> list[str]:
    """The option ids of `names`: as given (paired by position; on update they must be the
    definition's own), else an old option's id by its name, else a new one."""
    known = _option_ids(old) if old is not None else []
    if given is not None:
        if not isinstance(given, list) or len(given) != len(names):
            raise _invalid(f"`{path}` must pair one id with each name.", path)
        if any(not isinstance(i, str) for i in given) or len(set(given)) != len(given):
            raise _invalid(f"`{path}` must hold distinct ids.", path)
        if old is not None and not set(given) <= set(known):
            raise _invalid(f"`{path}` names an option id this definition does not have.", path)
        if old is None and any(_not_uuid(i) for i in given):
            raise _invalid(f"`{path}` must hold UUIDs.", path)
        return list(given)
    by_name = {name: option_id for option_id, name in options(old or {}).items()}
    return [by_name.get(name) or _new_option_id(rng) for name in names]


def _not_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return True
    return False


# --- values ---------------------------------------------------------------------------------


def check_value(schema: dict[str, Any], value: Any, path: str) -> Any:
    """`value` as stored, when it fits `schema`; else Square's 400."""
    if value is None:
        raise bad_request("MISSING_REQUIRED_PARAMETER", f"`{path}` is required.", path)
    kind = type_of(schema)
    if kind == "Boolean":
        if not isinstance(value, bool):
            raise expected("boolean", path)
        return value
    if kind == "Address":
        check_type(value, ADDRESS, path)
        address = {k: v for k, v in clean_address(value, path).items() if v is not None}
        if not address:
            raise _invalid(f"`{path}` is an empty address.", path)
        return address
    if kind == SELECTION:
        return _selection_value(schema, value, path)
    if not isinstance(value, str):
        raise expected("string", path)
    if kind == "String":
        if not value.strip():
            raise _invalid(f"`{path}` is empty.", path)
        if len(value) > ATTRIBUTE_STRING_MAX:
            raise bad_request(
                "VALUE_TOO_LONG", f"`{path}` is over {ATTRIBUTE_STRING_MAX} characters.", path
            )
        return value
    if kind == "Number":
        return check_number(value, path)
    if kind == "Date":
        return check_date(value, path)
    if kind == "Email":
        if len(value) > MAX_LENGTH["email_address"] or not valid_email(value):
            raise bad_request("INVALID_EMAIL_ADDRESS", f"Invalid email address `{value}`.", path)
        return value
    # PhoneNumber: E.164, and a real number
    if not _E164.fullmatch(value) or phone_e164(value) != value:
        raise bad_request(
            "INVALID_PHONE_NUMBER", f"`{value}` is not a phone number in E.164 form.", path
        )
    return value


def check_number(text: str, path: str) -> str:
    """A Number: a decimal string, an integer or ≤ 5 fraction digits, within the bound."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None or len(match.group(1) or "") > NUMBER_FRACTION_DIGITS_MAX:
        raise _invalid(
            f"`{path}` must be a decimal number with at most "
            f"{NUMBER_FRACTION_DIGITS_MAX} fraction digits (as a string).",
            path,
        )
    if abs(Decimal(text)) > NUMBER_ABS_MAX:
        raise bad_request("VALUE_TOO_HIGH", f"`{path}` is out of range.", path)
    return text.strip()


def number_of(text: str, path: str) -> Decimal:
    """A decimal bound of a number filter (NUMBER_ABS_MAX at most either way)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise _invalid(f"`{path}` is not a decimal number.", path) from None
    if not value.is_finite() or abs(value) > NUMBER_ABS_MAX:
        raise bad_request("VALUE_TOO_HIGH", f"`{path}` is out of range.", path)
    return value


def check_date(text: str, path: str) -> str:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        date.fromisoformat(text)
    except ValueError:
        raise bad_request(
            "INVALID_TIME", f"`{path}` must be a real date as YYYY-MM-DD.", path
        ) from None
    return text


def _selection_value(schema: dict[str, Any], value: Any, path: str) -> list[str]:
    if not isinstance(value, list):
        raise expected("array", path)
    if not value:
        raise _invalid(f"`{path}` selects nothing: delete the attribute to clear it.", path)
    known = set(_option_ids(schema))
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise expected("string", f"{path}[{i}]")
        if item not in known:
            raise _invalid(f"`{path}[{i}]` is not an option of this selection.", f"{path}[{i}]")
    if len(set(value)) != len(value):
        raise _invalid(f"`{path}` selects an option twice.", path)
    most = schema.get("maxItems")
    if most is not None and len(value) > most:
        raise bad_request(
            "ARRAY_LENGTH_TOO_LONG", f"`{path}` may select at most {most} options.", path
        )
    return list(value)
