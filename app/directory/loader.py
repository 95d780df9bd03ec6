"""The cold load: every customer into the store, in concurrent ``created_at`` windows,
paced under Square's rate limit, resumable from its checkpoint.

Square's SearchCustomers filters on ``created_at`` and sorts by it, so the load first
asks for the oldest customers (with the count) and the newest, then cuts the span in
between into windows fetched by a few workers, each following its window's cursor
chain; when a worker has pages to go while another is idle, it hands the later half of
its window over (a new query, so nothing is fetched twice).

Every page is written with the checkpoint — the windows still to fetch and how far each
has come — in one transaction, so a load stopped by anything (a failure, ``r``, a
restart, a kill) resumes where it stopped and refetches nothing it holds, bar the last
customer of each window. Requests are paced by a :class:`~app.directory.pacing.Pacer`
(a 429 slows the load, quiet speeds it up); a rate limit, a server error or a dropped
connection is waited out and retried, for as long as the load still makes progress.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.directory.documents import stamp
from app.directory.pacing import Pacer
from app.directory.progress import Clock, LoadProgress, ProgressCallback, Window
from app.directory.store import DirectoryStore, Writer
from app.directory.windows import middle, plan, window_query
from app.square import (
    Customer,
    CustomerPage,
    NetworkError,
    RateLimitedError,
    ServerError,
    UnreadableAnswerError,
)

if TYPE_CHECKING:
    from app.square import SquareService

__all__ = ["PAGE", "Clock", "DirectoryLoader", "LoadProgress", "ProgressCallback"]


PAGE = 100


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DirectoryLoader:
    """The seller's customers in a store: loaded, resumed, and the app's own writes
    applied at once. :class:`~app.directory.sync.DirectorySync` keeps it fresh and
    :class:`~app.directory.router.CustomerDirectory` searches it."""

    LAG_MARGIN = timedelta(minutes=2)
    """How far back a sync looks before its watermark: Square lists lag writes by up to
    a minute; the rest allows for clock skew."""
    MAX_FAILURES = 8
    """Consecutive failed requests (no page in between) before a load gives up."""
    LONG_WAIT = 5.0
    """A ``Retry-After`` longer than this pauses every request of the load, not one."""
    MAX_STALL = 900.0
    """Seconds without a page, rate-limited, before a load gives up."""

    def __init__(
        self,
        service: SquareService,
        *,
        store: DirectoryStore | None = None,
        concurrency: int = 8,
        clock: Clock | None = None,
    ) -> None:
        self._service = service
        self._store = store
        self._concurrency = max(1, concurrency)
        self._clock: Clock = clock or _utcnow
        self._load_lock = asyncio.Lock()
        self._gone: dict[str, float] = {}
        self._last_own_write: datetime | None = None
        self._failures = 0
        self._last_page = time.monotonic()
        self.pacer = Pacer()
        self._rng = random.Random()

    # -- the store -----------------------------------------------------------------------

    @property
    def store(self) -> DirectoryStore:
        """The store (an in-memory one unless one was given or opened)."""
        if self._store is None:
            self._store = DirectoryStore(None)
        return self._store

    def use_store(self, store: DirectoryStore) -> None:
        """Search and load ``store`` from now on (the previous one is closed)."""
        old, self._store = self._store, store
        if old is not None and old is not store:
            old.close()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    @property
    def count(self) -> int:
        """How many customers the directory holds."""
        return self.store.count()

    @property
    def loaded(self) -> bool:
        """Whether the store holds every customer (a load has completed)."""
        return self.store.meta("load_state") == "done"

    @property
    def total(self) -> int | None:
        """Square's count of the seller's customers, as last seen."""
        value = self.store.meta("square_count")
        return int(value) if value is not None else None

    @property
    def watermark(self) -> datetime | None:
        """The next sync asks for customers updated since this instant."""
        value = self.store.meta("watermark")
        return datetime.fromisoformat(value) if value else None

    def get(self, customer_id: str) -> Customer | None:
        return None if customer_id in self._gone else self.store.get(customer_id)

    # -- the app's own writes --------------------------------------------------------

    def apply(self, customer: Customer) -> None:
        """A customer the app just created or updated: searchable at once."""
        self._last_own_write = self._clock()
        if customer.id in self._gone:
            return
        self.store.write_now(lambda w: w.upsert([customer]))

    def remove(self, customer_id: str) -> None:
        """A customer the app deleted (or met a 404 for): gone from results at once, and
        not brought back by a lagging list."""
        self._last_own_write = self._clock()
        self._gone[customer_id] = time.monotonic()
        if len(self._gone) > 10_000:
            for key in sorted(self._gone, key=self._gone.__getitem__)[:5_000]:
                del self._gone[key]
        self.store.write_now(lambda w: w.delete([customer_id]))

    def _fresh(self, customers: Iterable[Customer]) -> list[Customer]:
        gone = self._gone
        return [customer for customer in customers if customer.id not in gone]

    # -- requests --------------------------------------------------------------------------

    async def _page(
        self,
        query: dict[str, Any] | None,
        cursor: str | None = None,
        *,
        limit: int = PAGE,
        count: bool = False,
    ) -> CustomerPage:
        """One SearchCustomers page, paced; a rate limit, a server error or a lost
        connection is waited out and retried while the load makes progress."""
        pacer = self.pacer
        while True:
            await pacer.turn()
            try:
                page = await self._service.search_customers(
                    query, cursor=cursor, limit=limit, count=count
                )
            except RateLimitedError as err:
                wait = err.retry_after if err.retry_after is not None else 1.0
                long = wait > self.LONG_WAIT
                pacer.rate_limited(err.retry_after, pause=long)
                if time.monotonic() - self._last_page > self.MAX_STALL:
                    raise
                if not long:
                    await asyncio.sleep(max(0.0, wait))
                continue
            except (ServerError, NetworkError) as err:
                if isinstance(err, UnreadableAnswerError):
                    raise
                self._failures += 1
                if self._failures >= self.MAX_FAILURES:
                    raise
                ceiling = min(30.0, 0.5 * 2**self._failures)
                await asyncio.sleep(self._rng.uniform(ceiling / 2, ceiling))
                continue
            pacer.answered()
            self._failures = 0
            self._last_page = time.monotonic()
            return page

    # -- load ----------------------------------------------------------------------------

    async def load(self, on_progress: ProgressCallback | None = None) -> None:
        """Load every customer, or resume the load the checkpoint says is under way."""
        await self._load(on_progress)

    async def _load(self, on_progress: ProgressCallback | None) -> int:
        """Returns how many customers were added."""
        async with self._load_lock:
            if self.loaded:
                return 0
            store = self.store
            listen = self.pacer.rate_limited
            self._service.rate_limit_listeners.append(listen)
            self._last_page = time.monotonic()
            before = store.count()
            try:
                await self._fetch_all(store, on_progress)
            finally:
                with contextlib.suppress(ValueError):
                    self._service.rate_limit_listeners.remove(listen)
            return store.count() - before

    def _progress(self, on_progress: ProgressCallback | None, pages: int) -> None:
        if on_progress is None:
            return
        pacer = self.pacer
        on_progress(
            LoadProgress(
                loaded=self.store.count(),
                total=self.total,
                pages=pages,
                rate=pacer.recent_rate(),
                limited=pacer.limited,
                waiting=pacer.waiting,
            )
        )

    async def _fetch_all(self, store: DirectoryStore, on_progress: ProgressCallback | None) -> None:
        pages = 0
        windows = store.windows() if store.meta("load_state") == "loading" else []
        if not windows:
            self._progress(on_progress, pages)
            started = self._clock()
            oldest, newest = await asyncio.gather(
                self._page({"sort": {"field": "CREATED_AT", "order": "ASC"}}, count=True),
                self._page({"sort": {"field": "CREATED_AT", "order": "DESC"}}),
            )
            pages = 2
            planned = self._plan(oldest, newest)
            if planned is None:  # no span to cut: one chain, oldest first
                await self._one_chain(oldest, newest, started, on_progress)
                return
            windows = plan = planned

            def begin(w: Writer) -> None:
                w.upsert(self._fresh([*oldest.customers, *newest.customers]))
                w.set_windows(plan)
                w.set_meta(
                    load_state="loading",
                    load_started=started.isoformat(),
                    square_count=oldest.count,
                )

            await store.write(begin)
            self._progress(on_progress, pages)
        pages = await self._run_windows(windows, pages, on_progress)
        await self._finish()
        self._progress(on_progress, pages)

    def _plan(self, oldest: CustomerPage, newest: CustomerPage) -> list[Window] | None:
        """The windows between the oldest and the newest page (``None``: no usable span)."""
        if not oldest.cursor or not newest.customers:
            return []
        remaining = max(0, (oldest.count or 0) - 2 * PAGE)
        count = max(1, min(math.ceil(remaining / (2 * PAGE)), 4 * self._concurrency))
        return plan(oldest.customers[-1].created_at, newest.customers[-1].created_at, count)

    async def _one_chain(
        self,
        first: CustomerPage,
        newest: CustomerPage,
        started: datetime,
        on_progress: ProgressCallback | None,
    ) -> None:
        store = self.store
        await store.upsert(self._fresh([*first.customers, *newest.customers]))
        await store.set_meta(square_count=first.count)
        chain = self._service.cursor_chain()
        query = {"sort": {"field": "CREATED_AT", "order": "ASC"}}
        cursor = chain.follow(first.cursor)
        pages = 1
        while cursor is not None:
            page = await self._page(query, cursor)
            pages += 1
            await store.upsert(self._fresh(page.customers))
            self._progress(on_progress, pages)
            cursor = chain.follow(page.cursor)
        await store.set_meta(load_started=started.isoformat())
        await self._finish()

    async def _finish(self) -> None:
        started = self.store.meta("load_started")
        moment = datetime.fromisoformat(started) if started else self._clock()

        def done(w: Writer) -> None:
            w.set_windows(())
            w.set_meta(
                load_state="done",
                watermark=(moment - self.LAG_MARGIN).isoformat(),
                load_started=None,
            )

        await self.store.write(done)

    async def _run_windows(
        self, windows: list[Window], pages: int, on_progress: ProgressCallback | None
    ) -> int:
        store = self.store
        queue: asyncio.Queue[Window] = asyncio.Queue()
        for window in windows:
            queue.put_nowait(window)
        budget = self._service.cursor_chain()  # the whole load's page ceiling
        idle = 0

        async def run_window(key: str, stop: str, done_to: str | None) -> None:
            nonlocal pages
            start = done_to or key
            query = window_query(start, stop)
            chain = self._service.cursor_chain()
            cursor: str | None = None
            while True:
                page = await self._page(query, cursor)
                pages += 1
                budget.count()
                customers = self._fresh(page.customers)
                last = stamp(page.customers[-1].created_at) if page.customers else None
                more = bool(page.cursor and page.customers)
                split: str | None = None
                if more and idle > 0 and queue.empty() and last is not None and last > start:
                    split = middle(last, stop)
                reached = last if last is not None and last >= start else done_to

                def save(
                    w: Writer,
                    stop: str = stop,
                    split: str | None = split,
                    customers: list[Customer] = customers,
                    more: bool = more,
                    reached: str | None = reached,
                ) -> None:
                    w.upsert(customers)
                    if not more:
                        w.window_done(key)
                    elif split is not None:
                        w.window_progress(key, split, reached)
                        w.window_add(split, stop)
                    else:
                        w.window_progress(key, stop, reached)

                await store.write(save)
                self._progress(on_progress, pages)
                if not more:
                    return
                if split is not None:
                    queue.put_nowait((split, stop, None))
                    stop = split
                    start = reached or start
                    query = window_query(start, stop)
                    chain.restart()
                    cursor = None
                    continue
                cursor = chain.follow(page.cursor)

        async def worker() -> None:
            nonlocal idle
            while True:
                idle += 1
                try:
                    key, stop, done_to = await queue.get()
                finally:
                    idle -= 1
                try:
                    await run_window(key, stop, done_to)
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
        return pages
