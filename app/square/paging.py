"""Following a listing's page cursors: the :class:`CursorChain` and the one page loop.

Every listing the client follows goes through a chain, which stops it with a
:class:`~app.square.errors.PaginationError` when a cursor comes back, is unusable, or the
chain grows past its page ceiling; :func:`follow_pages` is the loop every ``iter_*``
method shares.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol, TypeVar

from app.square.errors import PaginationError
from app.square.limits import MAX_CURSOR_LENGTH, MAX_PAGES

__all__ = ["CursorChain", "Paged", "follow_pages"]


class Paged(Protocol):
    """A page of a listing: whatever it holds, it says where the next one starts."""

    @property
    def cursor(self) -> str | None: ...


P = TypeVar("P", bound=Paged)


class CursorChain:
    """Follows one listing's page cursors, and stops it with a ``PaginationError`` when a
    cursor comes back (A, B, A…), is unusable, or the chain grows past ``max_pages``."""

    def __init__(self, max_pages: int = MAX_PAGES) -> None:
        self.max_pages = max(1, max_pages)
        self.pages = 0
        self._seen: set[bytes] = set()

    def count(self) -> None:
        """One more page fetched; past the ceiling, the listing stops."""
        self.pages += 1
        if self.pages > self.max_pages:
            raise self._too_long()

    def follow(self, following: str | None) -> str | None:
        """After a page: its cursor if another page is to be fetched, ``None`` after the
        last. Counts the page."""
        self.pages += 1
        if not following:
            return None
        if self.pages >= self.max_pages:
            raise self._too_long()  # the next page would be one past the ceiling
        if (
            len(following) > MAX_CURSOR_LENGTH
            or not following.isascii()
            or not following.isprintable()
        ):
            raise PaginationError(
                "Square sent a page cursor the desk cannot use, so the listing was stopped."
            )
        digest = hashlib.blake2b(following.encode("ascii"), digest_size=16).digest()
        if digest in self._seen:
            raise PaginationError()
        self._seen.add(digest)
        return following

    def _too_long(self) -> PaginationError:
        return PaginationError(
            f"Square kept sending pages past {self.max_pages:,}, more than any directory "
            "has, so the listing was stopped."
        )

    def restart(self) -> None:
        """A new query in the same listing: earlier cursors no longer count, pages do."""
        self._seen.clear()


async def follow_pages(
    fetch: Callable[[str | None], Awaitable[P]], chain: CursorChain
) -> AsyncIterator[P]:
    """Every page ``fetch(cursor)`` gives, from the first (``cursor=None``), along ``chain``."""
    cursor: str | None = None
    while True:
        page = await fetch(cursor)
        yield page
        cursor = chain.follow(page.cursor)
        if cursor is None:
            return
