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


class _Test:
    """A condition over a row's own columns equal to a full-text query: the columns hold
    folded words joined by single spaces, as the index reads them, so "a word starts
    with w" is ``' w'`` found in ``' ' || column``."""

    def __init__(self, sql: str, params: tuple[str, ...]) -> None:
        self.sql, self.params = sql, params

    def __and__(self, other: _Test) -> _Test:
        return _Test(f"({self.sql}) AND ({other.sql})", (*self.params, *other.params))

    def without(self, other: _Test) -> _Test:
        return _Test(f"({self.sql}) AND NOT ({other.sql})", (*self.params, *other.params))


def _all(tests: Sequence[_Test]) -> _Test:
    joined = tests[0]
    for test in tests[1:]:
        joined = joined & test
    return joined


def _names_test(words: Sequence[str], prefix: bool) -> _Test:
    if prefix:
        return _all([_Test("instr(' ' || c.names, ?)", (f" {word}",)) for word in words])
    return _all([_Test("instr(' ' || c.names || ' ', ?)", (f" {word} ",)) for word in words])


def _anywhere_test(word: str, phone: str | None = None) -> _Test:
    digits = phone if phone is not None else (word if word.isdigit() else None)
    sql = "(instr(' ' || c.names, ?) OR instr(' ' || c.others, ?)"
    params: tuple[str, ...] = (f" {word}", f" {word}")
    if digits:
        sql += " OR instr(' ' || c.phones, ?)"
        params = (*params, f" {phone_token(digits)}")
    return _Test(sql + ")", params)


def _everything_test(words: Sequence[str], phone: str | None = None) -> _Test:
    if phone is not None and len(words) == 1:
        return _anywhere_test(words[0], phone)
    return _all([_anywhere_test(word) for word in words])


def _count(
    store: DirectoryStore,
    expression: str,
    test: _Test,
    exclude: Sequence[str] = (),
    initial: tuple[str, str] | None = None,
) -> int:
    """How many customers match ``expression`` (``test``), leaving out ``exclude``; with
    ``initial`` (field, letter) — a one-letter query — read from the store's counts."""
    if initial is not None:
        found = store.initials(*initial)
    else:
        found = int(
            store.fetch("SELECT count(*) FROM words WHERE words MATCH ?", (expression,))[0][0]
        )
    if exclude and found:
        marks = ",".join("?" * len(exclude))
        found -= int(
            store.fetch(
                f"SELECT count(*) FROM customers AS c WHERE c.id IN ({marks}) AND ({test.sql})",
                (*exclude, *test.params),
            )[0][0]
        )
    return found


def _letter(words: Sequence[str], phone: str | None) -> str | None:
    """The letter of a one-letter query (counted by the store's ``initials``)."""
    if len(words) == 1 and len(words[0]) == 1 and phone in (None, words[0]):
        return words[0]
    return None


def _tier(
    expression: str,
    test: _Test,
    count: int,
    sort: str,
    exclude: Sequence[str],
    explain: bool,
) -> Tier:
    order, reverse, index = _ORDERS[sort]
    where = _MATCH
    params: tuple[object, ...] = (expression,)
    test_sql, test_params = test.sql, test.params
    if exclude:
        marks = ",".join("?" * len(exclude))
        where += f" AND c.id NOT IN ({marks})"
        params = (*params, *exclude)
        test_sql = f"({test_sql}) AND c.id NOT IN ({marks})"
        test_params = (*test_params, *exclude)
    return Tier(where, params, order, reverse, index, count, explain, test_sql, test_params)


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
        everyone = Tier("1", (), order, reverse, index, store.count(), test="1")
        return Answer(store, [Listed(list(first)), everyone, Listed(list(last))], words)
    exact = [] if sort != "relevance" else _exact(store, query)
    lead = _merge(first, exact)
    if query.exact_email:  # a complete address: that address only
        return Answer(store, [Listed(lead), Listed(list(last))], words)
    skip = [customer.id for customer in lead]
    segments: list[Segment] = [Listed(lead)]
    everything = match_expression(words, phone)
    every_test = _everything_test(words, phone)
    letter = _letter(words, phone)
    matching = _count(
        store, everything, every_test, skip, ("any", letter) if letter is not None else None
    )
    if sort != "relevance":
        segments.append(_tier(everything, every_test, matching, sort, skip, explain=True))
    else:
        # each tier holds the next (a whole name word is a prefix, a prefix matches
        # somewhere): counted one by one, the tiers are differences of three counts
        whole, prefix = _names(words, False), _names(words, True)
        whole_test, prefix_test = _names_test(words, False), _names_test(words, True)
        named = _count(store, whole, whole_test, skip)
        initial = ("names", letter) if letter is not None else None
        prefixed = _count(store, prefix, prefix_test, skip, initial) if matching else 0
        segments.append(_tier(whole, whole_test, named, sort, skip, explain=False))
        segments.append(
            _tier(
                f"({prefix}) NOT ({whole})",
                prefix_test.without(whole_test),
                prefixed - named,
                sort,
                skip,
                explain=False,
            )
        )
        segments.append(
            _tier(
                f"({everything}) NOT ({prefix})",
                every_test.without(prefix_test),
                matching - prefixed,
                sort,
                skip,
                explain=True,
            )
        )
    segments.append(Listed(list(last)))
    return Answer(store, segments, words)


def matches_nothing(store: DirectoryStore, word: str) -> bool:
    """Whether no customer has a word starting with ``word`` (a phone's end included)."""
    initial = ("any", word) if len(word) == 1 else None
    return _count(store, _anywhere(word), _anywhere_test(word), initial=initial) == 0


def _merge(first: Sequence[Customer], exact: list[Customer]) -> list[Customer]:
    seen = {customer.id for customer in first}
    return [*first, *(customer for customer in exact if customer.id not in seen)]
