"""Lazy answers over the store: every match of a search, read a chunk at a time.

An answer is a sequence of *segments* — a few customers held in a list (exact matches,
Square's extra answers) or a tier of the store (a full-text match, in some order) whose
rows are read with ``LIMIT``/``OFFSET`` only when shown. ``len`` is the number of all
matches, so the table scrolls through every one of them; ``G`` reads only the last chunk.

Reading is consistent within a chunk. A write to the store between two chunk reads may
shift later rows by the few customers it changed; the screen asks again after writes
(throttled), and a position past the end of a tier that shrank shows the tier's last
customer until then.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from app.directory.documents import why
from app.directory.store import OverBudget
from app.square import Customer

if TYPE_CHECKING:
    from app.directory.store import DirectoryStore

__all__ = ["Answer", "Listed", "Tier"]

CHUNK = 100
"""Rows read from a tier at a time (a screenful or two)."""
KEEP_CHUNKS = 32
WALK_COST = 1
"""A row passed by a walk costs about as much as a match gathered by the full-text index
(measured at 100,000 and 1,000,000 customers: 1-3 µs each), when matches are spread
evenly through the order. They often are not (a given name's matches sit together), so a
walk that runs past what gathering would cost is stopped and the tier gathered."""
GATHER_SECONDS = 2e-6
"""About what gathering and sorting costs per match (the walk's budget)."""
WALK_FLOOR = 0.002
"""A walk may always take this long (seconds)."""


@dataclass
class Listed:
    """Customers already at hand, in order; ``reasons`` says why each matched (or None)."""

    customers: list[Customer]
    reasons: list[str | None] | None = None

    @property
    def count(self) -> int:
        return len(self.customers)


@dataclass
class Tier:
    """Customers of the store matching ``where`` (SQL over ``customers AS c``), in
    ``order``; ``count`` of them. With ``explain``, rows say why they matched.

    ``test`` is the same condition written over the row's own columns (no full-text
    lookup): a tier of many matches is read by walking ``index`` in order and testing each
    row with it, which finds a screenful among hundreds of thousands at once, where
    ``where`` would gather and sort every match first (see :meth:`Answer._walks`)."""

    where: str
    params: tuple[object, ...]
    order: str
    reverse: str
    """``order`` backwards (a row deep in a big tier is read from the end)."""
    index: str | None
    count: int
    explain: bool = False
    test: str | None = None
    test_params: tuple[object, ...] = field(default=())

    def sql(self, backwards: bool = False, walk: bool = False) -> tuple[str, tuple[object, ...]]:
        """The query for ``LIMIT ? OFFSET ?`` rows and its parameters (without those two)."""
        order = self.reverse if backwards else self.order
        if walk and self.test is not None:
            hint = f" INDEXED BY {self.index}" if self.index else ""
            return (
                f"SELECT c.n, c.id FROM customers AS c{hint} WHERE {self.test} "
                f"ORDER BY {order} LIMIT ? OFFSET ?",
                self.test_params,
            )
        return (
            f"SELECT c.n, c.id FROM customers AS c WHERE {self.where} "
            f"ORDER BY {order} LIMIT ? OFFSET ?",
            self.params,
        )


Segment = Listed | Tier


class Answer(Sequence[Customer]):
    """Every customer of a search, in rank order, read from the store when needed."""

    def __init__(
        self,
        store: DirectoryStore | None,
        segments: list[Segment],
        words: list[str] | None = None,
    ) -> None:
        self._store = store
        self._segments = [s for s in segments if s.count > 0]
        self._words = words or []
        self._starts: list[int] = []
        total = 0
        for segment in self._segments:
            self._starts.append(total)
            total += segment.count
        self._total = total
        self._chunks: OrderedDict[tuple[int, int], list[tuple[str, bytes]]] = OrderedDict()
        self._built: dict[int, Customer] = {}
        self.reads = 0
        """Chunk reads so far (each one query)."""

    @classmethod
    def of(cls, customers: Sequence[Customer]) -> Answer:
        return cls(None, [Listed(list(customers))])

    # -- Sequence ---------------------------------------------------------------------

    def __len__(self) -> int:
        return self._total

    @overload
    def __getitem__(self, i: int) -> Customer: ...

    @overload
    def __getitem__(self, i: slice) -> list[Customer]: ...

    def __getitem__(self, i: int | slice) -> Customer | list[Customer]:
        if isinstance(i, slice):
            return [self[n] for n in range(*i.indices(self._total))]
        if i < 0:
            i += self._total
        if not 0 <= i < self._total:
            raise IndexError(i)
        built = self._built.get(i)
        if built is not None:
            return built
        segment, offset = self._locate(i)
        if isinstance(segment, Listed):
            return segment.customers[offset]
        _customer_id, data = self._row(segment, offset)
        customer = Customer.model_validate_json(data)
        if len(self._built) > 4 * CHUNK:
            self._built.clear()
        self._built[i] = customer
        return customer

    def __iter__(self) -> Iterator[Customer]:
        for i in range(self._total):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Answer | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Answer of {self._total} in {len(self._segments)} segment(s)>"

    @property
    def tiers(self) -> list[Tier]:
        """The store's tiers of this answer, in order (for checking how they are read)."""
        return [segment for segment in self._segments if isinstance(segment, Tier)]

    # -- ids and reasons --------------------------------------------------------------

    @property
    def ids(self) -> Sequence[str]:
        """The ids, read like the customers (without building them)."""
        return _Ids(self)

    def id_at(self, i: int) -> str:
        segment, offset = self._locate(i)
        if isinstance(segment, Listed):
            return segment.customers[offset].id
        return self._row(segment, offset)[0]

    def index_of(self, customer_id: str, within: int = 500) -> int | None:
        """Where ``customer_id`` is among the first ``within`` rows, if there."""
        for n in range(min(within, self._total)):
            if self.id_at(n) == customer_id:
                return n
        return None

    def why(self, i: int) -> str | None:
        """Why row ``i`` matched, when not by name (``"email"``, ``"city Seattle"``…)."""
        segment, offset = self._locate(i)
        if isinstance(segment, Listed):
            if segment.reasons is not None:
                return segment.reasons[offset]
            return why(segment.customers[offset], self._words)
        if not segment.explain:
            return None
        return why(self[i], self._words)

    # -- reading ----------------------------------------------------------------------

    def _locate(self, i: int) -> tuple[Segment, int]:
        if not 0 <= i < self._total:
            raise IndexError(i)
        lo, hi = 0, len(self._starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._starts[mid] <= i:
                lo = mid
            else:
                hi = mid - 1
        return self._segments[lo], i - self._starts[lo]

    def _row(self, tier: Tier, offset: int) -> tuple[str, bytes]:
        number = self._segments.index(tier)
        first = offset - offset % CHUNK
        key = (number, first)
        rows = self._chunks.get(key)
        if rows is None:
            rows = self._read(tier, first)
            self._chunks[key] = rows
            if len(self._chunks) > KEEP_CHUNKS:
                self._chunks.popitem(last=False)
        else:
            self._chunks.move_to_end(key)
        if not rows:
            raise IndexError(offset)  # the tier emptied since it was counted
        return rows[min(offset - first, len(rows) - 1)]

    def prefetch(self, rows: int, built: int = 0) -> None:
        """Read the first ``rows`` rows now, one query per tier, and build the first
        ``built`` customers: what a table showing a new answer reads first (its screenful,
        and the rows where it looks for the customer under its cursor), read off the event
        loop with the search itself."""
        for number, segment in enumerate(self._segments):
            start = self._starts[number]
            if start >= rows:
                break
            if not isinstance(segment, Tier):
                continue
            size = -(-min(rows - start, segment.count) // CHUNK) * CHUNK
            read = self._read(segment, 0, size)
            for first in range(0, size, CHUNK):
                part = read[first : first + CHUNK]
                if part:
                    self._chunks[(number, first)] = part
        for i in range(min(built, self._total)):
            _ = self[i]

    def _read(self, tier: Tier, first: int, size: int = CHUNK) -> list[tuple[str, bytes]]:
        """The rows ``[first, first + size)`` of a tier (a big tier's second half is read
        backwards, so that the last row costs what the first does)."""
        store = self._store
        assert store is not None
        self.reads += 1
        count = tier.count
        end = min(first + size, count)
        backwards = first > count // 2
        depth = count - end if backwards else first
        rows = None
        if self._walks(tier, depth, size, store.count()):
            budget = WALK_FLOOR + tier.count * GATHER_SECONDS
            with contextlib.suppress(OverBudget):  # matches clustered late in the order
                rows = self._fetch(tier, first, size, backwards, walk=True, budget=budget)
        if rows is None:
            rows = self._fetch(tier, first, size, backwards, walk=False)
        documents = store.documents([int(n) for n, _id in rows])
        return [(str(i), documents[int(n)]) for n, i in rows if int(n) in documents]

    def _fetch(
        self,
        tier: Tier,
        first: int,
        size: int,
        backwards: bool,
        *,
        walk: bool,
        budget: float | None = None,
    ) -> list[Any]:
        store = self._store
        assert store is not None
        count = tier.count
        end = min(first + size, count)
        sql, params = tier.sql(backwards, walk)
        if backwards:
            rows = store.fetch(sql, (*params, end - first, count - end), budget=budget)
            rows.reverse()
        else:
            rows = store.fetch(sql, (*params, size, first), budget=budget)
        if not rows and first > 0:  # the tier shrank: show its last rows
            sql, params = tier.sql(True, walk)
            rows = store.fetch(sql, (*params, size, 0), budget=budget)
            rows.reverse()
        return rows

    @staticmethod
    def _walks(tier: Tier, depth: int, size: int, everyone: int) -> bool:
        """Whether walking the order's index (testing each row) reads ``size`` rows
        ``depth`` rows into ``tier`` sooner than gathering and sorting the tier's matches:
        the walk passes about ``(depth + size) * everyone / count`` rows at ``WALK_COST``
        times the cost of gathering one match; gathering costs ``count``."""
        if tier.test is None or tier.count <= 0:
            return False
        walked = (depth + size) * max(everyone, tier.count) / tier.count
        return walked * WALK_COST < tier.count


class _Ids(Sequence[str]):
    def __init__(self, answer: Answer) -> None:
        self._answer = answer

    def __len__(self) -> int:
        return len(self._answer)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self._answer.id_at(n) for n in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self._answer.id_at(i)
