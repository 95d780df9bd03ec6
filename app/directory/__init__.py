"""The search engine: the seller's customers held locally, kept fresh and searched.

Square's SearchCustomers cannot search by name, so the directory loads every customer
into a local word index and answers name queries from it, asking Square as well where
Square can help (email, phone, ids, the search bar's operators). The modules, each with
one job:

* :mod:`~app.directory.folding` — text folding: case, accents, words, phone digits;
* :mod:`~app.directory.query` — the search bar's language, parsed;
* :mod:`~app.directory.documents` — what the index keeps of a customer;
* :mod:`~app.directory.packed`, :mod:`~app.directory.delta`, :mod:`~app.directory.base`,
  :mod:`~app.directory.memory` — the index's storage and its memory policy;
* :mod:`~app.directory.index` — :class:`WordIndex`, the word-prefix index itself;
* :mod:`~app.directory.results` — answers: :class:`CustomerList`, :class:`SearchResults`;
* :mod:`~app.directory.loader` — the windowed concurrent load and the refresh;
* :mod:`~app.directory.router` — :class:`CustomerDirectory`: search routing and merging.
"""

from app.directory.folding import fold, national_digits, phone_digits, query_words, words
from app.directory.index import WordIndex
from app.directory.loader import LoadProgress
from app.directory.query import (
    CREATION_SOURCES,
    OPERATORS,
    ParsedQuery,
    QueryError,
    TextKind,
    format_time,
    parse_query,
)
from app.directory.results import CustomerList, IndexHits, SearchResults
from app.directory.router import CustomerDirectory

__all__ = [
    "CREATION_SOURCES",
    "OPERATORS",
    "CustomerDirectory",
    "CustomerList",
    "IndexHits",
    "LoadProgress",
    "ParsedQuery",
    "QueryError",
    "SearchResults",
    "TextKind",
    "WordIndex",
    "fold",
    "format_time",
    "national_digits",
    "parse_query",
    "phone_digits",
    "query_words",
    "words",
]
