"""A custom field's value as the agent types and reads it, and as Square takes it.

The editors hold :data:`Typed` values (text, a toggle, option ids, an address's parts);
:func:`typed_of` is what an editor starts with, :func:`typed_changed` whether the agent
changed it, :func:`check_value` the value to send (or ``ValueError`` with the reason),
:func:`shown_value` the value in words. Used by :mod:`app.desk.custom_fields`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from app.square.models import Address

if TYPE_CHECKING:
    from app.desk.custom_fields import CustomField

__all__ = [
    "ADDRESS_KEYS",
    "STRING_MAX",
    "Typed",
    "check_value",
    "same_value",
    "shown_value",
    "typed_changed",
    "typed_of",
]

STRING_MAX = 1000
"""A String value's characters (Square's limit)."""
ADDRESS_KEYS = (
    "address_line_1",
    "address_line_2",
    "locality",
    "administrative_district_level_1",
    "postal_code",
    "country",
)
"""The parts of an Address custom field the editor offers."""

Typed = str | bool | tuple[str, ...] | Mapping[str, str]
"""What an editor holds: text; a toggle; the chosen option ids; an address's parts."""


def shown_value(custom: CustomField, value: Any = ...) -> str:
    """A value as the agent reads it ("" when not set): option names, Yes/No, one line."""
    value = custom.value if value is ... else value
    if value is None or value == "" or value == []:
        return ""
    kind = custom.kind
    if kind == "Boolean":
        return "Yes" if value is True else "No"
    if kind == "Selection" and isinstance(value, list):
        names = {o.id: o.name for o in custom.definition.options}
        return ", ".join(names.get(str(v), str(v)) for v in value)
    if kind == "Address" and isinstance(value, dict):
        try:
            return Address.model_validate(value).one_line
        except ValueError:
            return str(value)
    return str(value)


def typed_of(custom: CustomField) -> Typed:
    """What the editor of ``custom`` starts with, from its stored value."""
    value, kind = custom.value, custom.kind
    if kind == "Boolean":
        return value is True
    if kind == "Selection":
        return tuple(str(v) for v in value) if isinstance(value, list) else ()
    if kind == "Address":
        parts = value if isinstance(value, dict) else {}
        return {k: str(parts.get(k) or "") for k in ADDRESS_KEYS}
    return "" if value is None else str(value)


def typed_changed(typed: Typed, loaded: Typed) -> bool:
    """Whether an editor's value differs from what it was loaded with."""
    if isinstance(typed, Mapping) and isinstance(loaded, Mapping):
        return any(str(typed.get(k, "")).strip() != str(loaded.get(k, "")) for k in ADDRESS_KEYS)
    if isinstance(typed, tuple) and isinstance(loaded, tuple):
        return sorted(typed) != sorted(loaded)
    if isinstance(typed, str) and isinstance(loaded, str):
        return typed.strip() != loaded
    return typed != loaded


def check_value(custom: CustomField, typed: Typed, *, region: str = "US") -> Any:
    """The value to send for what was typed (``None``: clear the field).

    Raises ``ValueError`` with the reason, for the agent to read beside the field.
    """
    kind = custom.kind
    if kind == "Boolean":
        return bool(typed)
    if kind == "Selection":
        chosen = list(typed) if isinstance(typed, tuple | list) else []
        if not chosen:
            return None
        most = custom.definition.max_selections
        if most is not None and len(chosen) > most:
            raise ValueError(f"Choose at most {most}.")
        return chosen
    if kind == "Address":
        parts = (
            {k: " ".join(str(v).split()) for k, v in dict(typed).items()}
            if isinstance(typed, Mapping)
            else {}
        )
        if not any(parts.values()):
            return None
        if parts.get("country"):
            parts["country"] = parts["country"].upper()
            if not re.fullmatch(r"[A-Z]{2}", parts["country"]):
                raise ValueError("Country: the ISO two-letter code (GB, US, FR…).")
        return Address(**{k: v or None for k, v in parts.items()})
    text = str(typed).strip() if isinstance(typed, str) else ""
    if not text:
        return None
    if kind == "String":
        if len(text) > STRING_MAX:
            raise ValueError(f"At most {STRING_MAX} characters ({len(text)} typed).")
        return text
    if kind == "Number":
        return _number(text)
    if kind == "Date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError("A real date, as YYYY-MM-DD.") from None
    if kind == "Email":
        from app.desk.checks import email_problem

        problem = email_problem(text)
        if problem:
            raise ValueError(problem)
        return text
    if kind == "PhoneNumber":
        from app.desk.checks import e164

        return e164(text, region)
    raise ValueError("The desk cannot edit this kind of field.")


def _number(text: str) -> Decimal:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError("A number, such as 12 or 10.5.") from None
    if not number.is_finite():
        raise ValueError("A number, such as 12 or 10.5.")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -5:
        raise ValueError("At most 5 decimal places.")
    return number


def same_value(custom: CustomField, value: Any) -> bool:
    """Whether ``value`` (as :func:`check_value` makes it) is what is stored."""
    from app.square.attribute_models import wire_value

    stored = custom.value
    if value is None:
        return stored is None or stored == "" or stored == []
    wire = wire_value(value)
    if custom.kind == "Number" and stored is not None:
        try:
            return Decimal(str(stored)) == Decimal(str(wire))
        except InvalidOperation:
            return False
    if custom.kind == "Selection" and isinstance(stored, list):
        return sorted(map(str, stored)) == sorted(wire)
    if custom.kind == "Address" and isinstance(stored, dict) and isinstance(wire, dict):
        return {k: v for k, v in stored.items() if v} == {k: v for k, v in wire.items() if v}
    return bool(stored == wire)
