"""The demo seed: deterministic, valid, varied, fast."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from email_validator import validate_email

from app.emulator.seed import seed_demo
from app.emulator.store import Store


def _all(store: Store) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT id FROM customers ORDER BY id").fetchall()
    out = []
    for (cid,) in rows:
        customer = store.get_customer(cid)
        assert customer is not None
        out.append(customer)
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, float]:
    store = Store(tmp_path_factory.mktemp("seed") / "demo.sqlite3")
    start = time.perf_counter()
    seed_demo(store)
    return store, time.perf_counter() - start


def test_default_seed_has_2500_customers_quickly(demo: tuple[Store, float]) -> None:
    store, elapsed = demo
    assert store.customer_count() == 2500
    assert elapsed < 2.0


def test_seed_is_deterministic(tmp_path: Path, demo: tuple[Store, float]) -> None:
    other = Store(tmp_path / "again.sqlite3")
    seed_demo(other, customers=2500, seed=7)
    assert _all(other) == _all(demo[0])
    third = Store(tmp_path / "different.sqlite3")
    seed_demo(third, customers=50, seed=8)
    assert {c["id"] for c in _all(third)}.isdisjoint({c["id"] for c in _all(other)})


def test_seed_data_is_valid_and_varied(demo: tuple[Store, float]) -> None:
    customers = _all(demo[0])
    regions: set[str] = set()
    for c in customers:
        assert re.fullmatch(r"[0-9A-Z]{26}", c["id"])
        assert "2019-01-01" <= c["created_at"] <= "2026-12-31"
        assert c["updated_at"] >= c["created_at"]
        if "email_address" in c:
            validate_email(c["email_address"], check_deliverability=False)
        if "phone_number" in c:
            raw = c["phone_number"]
            number = phonenumbers.parse(raw, None if raw.startswith("+") else "US")
            assert phonenumbers.is_valid_number(number), raw
            regions.add(str(phonenumbers.region_code_for_number(number)))
        if "birthday" in c:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", c["birthday"])
    assert {"US", "GB", "CA", "AU"} <= regions
    assert sum("company_name" in c for c in customers) > 300
    assert sum("reference_id" in c for c in customers) > 300
    assert sum("note" in c for c in customers) > 300
    assert sum("address" in c for c in customers) > 1000
    assert sum("group_ids" in c for c in customers) > 500
    assert sum("segment_ids" in c for c in customers) > 2000
    formats = {re.sub(r"\d", "9", c["phone_number"]) for c in customers if "phone_number" in c}
    assert len(formats) >= 6
    names = {(c.get("given_name"), c.get("family_name")) for c in customers}
    assert ("Zoë", "Brontë") in names and ("José", "Álvarez") in names
    assert any("[" in (c.get("nickname", "") + c.get("company_name", "")) for c in customers)


def test_seed_has_groups_segments_and_cards(demo: tuple[Store, float]) -> None:
    store = demo[0]
    assert 4 <= len(store.list_groups()) <= 10
    assert 3 <= len(store.list_segments()) <= 10
    cards = store.list_cards(include_disabled=True)
    assert len(cards) > 100
    assert any(not c["enabled"] for c in cards)


def test_seed_has_custom_attributes(tmp_path: Path, demo: tuple[Store, float]) -> None:
    """The seller's custom fields ("Favourite drink" text, "VIP since" date, a selection, a
    boolean) and a loyalty app's, each value fitting its definition's schema."""
    from app.emulator.attribute_types import check_value, type_of
    from app.emulator.seed_attributes import LOYALTY_APP, SEEDED

    store = demo[0]
    definitions = store.list_definitions()
    seller = {d["name"]: type_of(d["schema"]) for d in definitions if d["owner"] == "square"}
    assert seller == {
        "Favourite drink": "String",
        "VIP since": "Date",
        "Dietary needs": "Selection",
        "Wholesale account": "Boolean",
    }
    assert all(
        d["visibility"] == "VISIBILITY_READ_WRITE_VALUES"
        for d in definitions
        if d["owner"] == "square"
    )
    assert {d["visibility"] for d in definitions if d["owner"] == LOYALTY_APP} == {
        "VISIBILITY_READ_ONLY",
        "VISIBILITY_HIDDEN",
    }
    counts = {}
    for d in definitions:
        values = store.values_for(d["owner"], d["key"])
        counts[d.get("name") or d["key"]] = len(values)
        for value in values:
            assert check_value(d["schema"], value["value"], "v") == value["value"]
            assert value["created_at"] >= d["created_at"]
    assert counts["Favourite drink"] > 500 and counts["VIP since"] > 50
    assert all(n > 0 for n in counts.values())
    assert store.get_meta(SEEDED) == "seed=7"
    # deterministic, like the rest of the demo
    again = Store(tmp_path / "again.sqlite3")
    seed_demo(again, customers=2500, seed=7)
    assert again.list_definitions() == definitions
    some = definitions[0]
    assert again.values_for(some["owner"], some["key"]) == store.values_for(
        some["owner"], some["key"]
    )
