"""Search routing: which queries the local index answers, which ask Square, and the merge.

Square's SearchCustomers cannot search by name, so the directory answers name queries
from its :class:`~app.directory.index.WordIndex`, while email, phone and reference
queries (and the search bar's operators) also go to SearchCustomers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.directory.folding import fold, national_digits
from app.directory.loader import PAGE, Clock, DirectoryLoader
from app.directory.query import ParsedQuery, QueryError, parse_query
from app.directory.results import CustomerList, SearchResults
from app.square import Customer, NotFoundError, SquareError

if TYPE_CHECKING:
    from app.square import CustomAttributeDefinition, SquareService

__all__ = ["CustomerDirectory"]


@dataclass
class _NameCache:
    by_name: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    fetched_at: float | None = None


class CustomerDirectory(DirectoryLoader):
    """The seller's customers, held locally and searchable as the agent types."""

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
        super().__init__(service, concurrency=concurrency, clock=clock)
        self._groups = _NameCache()
        self._segments = _NameCache()
        self._fields: tuple[float, list[CustomAttributeDefinition]] | None = None
        self._parsed: tuple[str, ParsedQuery | QueryError] | None = None

    # -- search --------------------------------------------------------------------------

    def parse(self, text: str) -> ParsedQuery | QueryError:
        """``text`` parsed (or why it cannot be); the last text's parse is kept, so that
        :meth:`asks_square` and :meth:`search` on the same text parse it once."""
        last = self._parsed
        if last is not None and last[0] == text:
            return last[1]
        parsed: ParsedQuery | QueryError
        try:
            parsed = parse_query(text)
        except QueryError as err:
            parsed = err
        self._parsed = (text, parsed)
        return parsed

    def asks_square(self, text: str) -> bool:
        """Whether answering ``text`` needs SearchCustomers (see
        :attr:`ParsedQuery.asks_square`); a malformed query asks nothing."""
        query = self.parse(text)
        return not isinstance(query, QueryError) and query.asks_square

    async def search(self, text: str, limit: int = 200) -> SearchResults:
        """Search the directory (see :mod:`app.directory.query` for the language)."""
        limit = max(1, limit)
        query = self.parse(text)
        if isinstance(query, QueryError):
            return SearchResults(CustomerList.of(()), 0, "none", str(query))
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
        if query.fields:
            try:
                flt["custom_attribute"] = {"filters": await self._field_filters(query.fields)}
            except QueryError as err:
                return SearchResults(CustomerList.of(()), 0, "none", str(err))
            except SquareError as err:
                message = f"could not list the custom fields: {err}"
                return SearchResults(CustomerList.of(()), 0, "none", message)
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

    async def _field_filters(self, terms: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """``field:NAME=VALUE`` terms as ``custom_attribute`` filters (names resolved to
        keys through the definitions, cached like group names)."""
        from app.directory.field_filter import EVER, field_filter

        out: list[dict[str, Any]] = []
        for name, value in terms:
            definition = await self._resolve_field(name)
            shown = definition.name or definition.key
            if not value:
                out.append({"key": definition.key, "updated_at": {"start_at": EVER}})
                continue
            options = [o.name for o in definition.options]
            kind = definition.attribute_type
            flt = field_filter(shown, kind, value, options)
            out.append({"key": definition.key, "filter": flt})
        if len({f["key"] for f in out}) < len(out):
            raise QueryError("field: one condition per custom field")
        return out

    async def _resolve_field(self, name: str) -> CustomAttributeDefinition:
        wanted = fold(name).strip()
        for attempt in range(2):
            cached = self._fields
            fresh = cached is not None and time.monotonic() - cached[0] < self.NAME_CACHE_SECONDS
            if cached is None or (attempt == 1 and not fresh):
                found = [d async for d in self._service.iter_custom_attribute_definitions()]
                cached = self._fields = (time.monotonic(), found)
            elif attempt == 1:
                break
            definitions = cached[1]
            by_name = {fold(d.name or d.key).strip(): d for d in definitions}
            exact = by_name.get(wanted) or next((d for d in definitions if d.key == name), None)
            if exact is not None:
                return exact
            starting = [d for n, d in by_name.items() if n.startswith(wanted)]
            if not starting:  # the start of a word of the name will do: "drink", "dri"
                starting = [
                    d for n, d in by_name.items() if any(w.startswith(wanted) for w in n.split())
                ]
            if len(starting) == 1:
                return starting[0]
            if len(starting) > 1:
                options = ", ".join(sorted(d.name or d.key for d in starting)[:6])
                raise QueryError(f"field: {name!r} could be {options}")
        known = ", ".join(sorted(d.name or d.key for d in (self._fields or (0, []))[1])[:8])
        raise QueryError(f"field: no custom field named {name!r} (known: {known or 'none'})")

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
