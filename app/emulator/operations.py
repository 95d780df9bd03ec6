"""Every Square operation the emulator answers: the table gathered from the handler modules.

One module per resource registers its operations (`routing.Routes`); this table is what
the dispatcher (`asgi.py`) routes through, what the fault layer asks whether a request
is a write, and what tests compare with the client's list of writes.
"""

from __future__ import annotations

import re

from . import (
    attribute_definitions,
    bulk,
    cards,
    custom_attributes,
    customers,
    groups,
    oauth,
    segments,
)
from .routing import Operation, match

OPERATIONS: tuple[Operation, ...] = (
    *customers.routes.operations,
    *bulk.routes.operations,
    *groups.routes.operations,
    *segments.routes.operations,
    *cards.routes.operations,
    *attribute_definitions.routes.operations,
    *custom_attributes.routes.operations,
    *oauth.routes.operations,
)


def routes(path: str) -> list[tuple[Operation, re.Match[str]]]:
    """The operations at `path` (any method), the most literal path first among equals."""
    return match(OPERATIONS, path)


def is_write_request(method: str, path: str) -> bool:
    """Whether `method path` is one of the write operations (a POST search is a read)."""
    return any(op.write and op.method == method.upper() for op, _ in routes(path))


__all__ = ["OPERATIONS", "is_write_request", "routes"]
