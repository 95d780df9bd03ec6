"""The directory's own page loops against a server whose cursors cycle or never end:
the load, a refresh and an operator search each stop with a ``PaginationError`` (or say
so in the results) instead of looping for ever."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.directory import CustomerDirectory
from app.square import PaginationError, SquareService
from tests.square.hostile import (
    ITEMS,
    Hostile,
    Receive,
    Scope,
    Send,
    answer,
    cycling,
    fresh_cursors,
)


def service_for(app: Hostile, **kwargs: Any) -> SquareService:
    return SquareService(
        "http://hostile.test", "sq0atp-dir", transport=httpx.ASGITransport(app=app), **kwargs
    )


def searches(app: Hostile) -> list[dict[str, Any]]:
    return [json.loads(body) for _, path, body in app.requests if path.endswith("/search")]


@pytest.mark.parametrize(
    ("cursors", "max_pages", "says"),
    [
        (lambda: cycling("A", "B"), 12_000, "repeated a page cursor"),
        (fresh_cursors, 30, "past 30"),
    ],
    ids=["A, B, A, B", "endless"],
)
async def test_the_load_stops_on_a_hostile_cursor_chain(
    cursors: Any, max_pages: int, says: str
) -> None:
    app = Hostile()
    app.handler = app.pages(cursors())
    async with service_for(app, max_pages=max_pages) as service:
        directory = CustomerDirectory(service, concurrency=2)
        with pytest.raises(PaginationError, match=says):
            await directory.load()
    assert not directory.loaded
    window_pages = [b for b in searches(app) if "cursor" in b]
    assert window_pages, "the load never followed a window's cursor"
    assert len(app.requests) <= max_pages + 2


async def test_a_window_split_still_meets_the_load_ceiling() -> None:
    """Customers spread in time let the load cut windows; a server whose windows never
    end is still stopped by the whole load's page ceiling."""
    app = Hostile()
    counter = iter(range(1, 10**9))

    async def spread(scope: Scope, receive: Receive, send: Send) -> None:
        n = next(counter)
        second = n % 50
        customer = dict(ITEMS["/v2/customers"][1], id=f"C{n}")
        customer["created_at"] = f"2026-01-01T00:00:{second:02d}Z"
        page = {"customers": [customer], "cursor": f"c{n}", "count": 10_000}
        await answer(send, 200, json.dumps(page).encode())

    app.handler = spread
    async with service_for(app, max_pages=60) as service:
        directory = CustomerDirectory(service, concurrency=4)
        with pytest.raises(PaginationError, match="past 60"):
            await directory.load()
    assert len(app.requests) <= 60 + 2 + 4  # + the other workers' pages in flight


async def test_a_refresh_stops_on_cycling_cursors() -> None:
    app = Hostile()
    app.handler = app.pages(iter([None, None]))  # a load of one page each way
    async with service_for(app) as service:
        directory = CustomerDirectory(service)
        await directory.load()
        assert directory.loaded and directory.count == 1
        app.handler = app.pages(cycling("A", "B"))
        with pytest.raises(PaginationError):
            await directory.refresh()


def groups_then(cursors: Iterator[str | None], app: Hostile) -> Any:
    pages = app.pages(cursors)

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/v2/customers/groups":
            await answer(send, 200, b'{"groups": [{"id": "G1", "name": "VIP"}]}')
        else:
            await pages(scope, receive, send)

    return handle


async def test_an_operator_search_stops_on_cycling_cursors() -> None:
    app = Hostile()
    app.handler = groups_then(cycling("A", "B"), app)
    async with service_for(app) as service:
        directory = CustomerDirectory(service)
        results = await directory.search("group:VIP")
    assert results.error is not None and "repeated a page cursor" in results.error
    assert len(searches(app)) == 3


async def test_a_group_listing_with_cycling_cursors_is_reported() -> None:
    app = Hostile()
    app.handler = app.pages(cycling("A", "B"))
    async with service_for(app) as service:
        directory = CustomerDirectory(service)
        results = await directory.search("group:VIP")
    assert results.error is not None and "repeated a page cursor" in results.error
    assert results.total == 0


@pytest.mark.parametrize(
    ("oldest", "newest"),
    [
        ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59.999Z"),
        ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999-01:00"),
        ("0001-01-01T00:00:00", "2026-01-01T00:00:00Z"),  # naive beside aware
    ],
)
async def test_timestamps_at_the_edge_of_the_calendar_still_load(oldest: str, newest: str) -> None:
    """No window can be cut from such a span: the load follows one chain to its end."""
    app = Hostile()
    served = iter(range(1, 1_000))

    async def edge(scope: Scope, receive: Receive, send: Send) -> None:
        n = next(served)
        customer = dict(ITEMS["/v2/customers"][1], id=f"C{n}")
        customer["created_at"] = oldest if n % 2 else newest
        page: dict[str, Any] = {"customers": [customer], "count": 500}
        if n < 30:
            page["cursor"] = f"c{n}"
        await answer(send, 200, json.dumps(page).encode())

    app.handler = edge
    async with service_for(app) as service:
        directory = CustomerDirectory(service, concurrency=2)
        await directory.load()
    assert directory.loaded and directory.count == 30 == len(app.requests)
