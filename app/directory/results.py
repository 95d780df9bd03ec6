"""Answers: lists of customers built as they are read, index hits and search results.

A customer is kept as its JSON bytes, and turned back into a :class:`~app.square.Customer`
only when read: an answer is a :class:`CustomerList` that builds each customer the first
time it is indexed (a screen shows a few dozen of the 200), and a small cache keeps the
last customers built. A pydantic ``Customer`` weighs a few kilobytes and takes 5 µs to
build; the bytes a few hundred.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from app.square import Customer

__all__ = ["Built", "CustomerList", "IndexHits", "SearchResults"]


class Built:
    """The last customers built, by id, with the JSON each came from (a newer copy of a
    customer misses); least recently read first out."""

    __slots__ = ("items", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, tuple[bytes, Customer]] = OrderedDict()

    def customer(self, customer_id: str, data: bytes) -> Customer:
        items = self.items
        hit = items.get(customer_id)
        if hit is not None and hit[0] == data:
            items.move_to_end(customer_id)
            return hit[1]
        customer = Customer.model_validate_json(data)
        items[customer_id] = (data, customer)
        items.move_to_end(customer_id)
        if len(items) > self.size:
            items.popitem(last=False)
        return customer

    def pop(self, customer_id: str) -> None:
        self.items.pop(customer_id, None)

    def clear(self) -> None:
        self.items.clear()

    def __len__(self) -> int:
        return len(self.items)


class CustomerList(Sequence[Customer]):
    """Customers in a given order, each built from its stored JSON the first time it is
    read (an index answer of 200 costs nothing per customer until a row is shown). A
    read-only ``Sequence[Customer]``: ``len``, ``[i]``, ``[a:b]`` (another ``CustomerList``),
    iteration, ``==`` with a list, a tuple or another ``CustomerList``. Reading the same
    position again returns the same object. ``ids`` gives the ids without building any
    customer. The JSON is taken when the list is made: later writes to the index do not
    change it."""

    __slots__ = ("_built", "_ids", "_items")

    def __init__(
        self,
        ids: list[str],
        items: list[Customer | bytes],
        built: Built | None = None,
    ) -> None:
        self._ids = ids
        self._items = items
        self._built = built

    @classmethod
    def of(cls, customers: Iterable[Customer]) -> CustomerList:
        """A list of customers already built."""
        built = list(customers)
        items: list[Customer | bytes] = list(built)
        return cls([c.id for c in built], items)

    @property
    def ids(self) -> Sequence[str]:
        return self._ids

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, i: int) -> Customer: ...

    @overload
    def __getitem__(self, i: slice) -> CustomerList: ...

    def __getitem__(self, i: int | slice) -> Customer | CustomerList:
        if isinstance(i, slice):
            return CustomerList(self._ids[i], self._items[i], self._built)
        item = self._items[i]
        if isinstance(item, Customer):
            return item
        customer = (
            self._built.customer(self._ids[i], item)
            if self._built is not None
            else Customer.model_validate_json(item)
        )
        self._items[i] = customer
        return customer

    def __iter__(self) -> Iterator[Customer]:
        for i in range(len(self._ids)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CustomerList | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = sum(1 for item in self._items if isinstance(item, Customer))
        return f"<CustomerList of {len(self)} ({shown} built)>"


@dataclass(frozen=True)
class IndexHits:
    """The customers matching a query, ranked, as far as ``limit``; ``total`` counts all."""

    customers: CustomerList
    total: int
    groups: list[int]
    """Per customer: 0 among ``exact_ids``, 1 matched on name fields, 2 otherwise."""


@dataclass(frozen=True)
class SearchResults:
    """A ranked answer: at most ``limit`` customers, ``total`` matches in all.

    ``customers`` is a :class:`CustomerList`: a read-only sequence whose
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
