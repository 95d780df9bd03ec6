"""Searches with operators (``group:``, ``created:``…): SearchCustomers with their
filters, group and segment names resolved, the typed words filtering Square's answers."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.directory.answers import Answer
from app.directory.documents import key_of, matches
from app.directory.folding import fold, national_digits
from app.directory.query import ParsedQuery, QueryError
from app.directory.results import SearchResults
from app.square import Customer, SquareError

if TYPE_CHECKING:
    from app.square import CustomAttributeDefinition, SquareService

__all__ = ["OperatorSearch", "is_exact"]

PAGE = 100


@dataclass
class _NameCache:
    by_name: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    fetched_at: float | None = None


class OperatorSearch:
    """Operator searches against SearchCustomers, for one service."""

    MAX_FILTER_PAGES = 20
    """With operators *and* words, how many API pages are filtered locally at most."""

    NAME_CACHE_SECONDS = 60.0

    def __init__(self, service: SquareService, gone: Mapping[str, float]) -> None:
        self._service = service
        self._gone = gone
        self._groups = _NameCache()
        self._segments = _NameCache()
        self._fields: tuple[float, list[CustomAttributeDefinition]] | None = None

    async def search(self, query: ParsedQuery, limit: int) -> SearchResults:
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
                            return SearchResults(Answer.of(()), 0, "none", known[1:])
                        resolved.setdefault(rule, []).append(known)
                if key == "segment_ids" and sum(len(v) for v in resolved.values()) > 3:
                    return SearchResults(
                        Answer.of(()), 0, "none", "segment: at most 3 segments at once"
                    )
                flt[key] = resolved
        except SquareError as err:
            return SearchResults(
                Answer.of(()), 0, "none", f"could not list {key.split('_')[0]}s: {err}"
            )
        if query.fields:
            try:
                flt["custom_attribute"] = {"filters": await self._field_filters(query.fields)}
            except QueryError as err:
                return SearchResults(Answer.of(()), 0, "none", str(err))
            except SquareError as err:
                message = f"could not list the custom fields: {err}"
                return SearchResults(Answer.of(()), 0, "none", message)
        body = {"filter": flt, "sort": {"field": "DEFAULT", "order": "ASC"}}
        words = query.words
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
                    every, named = matches(customer, words) if words else (True, True)
                    if not every:
                        continue
                    group = 0 if is_exact(customer, query) else (1 if named and words else 2)
                    found.append((group, key_of(customer), customer))
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
        customers = Answer.of([item[2] for item in found[:limit]])
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
            flt = field_filter(shown, definition.attribute_type, value, options)
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


def is_exact(customer: Customer, query: ParsedQuery) -> bool:
    """Whether ``customer`` is exactly what ``query`` names (id, email or phone)."""
    if query.exact_id and customer.id == query.exact_id:
        return True
    email, phone = customer.email_address, customer.phone_number
    if query.exact_email and email and fold(email.strip()) == query.exact_email:
        return True
    return bool(query.exact_phone and phone and national_digits(phone) == query.exact_phone)
