"""The word index: every customer of the directory, searchable by word prefix.

Square's SearchCustomers cannot search by name, so the directory keeps every customer
here and answers name queries locally. What it holds and why:

* **Compact records** (:mod:`app.directory.results`): a customer is kept as its JSON bytes
  plus a sort key, and built into a ``Customer`` only when an answer is read.
* **No object per customer** (:mod:`app.directory.packed`): every per-customer value
  lives in a few large buffers.
* **Two inverted indexes** (:mod:`app.directory.documents`): name words and other words
  apart, so that name matches rank first.
* **A sorted base and a delta** (:mod:`app.directory.base`, :mod:`app.directory.delta`).
  The base is built in one go; writes after the build are appended to the *delta* —
  columns of packed records and a hash table from id to record, searched by scanning its
  word text — and the base copy of a changed or deleted customer is masked out of
  ``alive``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator

from app.directory.base import Base, Snapshot
from app.directory.delta import Delta
from app.directory.documents import dump, hay, key_of, tokens_of
from app.directory.memory import give_back_memory
from app.directory.packed import lowest
from app.directory.results import Built, CustomerList, IndexHits
from app.square import Customer

__all__ = ["WordIndex"]


class WordIndex:
    """Every customer of the directory, searchable by word prefix. Not thread-safe."""

    DELTA_LIMIT = 2000
    """Rebuild the base when this many customers were written since the last build."""

    CACHE_SIZE = 1024
    """How many built ``Customer`` objects are kept (least recently read first out)."""

    def __init__(self) -> None:
        self._base = Base()
        self._delta = Delta()
        self._cache = Built(self.CACHE_SIZE)
        self._changes: set[str] | None = None
        """While a background build runs: the ids written since its snapshot."""
        self.auto_build = True
        """Build synchronously when the delta outgrows ``DELTA_LIMIT`` (off: the owner
        calls :meth:`build_in_background` when ``needs_build``)."""

    # -- size and lookup --------------------------------------------------------------

    def __len__(self) -> int:
        return self._base.alive.bit_count() + len(self._delta)

    def __contains__(self, customer_id: object) -> bool:
        return isinstance(customer_id, str) and self._data_of(customer_id) is not None

    def ids(self) -> Iterator[str]:
        """Every id in the index (no order promised)."""
        delta = self._delta
        for record in delta.live_records():
            yield delta.ids[record].decode()
        base = self._base
        for slot in lowest(base.alive, len(base)):
            yield base.customer_id(slot)

    def version_of(self, customer_id: str) -> int | None:
        delta = self._delta
        record = delta.find(customer_id)
        if record is not None:
            return delta.versions[record]
        slot = self._live_slot(customer_id)
        return None if slot is None else self._base.versions[slot]

    def get(self, customer_id: str) -> Customer | None:
        data = self._data_of(customer_id)
        return None if data is None else self._cache.customer(customer_id, data)

    def _live_slot(self, customer_id: str) -> int | None:
        base = self._base
        slot = base.slot(customer_id)
        if slot is None or not (base.alive >> slot) & 1:
            return None
        return slot

    def _data_of(self, customer_id: str) -> bytes | None:
        delta = self._delta
        record = delta.find(customer_id)
        if record is not None:
            return delta.data[record]
        slot = self._live_slot(customer_id)
        return None if slot is None else self._base.data[slot]

    # -- writes -----------------------------------------------------------------------

    def upsert(self, customer: Customer, *, force: bool = False) -> bool:
        """Add or replace ``customer``; an older ``version`` than the one held is ignored
        unless ``force``. Returns whether anything changed."""
        held = self.version_of(customer.id)
        if held is not None and customer.version < held and not force:
            return False
        data = dump(customer)
        if held is not None and self._data_of(customer.id) == data:
            return False
        self._drop(customer.id)
        names, others = tokens_of(customer)
        self._delta.add(customer.id, key_of(customer), data, customer.version, names, others)
        if self.auto_build and self._changes is None and self.needs_build:
            self.build()
        return True

    @property
    def needs_build(self) -> bool:
        """Whether the delta has grown enough that a build would pay off."""
        return len(self._delta) > self.DELTA_LIMIT

    def remove(self, customer_id: str) -> bool:
        """Forget a customer; returns whether it was there."""
        return self._drop(customer_id)

    def _drop(self, customer_id: str) -> bool:
        self._cache.pop(customer_id)
        if self._changes is not None:
            self._changes.add(customer_id)
        if self._delta.remove(customer_id):
            # A base copy, if any, was masked out when the delta copy came in.
            return True
        slot = self._live_slot(customer_id)
        if slot is None:
            return False
        self._base.alive &= ~(1 << slot)
        return True

    def clear(self) -> None:
        self._base = Base()
        self._delta = Delta()
        self._cache.clear()

    def build(self) -> None:
        """Fold the delta into a freshly sorted base (linear in the directory's size)."""
        if self._changes is not None:
            raise RuntimeError("a build is already running in the background")
        self._install(Base(self._snapshot()), None)

    async def build_in_background(self) -> None:
        """:meth:`build` in a worker thread, so the event loop keeps answering. Writes
        and searches go on meanwhile against the old base and the delta; the customers
        written during the build stay in the new delta. One build at a time."""
        if self._changes is not None:
            return
        snapshot = self._snapshot()
        self._changes = set()
        try:
            base = await asyncio.to_thread(Base, snapshot)
        except BaseException:
            self._changes = None
            raise
        del snapshot
        changed, self._changes = self._changes, None
        self._install(base, changed)

    @property
    def building(self) -> bool:
        return self._changes is not None

    def _snapshot(self) -> Snapshot:
        delta = self._delta
        return Snapshot(self._base, self._base.alive, delta, bytes(delta.alive), delta.records())

    def _install(self, base: Base, changed: set[str] | None) -> None:
        """Swap in a base built from a snapshot; ``changed``: the ids written since."""
        old = self._delta
        delta = Delta()
        for cid in changed or ():
            slot = base.slot(cid)
            if slot is not None:
                base.alive &= ~(1 << slot)
            record = old.find(cid)
            if record is not None:
                names, others = old.tokens(record)
                delta.add(
                    cid, old.keys[record], old.data[record], old.versions[record], names, others
                )
        self._base = base
        self._delta = delta
        del old
        give_back_memory()

    # -- search -----------------------------------------------------------------------

    def search(self, words: list[str], limit: int, exact_ids: Iterable[str] = ()) -> IndexHits:
        """Customers where every word prefixes an indexed word, ranked: ``exact_ids``
        first, then those matched on name fields alone, then the rest; each group in
        DEFAULT order. No words: everyone, in DEFAULT order. The customers are built as
        they are read (see :class:`CustomerList`)."""
        ids, data, groups, total = self._rank(words, limit, exact_ids)
        items: list[Customer | bytes] = list(data)
        return IndexHits(CustomerList(ids, items, self._cache), total, groups)

    def rank(
        self, words: list[str], limit: int, exact_ids: Iterable[str] = ()
    ) -> tuple[list[tuple[str, bytes]], list[int], int]:
        """:meth:`search` without the ``Customer`` objects: the ranked ``(id, JSON)``
        pairs, their groups, and the total."""
        ids, data, groups, total = self._rank(words, limit, exact_ids)
        return list(zip(ids, data, strict=True)), groups, total

    def _rank(
        self, words: list[str], limit: int, exact_ids: Iterable[str]
    ) -> tuple[list[str], list[bytes], list[int], int]:
        base = self._base
        delta = self._delta
        alive = base.alive
        if words:
            every = alive
            named = alive
            for word in words:
                encoded = word.encode()
                name_bits = base.name.match(encoded)
                every &= name_bits | base.other.match(encoded)
                named &= name_bits
                if not every:
                    break
            named &= every
        else:
            every = named = alive
        exact_bits = 0
        exact_delta: list[int] = []
        for cid in exact_ids:
            record = delta.find(cid)
            if record is not None:
                exact_delta.append(record)
                continue
            slot = self._live_slot(cid)
            if slot is not None:
                exact_bits |= 1 << slot
        if delta.live:
            named_delta, other_delta = delta.scan(
                [b" " + word.encode() for word in words], exact_delta
            )
        else:
            named_delta = other_delta = []
        named &= ~exact_bits
        rest = every & ~named & ~exact_bits
        total = (
            (exact_bits | every).bit_count()
            + len(exact_delta)
            + len(named_delta)
            + len(other_delta)
        )
        ids: list[str] = []
        data: list[bytes] = []
        groups: list[int] = []
        base_ids, base_data = base.ids, base.data
        id_blob, id_ends = base_ids.blob, base_ids.ends
        data_blob, data_ends = base_data.blob, base_data.ends
        tiers = ((exact_bits, exact_delta), (named, named_delta), (rest, other_delta))
        for group, (bits, records) in enumerate(tiers):
            room = limit - len(ids)
            if room <= 0:
                break
            slots = lowest(bits, room)
            before = len(ids)
            if records:
                picked = [(base.keys[s], s) for s in slots]
                picked.extend((delta.keys[r], ~r) for r in records)
                picked.sort()
                for _key, ref in picked[:room]:
                    if ref >= 0:
                        ids.append(base_ids[ref].decode())
                        data.append(base_data[ref])
                    else:
                        ids.append(delta.ids[~ref].decode())
                        data.append(delta.data[~ref])
            else:
                for s in slots:
                    if s:
                        ids.append(id_blob[id_ends[s - 1] : id_ends[s]].decode())
                        data.append(data_blob[data_ends[s - 1] : data_ends[s]])
                    else:
                        ids.append(id_blob[: id_ends[0]].decode())
                        data.append(data_blob[: data_ends[0]])
            groups.extend([group] * (len(ids) - before))
        return ids, data, groups, total

    def matches(self, customer: Customer, words: list[str]) -> tuple[bool, bool]:
        """(all words match somewhere, all words match a name field) for any customer."""
        names, others = tokens_of(customer)
        name_hay, other_hay = hay(names), hay(others)
        needles = [" " + word for word in words]
        named = all(n in name_hay for n in needles)
        every = named or all(n in name_hay or n in other_hay for n in needles)
        return every, named

    @staticmethod
    def sort_key(customer: Customer) -> bytes:
        return key_of(customer)
