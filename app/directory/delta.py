"""The delta: customers written since the last build, as packed columns."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator

from app.directory.documents import hay
from app.directory.packed import Column

__all__ = ["Delta"]


class Delta:
    """The customers written since the last build, as packed columns: records are only
    appended (a rewrite appends a new record and marks the old one dead), and an
    open-addressing table maps an id to its latest record.

    A record's word text is ``" name words\\0 other words"``: a word prefix ``w`` matches
    where ``b" " + w`` occurs, on the name side when before the NUL. A search finds the
    longest query word in the whole buffer (C speed) and checks the other words only in the
    records it hits."""

    __slots__ = (
        "alive",
        "data",
        "hays",
        "ids",
        "keys",
        "live",
        "seps",
        "table",
        "used",
        "versions",
    )

    def __init__(self) -> None:
        self.ids = Column()
        self.keys = Column()
        self.data = Column()
        self.hays = Column()
        self.seps = array("Q")
        """Per record: the offset of its NUL in ``hays.blob``."""
        self.versions = array("q")
        self.alive = bytearray()
        self.table = array("i", [-1]) * 16
        self.used = 0
        """Entries in ``table`` (one per distinct id ever written, dead or alive)."""
        self.live = 0

    def __len__(self) -> int:
        return self.live

    def records(self) -> int:
        """How many records were appended (live or dead)."""
        return len(self.versions)

    def _position(self, wanted: bytes) -> int:
        """The table position holding the id ``wanted`` (UTF-8), or the empty one where it
        would go."""
        table, ids = self.table, self.ids
        mask = len(table) - 1
        h = hash(wanted) & mask
        while True:
            record = table[h]
            if record < 0 or ids[record] == wanted:
                return h
            h = (h + 1) & mask

    def find(self, customer_id: str) -> int | None:
        """The live record of ``customer_id``, or ``None``."""
        record = self.table[self._position(customer_id.encode())]
        return record if record >= 0 and self.alive[record] else None

    def add(
        self,
        customer_id: str,
        key: bytes,
        data: bytes,
        version: int,
        names: Iterable[str],
        others: Iterable[str],
    ) -> None:
        wanted = customer_id.encode()
        h = self._position(wanted)
        old = self.table[h]
        if old >= 0 and self.alive[old]:
            self.alive[old] = 0
            self.live -= 1
        record = len(self.versions)
        name_hay = hay(names).encode()
        self.ids.append(wanted)
        self.keys.append(key)
        self.data.append(data)
        self.seps.append(len(self.hays.blob) + len(name_hay))
        self.hays.append(name_hay + b"\x00" + hay(others).encode())
        self.versions.append(version)
        self.alive.append(1)
        self.live += 1
        self.table[h] = record
        if old < 0:
            self.used += 1
            if 2 * self.used > len(self.table):
                self._grow()

    def _grow(self) -> None:
        old = self.table
        table = array("i", [-1]) * (2 * len(old))
        mask = len(table) - 1
        ids = self.ids
        for record in old:
            if record >= 0:
                h = hash(ids[record]) & mask
                while table[h] >= 0:
                    h = (h + 1) & mask
                table[h] = record
        self.table = table

    def remove(self, customer_id: str) -> bool:
        record = self.find(customer_id)
        if record is None:
            return False
        self.alive[record] = 0
        self.live -= 1
        return True

    def live_records(self, stop: int | None = None, alive: bytes | None = None) -> Iterator[int]:
        """Live record numbers in order (below ``stop``, live as per ``alive`` if given)."""
        flags = self.alive if alive is None else alive
        stop = len(flags) if stop is None else stop
        record = flags.find(1, 0, stop)
        while record >= 0:
            yield record
            record = flags.find(1, record + 1, stop)

    def tokens(self, record: int) -> tuple[list[str], list[str]]:
        names, _, others = self.hays[record].decode().partition("\x00")
        return names.split(), others.split()

    def scan(self, needles: list[bytes], skip: Iterable[int]) -> tuple[list[int], list[int]]:
        """Live records (not in ``skip``) where every needle (``b" " + word``) occurs: those
        where each occurs among the names, and the rest. No needles: every record."""
        excluded = set(skip)
        if not needles:
            return [r for r in self.live_records() if r not in excluded], []
        named: list[int] = []
        other: list[int] = []
        blob, ends, seps, alive = self.hays.blob, self.hays.ends, self.seps, self.alive
        first, *rest = sorted(needles, key=len, reverse=True)  # the rarest, likely
        at = blob.find(first)
        while at >= 0:
            record = bisect_right(ends, at)
            end = ends[record]
            if alive[record] and record not in excluded:
                start = ends[record - 1] if record else 0
                sep = seps[record]
                if at < sep and all(blob.find(n, start, sep) >= 0 for n in rest):
                    named.append(record)
                elif all(blob.find(n, start, end) >= 0 for n in rest):
                    other.append(record)
            at = blob.find(first, end)
        return named, other
