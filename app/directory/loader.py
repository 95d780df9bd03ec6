"""The directory's load and refresh: every customer fetched into a local index, kept fresh.

Loading: one SearchCustomers request sorted by ``created_at`` ascending (with ``count``)
and one descending give the total, the oldest and newest hundred and the span of
``created_at`` in between. That span is cut into windows fetched by a few concurrent
workers, each following its window's cursor chain; when a worker has more pages to go
while another worker is idle, it cuts the rest of its window in two and hands the later
half over (a new query, so nothing is fetched twice). A directory of any shape thus loads
about ``concurrency`` times faster than one cursor chain. Each window follows its cursors
through the service's :class:`~app.square.CursorChain`, and the whole load shares one page
ceiling, so a server whose cursors cycle or never end stops the load with a
``PaginationError``.

Freshness: :meth:`DirectoryLoader.refresh` asks for customers with ``updated_at``
since the last watermark minus a margin (Square's lists lag behind writes by up to a
minute), and compares Square's count with the local one: when they still differ once the
app's own writes have had time to show, some customers were deleted elsewhere, and the
directory is reloaded (a full reconcile). The app's own writes are applied at once with
:meth:`~DirectoryLoader.apply` and :meth:`~DirectoryLoader.remove`; a screen that
meets a ``NotFoundError`` for a customer should ``remove`` it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.directory.index import WordIndex
from app.directory.query import format_time
from app.square import Customer, CustomerPage

if TYPE_CHECKING:
    from app.square import SquareService

__all__ = ["PAGE", "Clock", "DirectoryLoader", "LoadProgress", "ProgressCallback"]

log = logging.getLogger(__name__)

PAGE = 100


@dataclass(frozen=True)
class LoadProgress:
    """How far a load has come: customers held, Square's total (``None`` until known)
    and pages fetched."""

    loaded: int
    total: int | None
    pages: int


ProgressCallback = Callable[[LoadProgress], None]
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DirectoryLoader:
    """The seller's customers held locally: loaded, kept fresh, and the app's own writes
    applied at once. :class:`~app.directory.router.CustomerDirectory` adds the search."""

    LAG_MARGIN = timedelta(minutes=2)
    """How far back a refresh looks before its watermark: Square lists lag writes by up
    to a minute; the rest allows for clock skew."""

    def __init__(
        self,
        service: SquareService,
        *,
        concurrency: int = 8,
        clock: Clock | None = None,
    ) -> None:
        self._service = service
        self._concurrency = max(1, concurrency)
        self._clock: Clock = clock or _utcnow
        self._index = _new_index()
        self._build_task: asyncio.Task[None] | None = None
        self._loaded = False
        self._load_lock = asyncio.Lock()
        self._watermark: datetime | None = None
        self._journal: list[tuple[str, Customer | str]] | None = None
        self._gone: dict[str, float] = {}
        self._last_own_write: datetime | None = None

    # -- state ---------------------------------------------------------------------------

    @property
    def count(self) -> int:
        """How many customers the directory holds."""
        return len(self._index)

    @property
    def loaded(self) -> bool:
        """Whether a full load has completed."""
        return self._loaded

    @property
    def watermark(self) -> datetime | None:
        """The next refresh asks for customers updated since this instant."""
        return self._watermark

    def get(self, customer_id: str) -> Customer | None:
        return self._index.get(customer_id)

    # -- the app's own writes --------------------------------------------------------

    def apply(self, customer: Customer) -> None:
        """A customer the app just created or updated: searchable at once."""
        self._last_own_write = self._clock()
        if customer.id in self._gone:
            return
        self._index.upsert(customer)
        if self._journal is not None:
            self._journal.append(("apply", customer))
        self._maybe_build()

    def remove(self, customer_id: str) -> None:
        """A customer the app deleted (or met a 404 for): gone from results at once, and
        not brought back by a lagging list."""
        self._last_own_write = self._clock()
        self._gone[customer_id] = time.monotonic()
        if len(self._gone) > 10_000:
            oldest = sorted(self._gone, key=self._gone.__getitem__)[:5_000]
            for key in oldest:
                del self._gone[key]
        self._index.remove(customer_id)
        if self._journal is not None:
            self._journal.append(("remove", customer_id))

    def _maybe_build(self) -> None:
        """Fold a grown delta into the base, in the background (never while loading:
        the load builds once at its end)."""
        index = self._index
        if not index.needs_build or index.building or self._journal is not None:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            index.build()
            return
        self._build_task = asyncio.create_task(index.build_in_background())

    def _ingest(self, index: WordIndex, customers: Iterable[Customer]) -> int:
        changed = 0
        gone = self._gone
        for customer in customers:
            if customer.id not in gone and index.upsert(customer):
                changed += 1
        return changed

    # -- load ----------------------------------------------------------------------------

    async def load(self, on_progress: ProgressCallback | None = None) -> None:
        """Load (or reload) every customer. The first load fills the directory as it goes,
        so searches see customers arrive; a reload fills a fresh index and swaps it in."""
        await self._load(on_progress)

    async def _load(self, on_progress: ProgressCallback | None) -> tuple[int, int]:
        """(customers changed or added, customers dropped) compared with before."""
        async with self._load_lock:
            started = self._clock()
            old = self._index
            fresh = _new_index()
            if not self._loaded:
                self._index = fresh
            self._journal = []
            try:
                await self._fetch_all(fresh, on_progress)
                await fresh.build_in_background()
                for _action, item in self._journal:
                    if isinstance(item, Customer):
                        fresh.upsert(item)
                    else:
                        fresh.remove(item)
            finally:
                self._journal = None
            dropped = 0
            changed = 0
            if old is not fresh:
                dropped = sum(1 for cid in old.ids() if cid not in fresh)
                changed = sum(
                    1 for cid in fresh.ids() if old.version_of(cid) != fresh.version_of(cid)
                )
            else:
                changed = len(fresh)
            self._index = fresh
            self._loaded = True
            self._watermark = started - self.LAG_MARGIN
            return changed, dropped

    async def _search_page(
        self, query: dict[str, Any], cursor: str | None = None, count: bool = False
    ) -> CustomerPage:
        return await self._service.search_customers(query, cursor=cursor, limit=PAGE, count=count)

    async def _fetch_all(self, index: WordIndex, on_progress: ProgressCallback | None) -> None:
        pages = 0
        total: int | None = None

        def progressed() -> None:
            if on_progress is not None:
                on_progress(LoadProgress(loaded=len(index), total=total, pages=pages))

        progressed()
        oldest, newest = await asyncio.gather(
            self._search_page({"sort": {"field": "CREATED_AT", "order": "ASC"}}, count=True),
            self._search_page({"sort": {"field": "CREATED_AT", "order": "DESC"}}),
        )
        pages = 2
        total = oldest.count
        self._ingest(index, oldest.customers)
        self._ingest(index, newest.customers)
        progressed()
        if not oldest.cursor or not newest.customers:
            return
        lo = _utc(oldest.customers[-1].created_at)
        hi = _utc(newest.customers[-1].created_at)
        budget = self._service.cursor_chain()  # the whole load's page ceiling
        if lo is not None and hi is not None and lo > hi:
            return  # the two pages overlap: everyone is loaded
        if lo is None or hi is None:
            # No usable span to cut (timestamps missing or absurd): follow the oldest-first
            # chain to its end instead, one page at a time.
            chain = self._service.cursor_chain()
            query = {"sort": {"field": "CREATED_AT", "order": "ASC"}}
            cursor = chain.follow(oldest.cursor)
            while cursor is not None:
                page = await self._search_page(query, cursor)
                pages += 1
                budget.count()
                self._ingest(index, page.customers)
                progressed()
                cursor = chain.follow(page.cursor)
            return
        end = hi + timedelta(milliseconds=1)
        remaining = max(0, (total or 0) - len(index))
        windows = max(1, min(math.ceil(remaining / (2 * PAGE)), 4 * self._concurrency))
        queue: asyncio.Queue[tuple[datetime, datetime]] = asyncio.Queue()
        step = (end - lo) / windows
        cuts = [_ms_floor(lo + step * n) for n in range(windows)] + [_ms(end)]
        for w_start, w_end in itertools.pairwise(cuts):
            if w_start < w_end:
                queue.put_nowait((w_start, w_end))
        idle = 0

        async def run_window(start: datetime, stop: datetime) -> None:
            nonlocal pages
            query = _window_query(start, stop)
            chain = self._service.cursor_chain()
            cursor: str | None = None
            while True:
                page = await self._search_page(query, cursor)
                pages += 1
                budget.count()
                self._ingest(index, page.customers)
                progressed()
                if not page.cursor or not page.customers:
                    return
                last = _utc(page.customers[-1].created_at)
                if (
                    idle > 0
                    and queue.empty()
                    and last is not None
                    and last > start
                    and stop - last > timedelta(milliseconds=2)
                ):
                    mid = _ms(last + (stop - last) / 2)
                    if last < mid < stop:
                        queue.put_nowait((mid, stop))
                        start, stop = _ms_floor(last), mid
                        query = _window_query(start, stop)
                        chain.restart()
                        cursor = None
                        continue
                cursor = chain.follow(page.cursor)

        async def worker() -> None:
            nonlocal idle
            while True:
                idle += 1
                try:
                    start, stop = await queue.get()
                finally:
                    idle -= 1
                try:
                    await run_window(start, stop)
                finally:
                    queue.task_done()

        workers = [asyncio.create_task(worker()) for _ in range(self._concurrency)]
        joined = asyncio.create_task(queue.join())
        try:
            done, _ = await asyncio.wait([joined, *workers], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task is not joined:
                    task.result()  # a worker only ends by failing: raise its error
        finally:
            for task in [joined, *workers]:
                task.cancel()
            await asyncio.gather(joined, *workers, return_exceptions=True)

    # -- refresh -------------------------------------------------------------------------

    async def refresh(self) -> int:
        """Apply what changed on Square since the last load or refresh; returns how many
        customers changed (added, updated or dropped). Before any load: a full load."""
        if not self._loaded or self._watermark is None:
            changed, dropped = await self._load(None)
            return changed + dropped
        started = self._clock()
        query = {
            "filter": {"updated_at": {"start_at": format_time(self._watermark)}},
            "sort": {"field": "CREATED_AT", "order": "ASC"},
        }
        changed = 0
        async for page in self._service.iter_search_pages(query, limit=PAGE):
            changed += self._ingest(self._index, page.customers)
        self._watermark = started - self.LAG_MARGIN
        self._maybe_build()
        if await self._needs_reconcile():
            log.info("directory: Square's count differs from ours; reconciling")
            _, dropped = await self._load(None)
            changed += dropped
        return changed

    async def _needs_reconcile(self) -> bool:
        """Deleted elsewhere? A refresh cannot see deletions, but Square's count can."""
        last = self._last_own_write
        if last is not None and self._clock() - last < self.LAG_MARGIN:
            return False
        page = await self._service.search_customers(None, limit=1, count=True)
        return page.count is not None and page.count != len(self._index)


def _new_index() -> WordIndex:
    index = WordIndex()
    index.auto_build = False  # the directory builds in the background instead
    return index


SANE_TIMES = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC))
"""Timestamps outside this span (a server's nonsense) are not used to cut windows."""


def _utc(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC (naive counts as UTC), or ``None`` when absent or absurd."""
    if moment is None:
        return None
    try:
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return moment if SANE_TIMES[0] <= moment <= SANE_TIMES[1] else None


def _ms(moment: datetime) -> datetime:
    """Rounded up to the millisecond (Square's timestamps have milliseconds)."""
    floor = _ms_floor(moment)
    return floor if floor == moment else floor + timedelta(milliseconds=1)


def _ms_floor(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _window_query(start: datetime, stop: datetime) -> dict[str, Any]:
    return {
        "filter": {"created_at": {"start_at": format_time(start), "end_at": format_time(stop)}},
        "sort": {"field": "CREATED_AT", "order": "ASC"},
    }
