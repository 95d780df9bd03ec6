"""Packed storage: many values in a few large buffers, and bitsets over slots.

No object per customer: every per-customer value lives in a few large buffers (``bytes``,
``bytearray``, ``array``), in the built base and in the delta alike. Python's small-object
allocator never returns an arena while one object in it lives, so 100,000 small objects
made during a load, freed after the build, would leave most of their arenas held by
whatever else was allocated meanwhile (the HTTP client's, the TUI's).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import overload

__all__ = ["Column", "Inverted", "Packed", "lowest"]

# ------------------------------------------------------------------------------ bitsets

_BITS = tuple(1 << i for i in range(8))
_BYTE_BITS = tuple(tuple(i for i in range(8) if byte >> i & 1) for byte in range(256))
_NONZERO = re.compile(rb"[^\x00]")


def _bits_from(slots: Iterable[int], nbytes: int) -> int:
    """A bitset with the given slots set (built in a bytearray: linear, not quadratic)."""
    buf = bytearray(nbytes)
    bits = _BITS
    for slot in slots:
        buf[slot >> 3] |= bits[slot & 7]
    return int.from_bytes(buf, "little")


def lowest(mask: int, limit: int) -> list[int]:
    """The positions of the lowest ``limit`` set bits of ``mask``, ascending."""
    out: list[int] = []
    if not mask or limit <= 0:
        return out
    buf = mask.to_bytes((mask.bit_length() + 7) >> 3, "little")
    byte_bits = _BYTE_BITS
    for found in _NONZERO.finditer(buf):
        at = found.start()
        base = at << 3
        for bit in byte_bits[buf[at]]:
            out.append(base + bit)
        if len(out) >= limit:
            del out[limit:]
            break
    return out


class Packed(Sequence[bytes]):
    """Many byte strings in one buffer: no per-item object, nothing for the allocator to
    fragment. Items are sliced out on demand; ``bisect`` works on it when sorted."""

    __slots__ = ("blob", "ends", "sample", "step")

    def __init__(self, items: Iterable[bytes]) -> None:
        parts: list[bytes] = []
        ends = array("Q")
        total = 0
        for item in items:
            parts.append(item)
            total += len(item)
            ends.append(total)
        self.blob = b"".join(parts)
        self.ends = ends
        self.step = 0
        self.sample: list[bytes] = []

    def take_sample(self, every: int) -> None:
        """Keep every ``every``-th item as a real object, for a C-speed first bisection.
        (Called once the build's temporary objects are gone, so that these long-lived
        small objects share a few pools instead of pinning arenas all over the heap.)"""
        self.step = every
        self.sample = [self[i] for i in range(0, len(self.ends), every)]

    def __len__(self) -> int:
        return len(self.ends)

    @overload
    def __getitem__(self, i: int) -> bytes: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[bytes]: ...

    def __getitem__(self, i: int | slice) -> bytes | Sequence[bytes]:
        if isinstance(i, slice):
            return [self[n] for n in range(*i.indices(len(self)))]
        ends = self.ends
        return self.blob[ends[i - 1] if i else 0 : ends[i]]

    def bisect(self, item: bytes, lo: int = 0) -> int:
        """``bisect_left`` from ``lo``, narrowed first on the sample."""
        hi = len(self.ends)
        if self.step:
            block = bisect_left(self.sample, item) - 1
            if block >= 0:
                lo = max(lo, block * self.step)
            block_hi = (block + 1) * self.step + 1
            hi = min(hi, block_hi)
        return bisect_left(self, item, lo, max(lo, hi))


class Inverted:
    """One immutable inverted index: sorted vocabulary (UTF-8, packed), flat postings,
    and a bitset per frequent prefix."""

    __slots__ = ("dense", "nbytes", "offsets", "postings", "vocab")

    def __init__(self, lists: dict[str, list[int]], size: int) -> None:
        self.nbytes = (size + 8) // 8
        tokens = sorted(lists)  # code point order is UTF-8 byte order
        self.postings = array("I")
        offsets = array("I", [0])
        for token in tokens:
            self.postings.extend(lists.pop(token))  # pop: free each list as it is copied
            offsets.append(len(self.postings))
        self.offsets = offsets
        self.vocab = Packed(token.encode() for token in tokens)
        del tokens
        self.dense: dict[bytes, int] = {}

    def finish(self, threshold: int) -> None:
        """The vocabulary sample and the frequent prefixes' bitsets: the small objects that
        live as long as the index, made last."""
        self.vocab.take_sample(32)
        self._dense_children(b"", 0, len(self.vocab), threshold, register=False)

    def _dense_children(
        self, prefix: bytes, lo: int, hi: int, threshold: int, *, register: bool
    ) -> int:
        """The bitset of the vocabulary range ``[lo, hi)`` (all words starting with
        ``prefix``), registering every sub-prefix shared by ``threshold`` or more postings.
        Each posting is set once, at its deepest frequent prefix; parents OR children."""
        vocab, offsets = self.vocab, self.offsets
        size = len(prefix)
        parts: list[int] = []
        loose: list[tuple[int, int]] = []
        i = lo
        if i < hi and len(vocab[i]) == size:
            loose.append((i, i + 1))
            i += 1
        while i < hi:
            first = vocab[i][size]
            j = bisect_left(vocab, prefix + bytes((first + 1,)), i, hi)
            if offsets[j] - offsets[i] >= threshold:
                child = prefix + bytes((first,))
                parts.append(self._dense_children(child, i, j, threshold, register=True))
            else:
                loose.append((i, j))
            i = j
        if not register:
            return 0
        postings = self.postings
        mask = _bits_from(
            (slot for a, b in loose for slot in postings[offsets[a] : offsets[b]]), self.nbytes
        )
        for part in parts:
            mask |= part
        self.dense[prefix] = mask
        return mask

    def match(self, word: bytes) -> int:
        """The bitset of slots with a word starting with ``word`` (UTF-8)."""
        dense = self.dense.get(word)
        if dense is not None:
            return dense
        vocab = self.vocab
        lo = vocab.bisect(word)
        hi = vocab.bisect(word + b"\xff", lo)  # 0xFF never occurs in UTF-8
        if lo == hi:
            return 0
        a, b = self.offsets[lo], self.offsets[hi]
        if b - a == 1:
            return 1 << self.postings[a]
        return _bits_from(self.postings[a:b], self.nbytes)


class Column:
    """Byte strings appended one after another to one growable buffer."""

    __slots__ = ("blob", "ends")

    def __init__(self) -> None:
        self.blob = bytearray()
        self.ends = array("Q")

    def append(self, item: bytes) -> None:
        self.blob += item
        self.ends.append(len(self.blob))

    def __getitem__(self, i: int) -> bytes:
        ends = self.ends
        return bytes(self.blob[ends[i - 1] if i else 0 : ends[i]])
