"""The custom field operator: ``field:NAME=VALUE`` parsed, resolved and answered by Square."""

from __future__ import annotations

import pytest

from app.directory import CustomerDirectory, QueryError, parse_query
from app.directory.field_filter import field_filter
from app.square import SquareService


@pytest.mark.parametrize(
    ("text", "fields", "words"),
    [
        ("field:drink=tea", [("drink", "tea")], ""),
        ('field:"Favourite drink"="oat latte" ada', [("Favourite drink", "oat latte")], "ada"),
        ("attr:vip=2024", [("vip", "2024")], ""),
        ("field:wholesale", [("wholesale", "")], ""),
        ('field:"VIP since"=>2024-06 group:VIP', [("VIP since", ">2024-06")], ""),
    ],
)
def test_the_syntax(text: str, fields: list[tuple[str, str]], words: str) -> None:
    parsed = parse_query(text)
    assert parsed.fields == fields and parsed.text == words
    assert parsed.has_operators and parsed.asks_square


def test_negation_is_refused() -> None:
    with pytest.raises(QueryError):
        parse_query("-field:drink=tea")


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("String", "tea", {"text": {"fuzzy": "tea"}}),
        ("Number", ">=10", {"number": {"start_at": "10"}}),
        ("Number", "1..9", {"number": {"start_at": "1", "end_at": "9"}}),
        ("Number", "12", {"number": {"start_at": "12", "end_at": "12"}}),
        ("Date", "2024", {"date": {"start_at": "2024-01-01", "end_at": "2024-12-31"}}),
        ("Date", ">2024-06", {"date": {"start_at": "2024-07-01"}}),
        ("Boolean", "yes", {"boolean": True}),
        ("Boolean", "no", {"boolean": False}),
        ("Address", "ie", {"address": {"country": "IE"}}),
        ("Address", "D02 X285", {"address": {"postal_code": {"exact": "D02 X285"}}}),
    ],
)
def test_values_by_type(kind: str, value: str, expected: dict[str, object]) -> None:
    assert field_filter("f", kind, value) == expected


def test_selection_names_and_unknown_options() -> None:
    options = ["Vegetarian", "Vegan", "Gluten-free"]
    assert field_filter("d", "Selection", "vegan,glu", options) == {
        "selection": {"any": ["Vegan", "Gluten-free"]}
    }
    with pytest.raises(QueryError, match="options: Vegetarian"):
        field_filter("d", "Selection", "kosher", options)
    with pytest.raises(QueryError, match="yes/no"):
        field_filter("w", "Boolean", "maybe")


async def values_of(service: SquareService, key_name: str, ids: list[str]) -> list[object]:
    keys = {d.name: d.key async for d in service.iter_custom_attribute_definitions() if d.name}
    out = []
    for customer_id in ids:
        attribute = await service.retrieve_custom_attribute(customer_id, keys[key_name])
        out.append(attribute.value)
    return out


async def test_the_seeded_customers_are_found(
    loaded: CustomerDirectory, service: SquareService
) -> None:
    anyone = await loaded.search("field:drink", limit=500)
    assert anyone.error is None and anyone.total > 0
    drinks = await values_of(service, "Favourite drink", list(anyone.customers.ids)[:20])
    assert all(drinks)
    earl = await loaded.search('field:"favourite drink"="earl grey"', limit=500)
    assert earl.error is None and 0 < earl.total < anyone.total
    assert set(await values_of(service, "Favourite drink", list(earl.customers.ids))) == {
        "Earl Grey"
    }
    vip = await loaded.search("field:vip=2019..2026", limit=500)
    assert vip.error is None and vip.total > 0
    dates = await values_of(service, "VIP since", list(vip.customers.ids)[:20])
    assert all("2019-01-01" <= str(d) <= "2026-12-31" for d in dates)
    wholesale = await loaded.search("field:wholesale=yes", limit=500)
    assert wholesale.error is None and wholesale.total > 0
    assert set(await values_of(service, "Wholesale account", list(wholesale.customers.ids))) == {
        True
    }
    vegan = await loaded.search("field:diet=vegan", limit=500)
    assert vegan.error is None and vegan.total > 0


async def test_a_bad_field_is_a_message(loaded: CustomerDirectory) -> None:
    unknown = await loaded.search("field:shoe=42")
    assert unknown.source == "none" and "no custom field named 'shoe'" in (unknown.error or "")
    assert "Favourite drink" in (unknown.error or "")
    bad = await loaded.search("field:wholesale=maybe")
    assert bad.source == "none" and "yes/no" in (bad.error or "")
