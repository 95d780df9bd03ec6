"""A customer's writable fields as the journal keeps them: Square's JSON, empty ones as null."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.square import Customer, CustomerFields

__all__ = ["fields_of", "only"]


def fields_of(customer: Customer) -> dict[str, Any]:
    """Every writable field of ``customer`` (``None`` for an empty one), as JSON values."""
    return CustomerFields.from_customer(customer).to_body()


def only(values: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """``values`` restricted to ``names`` (a missing one as ``None``)."""
    return {name: values.get(name) for name in names}
