"""The customer directory: a local index of the seller's customers, kept fresh, and the
search bar's router.

Square's SearchCustomers cannot search by name, so the directory loads every customer
into a :class:`~app.index.CustomerIndex` and answers name queries from it, while email,
phone and reference queries (and the search bar's operators) also go to SearchCustomers.

Loading: one SearchCustomers request sorted by ``created_at`` ascending (with ``count``)
and one descending give the total, the oldest and newest hundred and the span of
``created_at`` in between. That span is cut into windows fetched by a few concurrent
workers, each following its window's cursor chain; when a worker has more pages to go
while another worker is idle, it cuts the rest of its window in two and hands the later
half over (a new query, so nothing is fetched twice). A directory of any shape thus loads
about ``concurrency`` times faster than one cursor chain. Each window follows its cursors
through the service's :class:`~app.service.CursorChain`, and the whole load shares one page
ceiling, so a server whose cursors cycle or never end stops the load with a
``PaginationError``.

Freshness: :meth:`CustomerDirectory.refresh` asks for customers with ``updated_at``
since the last watermark minus a margin (Square's lists lag behind writes by up to a
minute), and compares Square's count with the local one: when they still differ once the
app's own writes have had time to show, some customers were deleted elsewhere, and the
directory is reloaded (a full reconcile). The app's own writes are applied at once with
:meth:`~CustomerDirectory.apply` and :meth:`~CustomerDirectory.remove`; a screen that
meets a ``NotFoundError`` for a customer should ``remove`` it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.index import CustomerIndex, CustomerList, fold, national_digits
from app.models import Customer, CustomerPage
from app.search_query import ParsedQuery, QueryError, format_time, parse_query
from app.service import NotFoundError, SquareError

if TYPE_CHECKING:
    from app.service import SquareService

__all__ = ["CustomerDirectory", "LoadProgress", "SearchResults"]

log = logging.getLogger(__name__)

PAGE = 100


@dataclass(frozen=True)
class LoadProgress:
    """How far a load has come: customers held, Square's total (``None`` until known)
    and pages fetched."""

    loaded: int
    total: int | None
    pages: int


@dataclass(frozen=True)
class SearchResults:
    """A ranked answer: at most ``limit`` customers, ``total`` matches in all.

    ``customers`` is a :class:`~app.index.CustomerList`: a read-only sequence whose
    customers are built from the index the first time each is read, so read only the rows
    you show (``customers.ids`` has every id without building any).
    ``source`` says where they came from: ``"index"`` (local only), ``"api"`` (only
    SearchCustomers), ``"index+api"`` (both, merged), or ``"none"`` (nothing was asked:
    a malformed query). ``error`` is a message for the agent when part of the search failed
    or was refused; whatever could still be found is in ``customers``."""

    customers: CustomerList
    total: int
    source: str
    error: str | None = None


@dataclass
class _NameCache:
    by_name: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    fetched_at: float | None = None


ProgressCallback = Callable[[LoadProgress], None]
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CustomerDirectory:
    """The seller's customers, held locally and searchable as the agent types."""

    LAG_MARGIN = timedelta(minutes=2)
    """How far back a refresh looks before its watermark: Square lists lag writes by up
    to a minute; the rest allows for clock skew."""

    MAX_FILTER_PAGES = 20
    """With operators *and* words, how many API pages are filtered locally at most."""

    NAME_CACHE_SECONDS = 60.0

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
        self._groups = _NameCache()
        self._segments = _NameCache()

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

    def _ingest(self, index: CustomerIndex, customers: Iterable[Customer]) -> int:
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

    async def _fetch_all(self, index: CustomerIndex, on_progress: ProgressCallback | None) -> None:
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

    # -- search --------------------------------------------------------------------------

    async def search(self, text: str, limit: int = 200) -> SearchResults:
        """Search the directory (see :mod:`app.search_query` for the language)."""
        limit = max(1, limit)
        try:
            query = parse_query(text)
        except QueryError as err:
            return SearchResults(CustomerList.of(()), 0, "none", str(err))
        if query.has_operators:
            return await self._search_api(query, limit)
        if query.kind == "empty" and not self._loaded:
            return await self._search_everyone_api(limit)
        return await self._search_index(query, limit)

    async def _search_everyone_api(self, limit: int) -> SearchResults:
        """Before the load completes: the first page in DEFAULT order, from Square."""
        try:
            page = await self._service.search_customers(
                {"sort": {"field": "DEFAULT", "order": "ASC"}}, limit=min(limit, PAGE), count=True
            )
        except SquareError as err:
            hits = self._index.search([], limit)
            return SearchResults(hits.customers, hits.total, "index", str(err))
        customers = page.customers[:limit]
        total = page.count if page.count is not None else len(customers)
        return SearchResults(CustomerList.of(customers), total, "api")

    async def _search_index(self, query: ParsedQuery, limit: int) -> SearchResults:
        index = self._index
        exact_ids: list[str] = []
        error: str | None = None
        api: list[Customer] = []
        api_count: int | None = None
        source = "index"
        if query.exact_id:
            if query.exact_id in index:
                exact_ids.append(query.exact_id)
            else:
                try:
                    api.append(await self._service.retrieve_customer(query.exact_id))
                except NotFoundError:
                    pass
                except SquareError as err:
                    error = str(err)
                source = "index+api"
        api_filter: dict[str, Any] | None = None
        if query.kind == "email":
            api_filter = {"email_address": {"fuzzy": _fuzzy(query.text)}}
        elif query.kind == "phone":
            api_filter = {"phone_number": {"fuzzy": query.text}}
        if api_filter is not None:
            source = "index+api"
            try:
                page = await self._service.search_customers(
                    {"filter": api_filter, "sort": {"field": "DEFAULT", "order": "ASC"}},
                    limit=min(PAGE, limit),
                    count=True,
                )
                api.extend(page.customers)
                api_count = page.count
            except SquareError as err:
                error = str(err)
        probe = max(limit, 256) if (query.exact_email or query.exact_phone) else limit
        hits = index.search(query.words, probe, exact_ids)
        if not api and probe == limit:
            # Only the index answered, and it ranks as we would: nothing to merge.
            return SearchResults(hits.customers, hits.total, source, error)
        ranked: dict[str, tuple[int, bytes, Customer]] = {}
        for customer, group in zip(hits.customers, hits.groups, strict=True):
            if group > 0 and _is_exact(customer, query):
                group = 0
            ranked[customer.id] = (group, index.sort_key(customer), customer)
        extra = 0
        for customer in api:
            if customer.id in self._gone:
                continue
            held = index.version_of(customer.id)
            if held is not None and customer.version > held:
                index.upsert(customer)  # Square has news: keep it
                self._maybe_build()
            every, named = index.matches(customer, query.words)
            if (held is None or not every) and customer.id not in ranked:
                extra += 1
            group = (
                0
                if _is_exact(customer, query) or customer.id == query.exact_id
                else (1 if named else 2)
            )
            current = ranked.get(customer.id)
            if current is None or group < current[0] or customer.version > current[2].version:
                best = min(group, current[0]) if current else group
                ranked[customer.id] = (best, index.sort_key(customer), customer)
        ordered = sorted(ranked.values(), key=lambda item: (item[0], item[1]))
        customers = CustomerList.of(item[2] for item in ordered[:limit])
        total = hits.total + extra
        if api_count is not None:
            total = max(total, api_count)
        return SearchResults(customers, total, source, error)

    async def _search_api(self, query: ParsedQuery, limit: int) -> SearchResults:
        """Operators: SearchCustomers with their filters; words filter its answers."""
        flt = dict(query.filter)
        try:
            for key, cache, names_of in (
                ("group_ids", self._groups, query.groups),
                ("segment_ids", self._segments, query.segments),
            ):
                if not names_of:
                    continue
                resolved: dict[str, list[str]] = {}
                for rule, names in names_of.items():
                    for name in names:
                        known = await self._resolve(cache, key, name)
                        if known.startswith("!"):
                            return SearchResults(CustomerList.of(()), 0, "none", known[1:])
                        resolved.setdefault(rule, []).append(known)
                if key == "segment_ids" and sum(len(v) for v in resolved.values()) > 3:
                    return SearchResults(
                        CustomerList.of(()), 0, "none", "segment: at most 3 segments at once"
                    )
                flt[key] = resolved
        except SquareError as err:
            return SearchResults(
                CustomerList.of(()), 0, "none", f"could not list {key.split('_')[0]}s: {err}"
            )
        body = {"filter": flt, "sort": {"field": "DEFAULT", "order": "ASC"}}
        words = query.words
        index = self._index
        found: list[tuple[int, bytes, Customer]] = []
        api_count: int | None = None
        cursor: str | None = None
        chain = self._service.cursor_chain()
        pages = 0
        scanned = 0
        error: str | None = None
        try:
            while True:
                page = await self._service.search_customers(
                    body, cursor=cursor, limit=PAGE, count=pages == 0
                )
                if pages == 0:
                    api_count = page.count
                pages += 1
                for customer in page.customers:
                    scanned += 1
                    if customer.id in self._gone:
                        continue
                    every, named = index.matches(customer, words) if words else (True, True)
                    if not every:
                        continue
                    group = 0 if _is_exact(customer, query) else (1 if named and words else 2)
                    found.append((group, index.sort_key(customer), customer))
                cursor = chain.follow(page.cursor)
                if not cursor:
                    break
                if not words and len(found) >= limit:
                    break
                if words and (len(found) >= limit or pages >= self.MAX_FILTER_PAGES):
                    if pages >= self.MAX_FILTER_PAGES and len(found) < limit:
                        error = (
                            f"showing matches among the first {scanned:,} of "
                            f"{api_count or scanned:,} customers the operators select: "
                            "narrow the search"
                        )
                    break
        except SquareError as err:
            error = str(err)
        found.sort(key=lambda item: (item[0], item[1]))
        customers = CustomerList.of(item[2] for item in found[:limit])
        total = len(found) if words or api_count is None else api_count
        return SearchResults(customers, total, "api", error)

    async def _resolve(self, cache: _NameCache, key: str, name: str) -> str:
        """A group / segment id by name (folded; a unique prefix will do), or ``"!message"``."""
        kind = "group" if key == "group_ids" else "segment"
        wanted = fold(name).strip()
        now = time.monotonic()
        for attempt in range(2):
            fresh = (
                cache.fetched_at is not None and now - cache.fetched_at < self.NAME_CACHE_SECONDS
            )
            if cache.fetched_at is None or (attempt == 1 and not fresh):
                await self._fetch_names(cache, kind)
            elif attempt == 1:
                break
            if wanted in cache.by_name:
                return cache.by_name[wanted]
            starting = [n for n in cache.by_name if n.startswith(wanted)]
            if len(starting) == 1:
                return cache.by_name[starting[0]]
            if len(starting) > 1:
                options = ", ".join(sorted(cache.names[n] for n in starting)[:6])
                return f"!{kind}: {name!r} could be {options}"
        known = ", ".join(sorted(cache.names.values())[:8]) or "none"
        return f"!{kind}: no customer {kind} named {name!r} (known: {known})"

    async def _fetch_names(self, cache: _NameCache, kind: str) -> None:
        by_name: dict[str, str] = {}
        names: dict[str, str] = {}
        if kind == "group":
            async for group in self._service.iter_customer_groups():
                by_name[fold(group.name).strip()] = group.id
                names[fold(group.name).strip()] = group.name
        else:
            async for segment in self._service.iter_customer_segments():
                by_name[fold(segment.name).strip()] = segment.id
                names[fold(segment.name).strip()] = segment.name
        cache.by_name, cache.names = by_name, names
        cache.fetched_at = time.monotonic()


def _new_index() -> CustomerIndex:
    index = CustomerIndex()
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


def _fuzzy(text: str) -> str:
    import re

    return " ".join(part for part in re.split(r"[\W_]+", text) if part)


def _is_exact(customer: Customer, query: ParsedQuery) -> bool:
    if query.exact_id and customer.id == query.exact_id:
        return True
    email, phone = customer.email_address, customer.phone_number
    if query.exact_email and email and fold(email.strip()) == query.exact_email:
        return True
    return bool(query.exact_phone and phone and national_digits(phone) == query.exact_phone)
