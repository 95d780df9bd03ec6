"""Search routing: which queries the store answers, which ask Square too, and the merge.

Square's SearchCustomers cannot search by name, so the directory answers name queries
from its store (:mod:`app.directory.ranking`); an email or phone look-alike also asks
SearchCustomers (it finds what a word prefix cannot, such as the middle of an address,
and answers before the load is complete), an unknown id asks RetrieveCustomer, and the
search bar's operators go to SearchCustomers (:mod:`app.directory.operators`). When the
words typed match nothing, the closest spelling known is searched instead and said so
(:mod:`app.directory.fuzzy`). While a load is under way, every answer says how many of
Square's customers it covers.
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any

from app.directory.answers import Answer
from app.directory.documents import key_of, matches
from app.directory.folding import national_digits, phone_digits
from app.directory.fuzzy import Vocabulary
from app.directory.loader import PAGE, Clock
from app.directory.operators import OperatorSearch, is_exact
from app.directory.query import ParsedQuery, QueryError, parse_query
from app.directory.ranking import Sort, rank
from app.directory.results import SearchResults
from app.directory.store import DirectoryStore
from app.directory.sync import DirectorySync
from app.square import Customer, NotFoundError, SquareError

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from app.directory.place import StorePlace
    from app.square import SquareService

__all__ = ["CustomerDirectory"]

PREFETCH_ROWS = 100
"""Rows of a new answer read with the search (a screenful or two: where a table showing
it looks for the customer its cursor was on)."""
PREFETCH_BUILT = 60
"""Customers of a new answer built with the search (more than a tall screenful)."""


class CustomerDirectory(DirectorySync):
    """The seller's customers, kept in a store and searchable as the agent types."""

    def __init__(
        self,
        service: SquareService,
        *,
        store: DirectoryStore | None = None,
        place: StorePlace | None = None,
        concurrency: int = 8,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(service, store=store, concurrency=concurrency, clock=clock)
        self.place = place
        self._operators = OperatorSearch(service, self._gone)
        self._parsed: tuple[str, ParsedQuery | QueryError] | None = None
        self._vocabulary: Vocabulary | None = None

    async def open(self) -> bool:
        """Open the seller's store where ``place`` says (the merchant id as the service
        learnt it from RetrieveTokenStatus); returns whether it already holds customers,
        which searches answer from at once. Without a place or a merchant id the store
        stays in memory."""
        status = self._service.token_status
        merchant = status.merchant_id if status is not None else None
        path = self.place.path_for(merchant) if self.place is not None else None
        if path is not None and (self._store is None or self._store.path != path):
            store = await asyncio.to_thread(DirectoryStore, path)
            if store.meta("merchant_id") is None:
                await store.set_meta(merchant_id=merchant)
            self.use_store(store)
            self._vocabulary = None
        return self.count > 0

    @property
    def persistent(self) -> bool:
        """Whether the store is kept on disk between runs."""
        return self._store is not None and not self._store.in_memory

    @property
    def coverage(self) -> tuple[int, int | None] | None:
        """``(held, Square's count)`` while the store does not hold everyone."""
        return None if self.loaded else (self.count, self.total)

    # -- the duplicate finder's reads ------------------------------------------------------

    async def matching(self) -> list[tuple[Any, ...]]:
        """Every held customer's ``(n, *MATCHING)``: the fields the duplicate rules read
        (:data:`app.directory.store.MATCHING`) without reading any customer whole, in no
        particular order (``n``: what :meth:`customers_at` takes)."""
        return await self.store.matching()

    def customers_at(self, numbers: list[int]) -> list[tuple[int, Customer]]:
        """``(n, customer)`` for these numbers of :meth:`matching`, in DEFAULT order
        (the order of an empty search)."""
        found = self.store.documents_in_order(numbers)
        if not found:
            return []
        customers = _customer_list().validate_json(b"[" + b",".join(d for _, d in found) + b"]")
        return [(n, customer) for (n, _), customer in zip(found, customers, strict=True)]

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

    async def search(
        self, text: str, limit: int | None = None, sort: Sort = "relevance"
    ) -> SearchResults:
        """Search the directory (see :mod:`app.directory.query` for the language): every
        match, ranked (``limit``: at most that many)."""
        query = self.parse(text)
        if isinstance(query, QueryError):
            return SearchResults(Answer.of(()), 0, "none", str(query))
        if query.has_operators:
            return await self._operators.search(query, max(1, limit or 200))
        if query.kind == "empty" and self.count == 0:
            return await self._search_everyone_api(max(1, limit or PAGE))
        results = await self._search_store(query, sort)
        if limit is not None and len(results.customers) > limit:
            answer = Answer.of(results.customers[:limit])
            results = SearchResults(
                answer,
                results.total,
                results.source,
                results.error,
                results.covers,
                results.suggestion,
                results.sort,
            )
        return results

    async def _search_everyone_api(self, limit: int) -> SearchResults:
        """Before anything is held: the first page in DEFAULT order, from Square."""
        try:
            page = await self._service.search_customers(
                {"sort": {"field": "DEFAULT", "order": "ASC"}}, limit=min(limit, PAGE), count=True
            )
        except SquareError as err:
            return SearchResults(Answer.of(()), 0, "index", str(err), self.coverage)
        customers = page.customers[:limit]
        total = page.count if page.count is not None else len(customers)
        return SearchResults(Answer.of(customers), total, "api", None, self.coverage)

    async def _search_store(self, query: ParsedQuery, sort: Sort) -> SearchResults:
        store = self.store
        first: list[Customer] = []
        last: list[Customer] = []
        error: str | None = None
        api_count: int | None = None
        source = "index"
        if query.exact_id and query.exact_id not in store:
            source = "index+api"
            try:
                first.append(await self._service.retrieve_customer(query.exact_id))
            except NotFoundError:
                pass
            except SquareError as err:
                error = str(err)
        api_filter: dict[str, Any] | None = None
        if query.kind == "email":
            api_filter = {
                "email_address": {"exact": query.text}
                if query.exact_email
                else {"fuzzy": _fuzzy(query.text)}
            }
        elif query.kind == "phone":
            api_filter = {"phone_number": {"fuzzy": query.text}}
        if api_filter is not None:
            source = "index+api"
            try:
                page = await self._service.search_customers(
                    {"filter": api_filter, "sort": {"field": "DEFAULT", "order": "ASC"}},
                    limit=PAGE,
                    count=True,
                )
                api_count = page.count
                await self._take(page.customers, query, first, last)
            except SquareError as err:
                error = str(err)
        last.sort(key=key_of)

        def ranked() -> tuple[Answer, str | None]:
            answer = rank(store, query, sort, first=first, last=last)
            suggestion: str | None = None
            if not answer and query.kind == "words" and sort is not None:
                corrected = self._correct(query)
                if corrected is not None:
                    suggestion, fixed = corrected
                    answer = rank(store, fixed, sort)
            answer.prefetch(PREFETCH_ROWS, PREFETCH_BUILT)
            return answer, suggestion

        answer, suggestion = await store.read(ranked)
        total = len(answer)
        if api_count is not None and not self.loaded:
            total = max(total, api_count)
        return SearchResults(answer, total, source, error, self.coverage, suggestion, sort)

    async def _take(
        self,
        found: list[Customer],
        query: ParsedQuery,
        first: list[Customer],
        last: list[Customer],
    ) -> None:
        """Square's answers: exact ones lead, those the store would not find follow."""
        store = self.store
        newer: list[Customer] = []
        digits = national_digits(query.text) if query.kind == "phone" else ""
        for customer in found:
            if customer.id in self._gone or any(c.id == customer.id for c in first):
                continue
            held = store.version_of(customer.id)
            if held is not None and customer.version > held:
                newer.append(customer)  # Square has news: keep it
            if is_exact(customer, query) or customer.id == query.exact_id:
                first.append(customer)
                continue
            if held is not None and matches(customer, query.words)[0]:
                continue  # the store's own tiers have it
            if query.kind == "phone":
                own = phone_digits(customer.phone_number or "")
                if not (own.endswith(digits) or own.endswith(phone_digits(query.text))):
                    continue  # digits in the middle of a number do not count
            last.append(customer)
        if newer:
            await store.upsert(newer)

    def _correct(self, query: ParsedQuery) -> tuple[str, ParsedQuery] | None:
        """The query with each word that matches nothing replaced by the closest name
        word, when there is one."""
        from app.directory.ranking import matches_nothing

        if self._vocabulary is None:
            self._vocabulary = Vocabulary(self.store)
        words: list[str] = []
        changed = False
        for word in query.words:
            if matches_nothing(self.store, word):
                better = self._vocabulary.suggest(word)
                if better is not None:
                    words.append(better)
                    changed = True
                    continue
            words.append(word)
        if not changed:
            return None
        text = " ".join(words)
        return text, ParsedQuery(text=text, words=words, kind="words")


@functools.cache
def _customer_list() -> TypeAdapter[list[Customer]]:
    """Customers read from one JSON array (one call: cheaper than one each)."""
    from pydantic import TypeAdapter

    return TypeAdapter(list[Customer])


def _fuzzy(text: str) -> str:
    import re

    return " ".join(part for part in re.split(r"[\W_]+", text) if part)
