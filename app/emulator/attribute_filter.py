"""SearchCustomers' `custom_attribute` filter: checked against the definitions, run on values.

`query.filter.custom_attribute.filters[]` holds up to 10 filters on distinct keys, each
a `key` with a `filter` on the value and/or an `updated_at` range; they AND together and
with the customer filters (NOTES "SearchCustomers custom_attribute filter"). The filter
kind follows the attribute's type: `text` (String), `email`, `phone`, `number`, `date`,
`boolean`, `selection` (option names, `any` / `all`) and `address` (`postal_code` exact,
`country`). Ranges are inclusive. **Defaults** where Square is silent: a key the caller
cannot see is 404 `NOT_FOUND`, a filter kind that does not fit the type 400 `BAD_REQUEST`.

`customers_matching` answers with the ids of the customers whose values match: the replica
then keeps only those (`Query.custom_ids`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .attribute_access import find_definition
from .attribute_types import SELECTION, check_date, number_of, options, type_of
from .errors import bad_request
from .limits import CUSTOM_FILTERS_MAX, FILTER_TEXT_MAX
from .normalise import digit_tokens, fuzzy_norm, fuzzy_tokens, phone_digits, search_e164
from .validation import check_max, parse_time, require

if TYPE_CHECKING:
    from .store_attributes import AttributeTables

Body = dict[str, Any]
Match = Callable[[Any], bool]

KIND_OF_TYPE = {
    "String": "text",
    "Email": "email",
    "PhoneNumber": "phone",
    "Number": "number",
    "Boolean": "boolean",
    "Date": "date",
    "Address": "address",
    SELECTION: "selection",
}
_WORD = re.compile(r"\w+")


def customers_matching(store: AttributeTables, raw: Body, app: str, base: str) -> frozenset[str]:
    """The ids of the customers every filter of `raw` (already type-checked) matches."""
    filters: list[Body] = raw.get("filters") or []
    if len(filters) > CUSTOM_FILTERS_MAX:
        raise bad_request(
            "ARRAY_LENGTH_TOO_LONG",
            f"`{base}.filters` may hold at most {CUSTOM_FILTERS_MAX} filters.",
            f"{base}.filters",
        )
    found: set[str] | None = None
    seen: set[tuple[str, str]] = set()
    for i, one in enumerate(filters):
        path = f"{base}.filters[{i}]"
        definition = find_definition(
            store, app, require(one.get("key"), f"{path}.key"), f"{path}.key"
        )
        names = (definition["owner"], definition["key"])
        if names in seen:
            raise bad_request("BAD_REQUEST", f"`{path}.key` is filtered twice.", f"{path}.key")
        seen.add(names)
        match = _matcher(definition["schema"], one.get("filter"), f"{path}.filter")
        updated = _updated_range(one.get("updated_at"), f"{path}.updated_at")
        if match is None and updated is None:
            raise bad_request(
                "BAD_REQUEST", f"`{path}` needs a `filter` or an `updated_at` range.", path
            )
        ids = {
            value["customer_id"]
            for value in store.values_for(*names)
            if (match is None or match(value["value"]))
            and (updated is None or _within(value["updated_at"], updated))
        }
        found = ids if found is None else found & ids
    return frozenset(found or ())


def _within(text: str, bounds: tuple[str | None, str | None]) -> bool:
    lo, hi = bounds
    return (lo is None or text >= lo) and (hi is None or text <= hi)


def _updated_range(raw: Body | None, path: str) -> tuple[str | None, str | None] | None:
    if not raw:
        return None
    lo = parse_time(raw["start_at"], f"{path}.start_at") if raw.get("start_at") else None
    hi = parse_time(raw["end_at"], f"{path}.end_at") if raw.get("end_at") else None
    return _ordered(lo, hi, path)


def _ordered(lo: Any, hi: Any, path: str) -> tuple[Any, Any] | None:
    if lo is not None and hi is not None and hi < lo:
        raise bad_request("INVALID_TIME_RANGE", f"`{path}` ends before it starts.", path)
    return None if lo is None and hi is None else (lo, hi)


def _matcher(schema: Body, raw: Body | None, path: str) -> Match | None:
    """What a value must be to match `raw` (None: no value filter)."""
    if not raw:
        return None
    kind = KIND_OF_TYPE[type_of(schema)]
    given = [name for name, value in raw.items() if name in _BUILDERS and value is not None]
    if not given:
        return None
    wrong = [name for name in given if name != kind]
    if wrong:
        raise bad_request(
            "BAD_REQUEST",
            f"This is a {type_of(schema)} custom attribute: filter it with `{kind}`.",
            f"{path}.{wrong[0]}",
        )
    return _BUILDERS[kind](schema, raw[kind], f"{path}.{kind}")


def _exact_or_fuzzy(raw: Body, path: str) -> tuple[str | None, str | None]:
    exact, fuzzy = raw.get("exact"), raw.get("fuzzy")
    if exact is not None and fuzzy is not None:
        raise bad_request("BAD_REQUEST", f"Only one of `exact` and `fuzzy` in `{path}`.", path)
    check_max(exact, FILTER_TEXT_MAX, f"{path}.exact")
    check_max(fuzzy, FILTER_TEXT_MAX, f"{path}.fuzzy")
    return exact, fuzzy


def _text(schema: Body, raw: Body, path: str) -> Match:
    """Case-insensitive: `exact` the whole string, `fuzzy` whole words in any order."""
    exact, fuzzy = _exact_or_fuzzy(raw, path)
    if exact is not None:
        want = exact.strip().casefold()
        return lambda v: isinstance(v, str) and v.strip().casefold() == want
    words = _WORD.findall((fuzzy or "").casefold())
    return lambda v: isinstance(v, str) and set(words) <= set(_WORD.findall(v.casefold()))


def _email(schema: Body, raw: Body, path: str) -> Match:
    """As the customer filter: `exact` identical (case aside), `fuzzy` every token inside."""
    exact, fuzzy = _exact_or_fuzzy(raw, path)
    if exact is not None:
        want = exact.strip().casefold()
        return lambda v: isinstance(v, str) and v.casefold() == want
    tokens = fuzzy_tokens(fuzzy or "")
    return lambda v: isinstance(v, str) and all(t in fuzzy_norm(v) for t in tokens)


def _phone(schema: Body, raw: Body, path: str) -> Match:
    """As the customer filter: `exact` in E.164, `fuzzy` every digit token inside."""
    exact, fuzzy = _exact_or_fuzzy(raw, path)
    if exact is not None:
        want = search_e164(exact)
        return lambda v: want is not None and v == want
    tokens = digit_tokens(fuzzy or "")
    return lambda v: isinstance(v, str) and all(t in phone_digits(v, v) for t in tokens)


def _number(schema: Body, raw: Body, path: str) -> Match:
    lo = number_of(raw["start_at"], f"{path}.start_at") if raw.get("start_at") else None
    hi = number_of(raw["end_at"], f"{path}.end_at") if raw.get("end_at") else None
    bounds = _ordered(lo, hi, path) or (None, None)
    return lambda v: isinstance(v, str) and _within_number(Decimal(v), bounds)


def _within_number(value: Decimal, bounds: tuple[Decimal | None, Decimal | None]) -> bool:
    lo, hi = bounds
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _day(text: str, path: str) -> str:
    """A date bound: `YYYY-MM-DD`, or an RFC 3339 time's own date."""
    if len(text.strip()) == 10:
        return check_date(text.strip(), path)
    parse_time(text, path)
    return text.strip()[:10]


