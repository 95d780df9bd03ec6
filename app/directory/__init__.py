"""The search engine: the seller's customers kept in a local store, fresh, and searched.

Square's SearchCustomers cannot search by name, so the directory keeps every customer in
a SQLite store with a full-text index (kept between runs, one per seller) and answers
name queries from it, asking Square as well where Square can help (email, phone, ids,
the search bar's operators). The modules, each with one job:

* :mod:`~app.directory.folding` — text folding: case, accents, words, phone digits;
* :mod:`~app.directory.query` — the search bar's language, parsed;
* :mod:`~app.directory.documents` — what the store keeps of a customer, and why it matched;
* :mod:`~app.directory.store` — :class:`DirectoryStore`, the SQLite store;
* :mod:`~app.directory.writer` — the store's writes, one transaction each;
* :mod:`~app.directory.windows` — ``created_at`` windows;
* :mod:`~app.directory.progress` — a load's progress;
* :mod:`~app.directory.place` — where a seller's store file lives;
* :mod:`~app.directory.ranking` — matching and ranking over the store;
* :mod:`~app.directory.answers` — :class:`Answer`, every match read lazily;
* :mod:`~app.directory.fuzzy` — "did you mean";
* :mod:`~app.directory.pacing` — the load's pace under Square's rate limit;
* :mod:`~app.directory.loader` — the windowed, resumable cold load;
* :mod:`~app.directory.sync` — changes and deletions since the last look;
* :mod:`~app.directory.operators` — searches with operators, through SearchCustomers;
* :mod:`~app.directory.results` — :class:`SearchResults`;
* :mod:`~app.directory.router` — :class:`CustomerDirectory`: search routing and merging.
"""

from app.directory.answers import Answer
from app.directory.folding import fold, national_digits, phone_digits, query_words, words
from app.directory.loader import LoadProgress
from app.directory.place import StorePlace
from app.directory.query import (
    CREATION_SOURCES,
    OPERATORS,
    ParsedQuery,
    QueryError,
    TextKind,
    format_time,
    parse_query,
)
from app.directory.ranking import SORTS, Sort
from app.directory.results import SearchResults
from app.directory.router import CustomerDirectory
from app.directory.store import DirectoryStore

__all__ = [
    "CREATION_SOURCES",
    "OPERATORS",
    "SORTS",
    "Answer",
    "CustomerDirectory",
    "DirectoryStore",
    "LoadProgress",
    "ParsedQuery",
    "QueryError",
    "SearchResults",
    "Sort",
    "StorePlace",
    "TextKind",
    "fold",
    "format_time",
    "national_digits",
    "parse_query",
    "phone_digits",
    "query_words",
    "words",
]
