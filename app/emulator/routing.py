"""Route registration and matching: each handler module's operations, and which answers a path.

A handler module makes one `Routes` and registers each handler on it with
`@routes.operation(name, method, path, scope)`; `operations.py` gathers them into the
emulator's table, and `match` finds the operations at a request's path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core import Emulator

Body = dict[str, Any]
Result = tuple[int, Body]


@dataclass
class Call:
    """One request as the handlers see it."""

    params: dict[str, str]
    query: Mapping[str, str]
    body: Body
    headers: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[["Emulator", Call], Result]


@dataclass(frozen=True)
class Operation:
    """One of Square's operations: its name, method, path pattern, handler and scope."""

    name: str
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    scope: str
    write: bool
    literals: int


class Routes:
    """The operations one handler module answers, in the order it registers them."""

    def __init__(self) -> None:
        self.operations: list[Operation] = []

    def operation(
        self, name: str, method: str, path: str, scope: str
    ) -> Callable[[Handler], Handler]:
        """Register a handler for `method path` (path parameters in braces)."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)

        def register(handler: Handler) -> Handler:
            write = scope.endswith("_WRITE")
            literals = sum(1 for part in path.split("/") if part and not part.startswith("{"))
            self.operations.append(
                Operation(name, method, re.compile(f"{regex}/?"), handler, scope, write, literals)
            )
            return handler

        return register


def match(operations: Iterable[Operation], path: str) -> list[tuple[Operation, re.Match[str]]]:
    """The operations at `path` (any method). The most literal path wins:
    /v2/customers/search is never customer "search"."""
    found = [(op, m) for op in operations if (m := op.pattern.fullmatch(path)) is not None]
    if not found:
        return []
    best = max(op.literals for op, _ in found)
    return [(op, m) for op, m in found if op.literals == best]


__all__ = ["Body", "Call", "Handler", "Operation", "Result", "Routes", "match"]
