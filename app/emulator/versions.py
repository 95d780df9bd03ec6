"""Answers shaped by the request's `Square-Version`, where Square's changelog says a field
came or went.

The handlers answer as `SQUARE_VERSION` (2025-08-20) does; `adapt` then turns a success
answer into what a client pinned to an older version gets. The rules, one a line:

| field | versions that get it | what it holds |
| --- | --- | --- |
| `Customer.cards` | before 2024-12-18 (its removal) | the customer's enabled cards on file |

(Later versions list a customer's cards with ListCards `?customer_id=`.)

A `Square-Version` that is not a `YYYY-MM-DD` date is answered as the current version.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Body = dict[str, Any]
CardsOf = Callable[[str], list[Body]]
"""A customer id → its enabled cards on file (oldest first)."""

CUSTOMER_CARDS_REMOVED = "2024-12-18"
"""The first Square-Version whose Customer has no `cards`."""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def before(version: str | None, release: str) -> bool:
    """Whether `version` (a request's Square-Version) predates `release`."""
    return version is not None and bool(_DATE.fullmatch(version)) and version < release


def adapt(body: Body, version: str | None, cards_of: CardsOf) -> Body:
    """`body` (a success answer in the current version's shape) for `version`."""
    if not before(version, CUSTOMER_CARDS_REMOVED):
        return body
    for customer in _customers(body):
        cards = cards_of(customer["id"])
        if cards:
            customer["cards"] = cards
    return body


def _customers(body: Body) -> list[Body]:
    """Every Customer object of an answer: `customer`, `customers[]`, bulk `responses`."""
    found: list[Any] = []
    if isinstance(body.get("customer"), dict):
        found.append(body["customer"])
    if isinstance(body.get("customers"), list):
        found.extend(body["customers"])
    responses = body.get("responses")
    if isinstance(responses, dict):
        found.extend(
            entry["customer"]
            for entry in responses.values()
            if isinstance(entry, dict) and isinstance(entry.get("customer"), dict)
        )
    return [c for c in found if isinstance(c, dict) and isinstance(c.get("id"), str)]
