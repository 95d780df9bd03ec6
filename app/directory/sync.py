"""Keeping a loaded store fresh: what changed since the watermark, and what was deleted
elsewhere, without a full reload.

A sync asks SearchCustomers for the customers with ``updated_at`` since the watermark
(minus a margin: Square's lists lag writes by up to a minute) and writes them. That
cannot see deletions, so it then compares Square's count of customers with the store's:
when they differ (and the app's own writes have had time to show), it bisects — counting
each half of a ``created_at`` span on both sides, one request per split — down to the
windows that differ, refetches only those, and drops the ids Square no longer lists
there. One deletion among 100,000 customers costs about a dozen requests.
"""

from __future__ import annotations

import logging
from typing import Any

from app.directory.documents import stamp
from app.directory.loader import PAGE, DirectoryLoader, ProgressCallback
from app.directory.store import Writer
from app.directory.windows import window_query

__all__ = ["DirectorySync"]

log = logging.getLogger(__name__)

REFETCH_AT = 250
"""A differing window holding this many customers or fewer is refetched whole."""


class DirectorySync(DirectoryLoader):
    """:class:`DirectoryLoader` plus the sync (``refresh``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reconcile_requests = 0
        """Requests the last deletion check took (counts, then refetched pages)."""

    async def load(self, on_progress: ProgressCallback | None = None) -> None:
        """Load every customer (or resume the load under way); a store already complete
        is synced instead."""
        if self.loaded:
            await self.refresh()
            return
        await super().load(on_progress)

    async def refresh(self, on_progress: ProgressCallback | None = None) -> int:
        """Apply what changed on Square since the last load or sync; returns how many
        customers changed (added, updated or dropped). A load not yet complete is
        resumed instead."""
        if not self.loaded or self.watermark is None:
            return await self._load(on_progress)
        async with self._load_lock:
            return await self._sync()

    async def _sync(self) -> int:
        store = self.store
        started = self._clock()
        watermark = self.watermark
        assert watermark is not None
        query = {
            "filter": {"updated_at": {"start_at": stamp(watermark)}},
            "sort": {"field": "CREATED_AT", "order": "ASC"},
        }
        changed = 0
        chain = self._service.cursor_chain()
        cursor: str | None = None
        while True:
            page = await self._page(query, cursor)
            customers = self._fresh(page.customers)
            changed += await store.upsert(customers)
            cursor = chain.follow(page.cursor)
            if cursor is None:
                break
        await store.set_meta(watermark=(started - self.LAG_MARGIN).isoformat())
        if self._own_writes_settling():
            return changed
        changed += await self.reconcile()
        return changed

    def _own_writes_settling(self) -> bool:
        last = self._last_own_write
        return last is not None and self._clock() - last < self.LAG_MARGIN

    async def _square_count(self, start: str | None, stop: str | None) -> int:
        query = None if start is None and stop is None else window_query(start, stop)
        self.reconcile_requests += 1
        page = await self._page(query, limit=1, count=True)
        return page.count if page.count is not None else -1

    async def reconcile(self) -> int:
        """Find customers deleted (or missed) elsewhere by comparing counts, refetching
        only the ``created_at`` windows that differ. Returns how many changed."""
        self.reconcile_requests = 0
        square = await self._square_count(None, None)
        if square < 0:
            return 0
        await self.store.set_meta(square_count=square)
        if square == self.store.count():
            return 0
        log.info("directory: Square counts %d customers, the store %d", square, self.count)
        return await self._bisect(None, None, square)

    async def _bisect(self, start: str | None, stop: str | None, square: int) -> int:
        store = self.store
        mine = store.count_between(start, stop)
        if mine == square:
            return 0
        if mine <= REFETCH_AT or square <= REFETCH_AT:
            return await self._refetch(start, stop)
        middle = store.created_at_rank(start, stop, mine // 2)
        if middle is None or middle == start:
            return await self._refetch(start, stop)
        left = await self._square_count(start, middle)
        if left < 0:
            return await self._refetch(start, stop)
        changed = await self._bisect(start, middle, left)
        return changed + await self._bisect(middle, stop, square - left)

    async def _refetch(self, start: str | None, stop: str | None) -> int:
        """Every customer Square lists in the window; those the store holds there and
        Square does not are dropped."""
        query = window_query(start, stop)
        chain = self._service.cursor_chain()
        cursor: str | None = None
        seen: set[str] = set()
        changed = 0
        while True:
            self.reconcile_requests += 1
            page = await self._page(query, cursor, limit=PAGE)
            seen.update(customer.id for customer in page.customers)
            customers = self._fresh(page.customers)
            changed += await self.store.upsert(customers)
            cursor = chain.follow(page.cursor)
            if cursor is None:
                break
        missing = [cid for cid in self.store.ids_between(start, stop) if cid not in seen]

        def drop(w: Writer) -> int:
            return w.delete(missing)

        return changed + (await self.store.write(drop) if missing else 0)
