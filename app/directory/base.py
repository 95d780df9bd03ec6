"""The sorted base: the built, immutable part of the index, and the snapshot it is built from.

The base is built in one go (after the load, and again when the delta grows): customers
sorted in Square's DEFAULT order so that a customer's *slot* is its rank, a sorted
vocabulary with one flat posting array, and a bitset (a Python ``int``) for every word
prefix shared by many customers. A query word is then a dict lookup (frequent prefix) or
two bisections and one short slice (rare prefix); words combine with ``&``, and the first
results in DEFAULT order are the lowest set bits.
"""

from __future__ import annotations

import json
from array import array
from dataclasses import dataclass

from app.directory.delta import Delta
from app.directory.documents import tokens_of_json
from app.directory.packed import Inverted, Packed, lowest

__all__ = ["Base", "Snapshot"]


@dataclass(frozen=True)
class Snapshot:
    """What a build folds together, taken at one instant: the live base slots and the
    delta records then written (records are only appended, so later writes do not show)."""

    base: Base
    alive: int
    delta: Delta
    delta_alive: bytes
    delta_stop: int


class Base:
    """The built, sorted part of the index (immutable except for ``alive``): a customer's
    slot is its rank in DEFAULT order. Everything per customer lives in a few large
    buffers, so a built base of 100,000 customers is a few dozen Python objects."""

    __slots__ = ("alive", "data", "ids", "keys", "name", "other", "table", "versions")

    def __init__(self, snapshot: Snapshot | None = None) -> None:
        if snapshot is None:  # the empty base: built from itself, with no slot alive
            self.keys = self.ids = self.data = Packed(())
            self.versions = array("q")
            snapshot = Snapshot(self, 0, Delta(), b"", 0)
        old, delta = snapshot.base, snapshot.delta
        # (key, ref): ref >= 0 is a slot of the old base, ~ref a record of the delta
        order: list[tuple[bytes, int]] = [
            (old.keys[slot], slot) for slot in lowest(snapshot.alive, len(old))
        ]
        order.extend(
            (delta.keys[record], ~record)
            for record in delta.live_records(snapshot.delta_stop, snapshot.delta_alive)
        )
        order.sort()
        size = len(order)
        self.keys = Packed(key for key, _ in order)
        refs = [ref for _, ref in order]
        del order
        self.ids = Packed(old.ids[r] if r >= 0 else delta.ids[~r] for r in refs)
        self.data = Packed(old.data[r] if r >= 0 else delta.data[~r] for r in refs)
        self.versions = array(
            "q", (old.versions[r] if r >= 0 else delta.versions[~r] for r in refs)
        )
        self.table = self._hash_ids(self.ids)
        name_lists: dict[str, list[int]] = {}
        other_lists: dict[str, list[int]] = {}
        loads = json.loads
        data = self.data
        for slot, ref in enumerate(refs):
            if ref < 0:
                name_list, other_list = delta.tokens(~ref)
            else:
                name_list, other_list = tokens_of_json(loads(data[slot]))
            for token in set(name_list):
                found = name_lists.get(token)
                if found is None:
                    name_lists[token] = [slot]
                else:
                    found.append(slot)
            for token in set(other_list):
                found = other_lists.get(token)
                if found is None:
                    other_lists[token] = [slot]
                else:
                    found.append(slot)
        del refs
        self.name = Inverted(name_lists, size)
        self.other = Inverted(other_lists, size)
        del name_lists, other_lists
        threshold = max(64, size // 64)
        self.name.finish(threshold)
        self.other.finish(threshold)
        self.alive = (1 << size) - 1

    @staticmethod
    def _hash_ids(ids: Packed) -> array[int]:
        """An open-addressing table from ``hash(id)`` (UTF-8) to slot (-1: empty)."""
        capacity = 8
        while capacity < 2 * len(ids):
            capacity *= 2
        table = array("i", [-1]) * capacity
        mask = capacity - 1
        for slot in range(len(ids)):
            h = hash(ids[slot]) & mask
            while table[h] >= 0:
                h = (h + 1) & mask
            table[h] = slot
        return table

    def slot(self, customer_id: str) -> int | None:
        """The slot of ``customer_id`` (alive or not), or ``None``."""
        table = self.table
        mask = len(table) - 1
        wanted = customer_id.encode()
        h = hash(wanted) & mask
        ids = self.ids
        while True:
            slot = table[h]
            if slot < 0:
                return None
            if ids[slot] == wanted:
                return slot
            h = (h + 1) & mask

    def customer_id(self, slot: int) -> str:
        return self.ids[slot].decode()

    def __len__(self) -> int:
        return len(self.versions)
