"""The search bar's custom field operator: ``field:NAME=VALUE``, as SearchCustomers' filter.

``field:drink=tea``, ``field:"Favourite drink"="oat latte"`` (``attr:`` too). NAME is a
custom field's name (case and accents aside; a unique start will do) or its key; what
VALUE means follows the field's type:

==========  ===================================  =====================================
type        VALUE                                filter
==========  ===================================  =====================================
String      words                                ``text`` fuzzy
Email       (part of) an address                 ``email`` fuzzy
PhoneNumber digits                               ``phone`` fuzzy
Number      ``12``, ``>=10``, ``<5``, ``1..9``   ``number`` range (bounds inclusive)
Date        ``2024``, ``>2024-06``, ``A..B``     ``date`` range (as ``created:``)
Boolean     ``yes`` / ``no``                     ``boolean``
Selection   option names, ``,`` between (any)    ``selection`` ``any``
Address     a postal code, or a country code     ``address``
==========  ===================================  =====================================

``field:NAME`` with no value finds the customers who have one (any value set).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from app.directory.query import QueryError, format_time, time_range

__all__ = ["EVER", "field_filter"]

EVER = format_time(datetime(2000, 1, 1).astimezone())
"""``updated_at`` from long ago: "has a value"."""
_TRUE = {"yes", "y", "true", "on", "1"}
_FALSE = {"no", "n", "false", "off", "0"}


def field_filter(
    name: str, kind: str | None, value: str, options: list[str] | None = None
) -> dict[str, Any]:
    """The ``filter`` of one custom field's ``CustomAttributeFilter`` for ``value``.
    Raises :class:`QueryError` with what the field takes."""
    where = f"field:{name}"
    if kind == "String":
        return {"text": {"fuzzy": value}}
    if kind == "Email":
        return {"email": {"fuzzy": value}}
    if kind == "PhoneNumber":
        if not any(ch.isdigit() for ch in value):
            raise QueryError(f"{where} is a phone number: give digits")
        return {"phone": {"fuzzy": value}}
    if kind == "Number":
        return {"number": _number_range(where, value)}
    if kind == "Date":
        return {"date": _date_range(where, value)}
    if kind == "Boolean":
        word = value.strip().lower()
        if word not in _TRUE | _FALSE:
            raise QueryError(f"{where} is a yes/no field: =yes or =no")
        return {"boolean": word in _TRUE}
    if kind == "Selection":
        return {"selection": {"any": _options(where, value, options or [])}}
    if kind == "Address":
        text = value.strip()
        if re.fullmatch(r"[A-Za-z]{2}", text):
            return {"address": {"country": text.upper()}}
        return {"address": {"postal_code": {"exact": text}}}
    raise QueryError(f"{where}: the desk cannot search this kind of field")


def _number(where: str, text: str) -> str:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise QueryError(f"{where} is a number: such as 12, >=10, <5 or 1..9") from None
    if not number.is_finite():
        raise QueryError(f"{where} is a number: such as 12, >=10, <5 or 1..9")
    return str(number)


def _number_range(where: str, value: str) -> dict[str, str]:
    text = value.strip()
    if ".." in text:
        low, _, high = text.partition("..")
        out = {}
        if low.strip():
            out["start_at"] = _number(where, low)
        if high.strip():
            out["end_at"] = _number(where, high)
        return out
    for prefix, bound in ((">=", "start_at"), ("<=", "end_at"), (">", "start_at"), ("<", "end_at")):
        if text.startswith(prefix):
            return {bound: _number(where, text[len(prefix) :])}
    number = _number(where, text.lstrip("="))
    return {"start_at": number, "end_at": number}


def _date_range(where: str, value: str) -> dict[str, str]:
    """Inclusive ``YYYY-MM-DD`` bounds from the same forms as ``created:``."""
    span = time_range(where, [value])
    out: dict[str, str] = {}
    if "start_at" in span:
        out["start_at"] = span["start_at"][:10]
    if "end_at" in span:
        end = datetime.fromisoformat(span["end_at"].replace("Z", "+00:00"))
        out["end_at"] = (end - timedelta(milliseconds=1)).date().isoformat()
    return out


def _options(where: str, value: str, options: list[str]) -> list[str]:
    from app.directory.folding import fold

    by_name = {fold(o).strip(): o for o in options}
    chosen: list[str] = []
    for part in value.split(","):
        wanted = fold(part).strip()
        if not wanted:
            continue
        exact = by_name.get(wanted)
        starting = [o for n, o in by_name.items() if n.startswith(wanted)]
        if exact is None and len(starting) != 1:
            known = ", ".join(options[:10])
            raise QueryError(f"{where}: no option {part.strip()!r} (options: {known})")
        name = exact or starting[0]
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise QueryError(f"{where}: name an option")
    return chosen
