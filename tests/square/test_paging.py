"""One cursor loop for every listing: pages followed along a checked cursor chain."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from app.square import CursorChain, CustomerPage, PaginationError
from app.square.paging import follow_pages

Fetch = Callable[[str | None], Awaitable[CustomerPage]]


def pages_from(cursors: dict[str | None, str | None]) -> tuple[list[str | None], Fetch]:
    """A listing whose page at each cursor points on to the next; records what was asked."""
    asked: list[str | None] = []

    async def fetch(cursor: str | None) -> CustomerPage:
        asked.append(cursor)
        return CustomerPage(customers=[], cursor=cursors[cursor])

    return asked, fetch


async def test_every_page_once_in_order() -> None:
    asked, fetch = pages_from({None: "b", "b": "c", "c": None})
    pages = [page async for page in follow_pages(fetch, CursorChain())]
    assert asked == [None, "b", "c"]
    assert [page.cursor for page in pages] == ["b", "c", None]


async def test_a_cursor_that_comes_back_stops_the_listing() -> None:
    asked, fetch = pages_from({None: "a", "a": "b", "b": "a"})
    with pytest.raises(PaginationError):
        _ = [page async for page in follow_pages(fetch, CursorChain())]
    assert asked == [None, "a", "b"]


async def test_the_page_ceiling_is_a_whole_listing_not_one_more() -> None:
    endless: dict[str | None, str | None] = {None: "p1"}
    endless.update({f"p{n}": f"p{n + 1}" for n in range(1, 10)})
    asked, fetch = pages_from(endless)
    with pytest.raises(PaginationError, match="past 4"):
        _ = [page async for page in follow_pages(fetch, CursorChain(4))]
    assert len(asked) == 4
