"""Ranking a search over the store: which customers match, in which order, how many.

Matching: every word of the query must be the prefix of a word of the customer — a name
word, or a word of the email, reference, note, city or postal code; a run of digits also
matches a phone number *from its end* (the last four digits, or the whole number with or
without its country code). A complete email address matches that address only.

Order (``relevance``): exact name (or exact email / id), then customers whose name has
every query word as a whole word, then those whose name words start with every query
word, then those matched through other fields; within each tier, Square's DEFAULT
order. ``name`` is DEFAULT order alone, ``created`` and ``updated`` newest first.

Each tier is an FTS5 query over ``words``; the tiers are counted at once (cheap) and
their rows read a chunk at a time by :class:`~app.directory.answers.Answer`. A tier of
many matches walks the order's index and tests each row; a small one is sorted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from app.directory.answers import Answer, Listed, Segment, Tier
from app.directory.documents import phone_token
from app.directory.folding import fold, national_digits
from app.directory.query import ParsedQuery
from app.directory.store import DirectoryStore
from app.square import Customer

__all__ = ["SORTS", "Sort", "match_expression", "rank"]

Sort = Literal["relevance", "name", "created", "updated"]
SORTS: tuple[Sort, ...] = ("relevance", "name", "created", "updated")

_ORDERS: dict[str, tuple[str, str, str]] = {
    "relevance": ("c.key", "c.key DESC", "customers_key"),
    "name": ("c.key", "c.key DESC", "customers_key"),
    "created": ("c.created_at DESC, c.n DESC", "c.created_at, c.n", "customers_created"),
    "updated": ("c.updated_at DESC, c.n DESC", "c.updated_at, c.n", "customers_updated"),
}
BIG = 25_000
"""A tier with more matches than this walks the order's index instead of sorting."""
EXACT_LIMIT = 500
"""At most this many exact matches rank first (the rest follow in their tier)."""
_MATCH = "c.n IN (SELECT rowid FROM words WHERE words MATCH ?)"


def _anywhere(word: str, phone: str | None = None) -> str:
    text = f'{{names others}} : "{word}"*'
    digits = phone if phone is not None else (word if word.isdigit() else None)
    if digits:
        return f'({text} OR phones : "{phone_token(digits)}"*)'
    return text


def match_expression(words: Sequence[str], phone: str | None = None) -> str:
    """The FTS5 query for "every word matches somewhere" (``phone``: the digits a
    phone-like text matches phone numbers by)."""
    if phone is not None and len(words) == 1:
        return _anywhere(words[0], phone)
    return " AND ".join(_anywhere(word) for word in words)


def _names(words: Sequence[str], prefix: bool) -> str:
    star = "*" if prefix else ""
    return " AND ".join(f'names : "{word}"{star}' for word in words)


def _count(store: DirectoryStore, expression: str, exclude: Sequence[str] = ()) -> int:
    found = int(store.fetch("SELECT count(*) FROM words WHERE words MATCH ?", (expression,))[0][0])
    if exclude and found:
        marks = ",".join("?" * len(exclude))
        found -= int(
            store.fetch(
                f"SELECT count(*) FROM customers AS c WHERE c.id IN ({marks}) AND {_MATCH}",
                (*exclude, expression),
            )[0][0]
        )
    return found


def _tier(
    store: DirectoryStore,
    expression: str,
    sort: str,
    exclude: Sequence[str],
    explain: bool,
) -> Tier:
    order, reverse, index = _ORDERS[sort]
    count = _count(store, expression, exclude)
    where = _MATCH
    params: tuple[object, ...] = (expression,)
    if exclude:
        where += f" AND c.id NOT IN ({','.join('?' * len(exclude))})"
        params = (*params, *exclude)
    return Tier(where, params, order, reverse, index, count, explain, big=count > BIG)


def _exact(store: DirectoryStore, query: ParsedQuery) -> list[Customer]:
    """Customers whose name, email or id is exactly the query, in DEFAULT order."""
    found: dict[str, bytes] = {}
    name = " ".join(fold(query.text).split())
    if query.exact_email:
        sql = (
            "SELECT c.id, c.key, d.data FROM customers AS c JOIN docs AS d ON d.n = c.n "
            "WHERE c.email = ? LIMIT ?"
        )
        rows = store.fetch(sql, (query.exact_email, EXACT_LIMIT))
    elif name and query.kind in ("words", "id"):
        low, high = f"{name}\x00".encode(), f"{name}\x01".encode()
        rows = store.fetch(
            "SELECT c.id, c.key, d.data FROM customers AS c JOIN docs AS d ON d.n = c.n "
            "WHERE c.key >= ? AND c.key < ? ORDER BY c.key LIMIT ?",
            (low, high, EXACT_LIMIT),
        )
    else:
        rows = []
    if query.exact_id:
        rows += store.fetch(
            "SELECT c.id, c.key, d.data FROM customers AS c JOIN docs AS d ON d.n = c.n "
            "WHERE c.id = ?",
            (query.exact_id,),
        )
    ordered = sorted(rows, key=lambda row: bytes(row[1]))
    for customer_id, _key, data in ordered:
        found.setdefault(str(customer_id), bytes(data))
    if query.exact_id and query.exact_id in found:  # an id first of all
        first = found.pop(query.exact_id)
        found = {query.exact_id: first, **found}
    return [Customer.model_validate_json(data) for data in found.values()]


def rank(
    store: DirectoryStore,
    query: ParsedQuery,
    sort: Sort = "relevance",
    *,
    first: Sequence[Customer] = (),
    last: Sequence[Customer] = (),
) -> Answer:
    """Every customer of the store matching ``query``, ranked; ``first`` and ``last``:
    customers from elsewhere (Square's answers) to put before and after the store's."""
    words = list(query.words)
    phone = national_digits(query.text) if query.kind == "phone" else None
    if query.kind == "empty" or not words:
        order, reverse, index = _ORDERS[sort]
        everyone = Tier("1", (), order, reverse, index, store.count(), big=True)
        return Answer(store, [Listed(list(first)), everyone, Listed(list(last))], words)
    exact = [] if sort != "relevance" else _exact(store, query)
    lead = _merge(first, exact)
    if query.exact_email:  # a complete address: that address only
        return Answer(store, [Listed(lead), Listed(list(last))], words)
    skip = [customer.id for customer in lead]
    segments: list[Segment] = [Listed(lead)]
    everything = match_expression(words, phone)
    if sort != "relevance":
        segments.append(_tier(store, everything, sort, skip, explain=True))
    else:
        whole, prefix = _names(words, False), _names(words, True)
        segments.append(_tier(store, whole, sort, skip, explain=False))
        segments.append(_tier(store, f"({prefix}) NOT ({whole})", sort, skip, explain=False))
        segments.append(_tier(store, f"({everything}) NOT ({prefix})", sort, skip, explain=True))
    segments.append(Listed(list(last)))
    return Answer(store, segments, words)


def matches_nothing(store: DirectoryStore, word: str) -> bool:
    """Whether no customer has a word starting with ``word`` (a phone's end included)."""
    return _count(store, _anywhere(word)) == 0


def _merge(first: Sequence[Customer], exact: list[Customer]) -> list[Customer]:
    seen = {customer.id for customer in first}
    return [*first, *(customer for customer in exact if customer.id not in seen)]
