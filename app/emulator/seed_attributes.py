"""The demo's customer custom attributes: the seller's custom fields and a loyalty app's.

The seller's own custom fields (owner `square`, always `VISIBILITY_READ_WRITE_VALUES`):
"Favourite drink" (String), "VIP since" (Date), "Dietary needs" (Selection) and
"Wholesale account" (Boolean). A loyalty application shares "Loyalty tier" read-only and
keeps a hidden "sync-token" of its own, which the desk's tokens never see. Values are
drawn for some customers from a random source of their own (`seed` and a fixed salt), so
the customers, groups and cards of `seed_demo` are the same with or without them.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from .attribute_access import HIDDEN, READ_ONLY, READ_WRITE_VALUES, SELLER
from .attribute_types import SELECTION_URL, ref_schema
from .normalise import format_ts
from .store import Store

LOYALTY_APP = "sq0idp-loyalty-demo"
"""Another application of the seller's, sharing one definition read-only."""
SEEDED = "seed_attributes"
"""The `meta` key that says a demo has its custom attributes."""

DRINKS = (
    "Flat white",
    "Oat latte",
    "Earl Grey",
    "Sparkling water",
    "Espresso",
    "Matcha",
    "Chai latte",
    "Hot chocolate",
    "Iced americano",
    "Cortado, extra hot",
)
DIETS = ("Vegetarian", "Vegan", "Gluten-free", "Nut allergy")
TIERS = ("Bronze", "Silver", "Gold")
_START = datetime(2019, 1, 2, 9, 0)
_HORIZON = datetime(2026, 6, 30)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _definitions(rng: random.Random) -> list[dict[str, Any]]:
    """The demo's definitions, each a store record."""
    diet_ids = [_uuid(rng) for _ in DIETS]
    specs: list[tuple[str, str, dict[str, Any], str, str, str]] = [
        (SELLER, _uuid(rng), ref_schema("String"), "Favourite drink", "What they usually order.",
         READ_WRITE_VALUES),
        (SELLER, _uuid(rng), ref_schema("Date"), "VIP since", "When they joined the VIP list.",
         READ_WRITE_VALUES),
        (SELLER, _uuid(rng), {
            "$schema": SELECTION_URL,
            "type": "array",
            "uniqueItems": True,
            "maxItems": len(DIETS),
            "items": {"names": list(DIETS), "enum": diet_ids},
        }, "Dietary needs", "Tell the kitchen.", READ_WRITE_VALUES),
        (SELLER, _uuid(rng), ref_schema("Boolean"), "Wholesale account",
         "Buys at wholesale prices.", READ_WRITE_VALUES),
        (LOYALTY_APP, "tier", ref_schema("String"), "Loyalty tier",
         "Set by the loyalty programme.", READ_ONLY),
        (LOYALTY_APP, "sync-token", ref_schema("String"), "", "", HIDDEN),
    ]  # fmt: skip
    records = []
    for i, (owner, key, schema, name, description, visibility) in enumerate(specs):
        stamp = format_ts(_START + timedelta(days=30 * i))
        record: dict[str, Any] = {
            "owner": owner,
            "key": key,
            "schema": schema,
            "visibility": visibility,
            "version": 1,
            "created_at": stamp,
            "updated_at": stamp,
        }
        if name:
            record.update(name=name, description=description)
        records.append(record)
    return records


def seed_custom_attributes(
    store: Store, customers: Sequence[tuple[str, str]], *, seed: int = 7
) -> None:
    """Define the demo's custom attributes and set them on some of `customers` ((id,
    created_at) pairs, in a fixed order); one transaction."""
    rng = random.Random(f"custom-attributes-{seed}")
    drink, vip, diet, wholesale, tier, token = _definitions(rng)
    diet_ids = diet["schema"]["items"]["enum"]
    with store.transaction():
        for record in (drink, vip, diet, wholesale, tier, token):
            store.put_definition(record)
        for customer_id, created_at in customers:
            since = max(datetime.fromisoformat(created_at[:19]), _START)
            values: list[tuple[dict[str, Any], Any]] = []
            if rng.random() < 0.3:
                values.append((drink, rng.choice(DRINKS)))
            if rng.random() < 0.06:
                day = since + (_HORIZON - since) * rng.random()
                values.append((vip, date(day.year, day.month, day.day).isoformat()))
            if rng.random() < 0.1:
                values.append((diet, rng.sample(diet_ids, 1 if rng.random() < 0.8 else 2)))
            if rng.random() < 0.08:
                values.append((wholesale, rng.random() < 0.85))
            if rng.random() < 0.2:
                values.append((tier, rng.choice(TIERS)))
                values.append((token, f"lt_{rng.getrandbits(48):012x}"))
            for definition, value in values:
                start = max(since, datetime.fromisoformat(definition["created_at"][:19]))
                stamp = format_ts(start + (_HORIZON - start) * rng.random())
                store.put_value(
                    {
                        "customer_id": customer_id,
                        "owner": definition["owner"],
                        "key": definition["key"],
                        "value": value,
                        "version": 1,
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
        store.set_meta(SEEDED, f"seed={seed}")