def _date(schema: Body, raw: Body, path: str) -> Match:
    lo = _day(raw["start_at"], f"{path}.start_at") if raw.get("start_at") else None
    hi = _day(raw["end_at"], f"{path}.end_at") if raw.get("end_at") else None
    bounds = _ordered(lo, hi, path) or (None, None)
    return lambda v: isinstance(v, str) and _within(v, bounds)


def _boolean(schema: Body, raw: Any, path: str) -> Match:
    return lambda v: v is raw


def _selection(schema: Body, raw: Body, path: str) -> Match:
    """Option names (case-sensitive): `any` of them held, `all` of them held."""
    if raw.get("none") is not None:
        raise bad_request("BAD_REQUEST", f"`{path}.none` is not supported.", f"{path}.none")
    ids_by_name = {name: option_id for option_id, name in options(schema).items()}
    any_of, all_of = raw.get("any"), raw.get("all")
    if any_of is None and all_of is None:
        return lambda v: True
    any_ids = {ids_by_name[n] for n in any_of or () if n in ids_by_name}
    all_known = all_of is None or all(n in ids_by_name for n in all_of)
    all_ids = {ids_by_name[n] for n in all_of or () if n in ids_by_name}

    def match(value: Any) -> bool:
        held = set(value) if isinstance(value, list) else set()
        if any_of is not None and not held & any_ids:
            return False
        return all_known and all_ids <= held

    return match


def _address(schema: Body, raw: Body, path: str) -> Match:
    """`postal_code` (exact only, case and spacing aside) and/or `country`."""
    postal: Body = raw.get("postal_code") or {}
    if postal.get("fuzzy") is not None:
        where = f"{path}.postal_code.fuzzy"
        raise bad_request("BAD_REQUEST", "A postal code is matched `exact` only.", where)
    exact = postal.get("exact")
    check_max(exact, FILTER_TEXT_MAX, f"{path}.postal_code.exact")
    code = "".join(exact.split()).casefold() if exact is not None else None
    country = raw.get("country")

    def match(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        held = "".join(str(value.get("postal_code", "")).split()).casefold()
        if code is not None and held != code:
            return False
        return country is None or value.get("country") == country

    return match


_BUILDERS: dict[str, Callable[[Body, Any, str], Match]] = {
    "text": _text,
    "email": _email,
    "phone": _phone,
    "number": _number,
    "date": _date,
    "boolean": _boolean,
    "selection": _selection,
    "address": _address,
}
