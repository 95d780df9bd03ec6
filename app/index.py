"""The local customer index: word-prefix search over a seller's whole directory.

Square's SearchCustomers cannot search by name, so the directory keeps every customer
here and answers name queries locally. What it holds and why:

* **Compact records.** A customer is kept as its JSON bytes plus a sort key, and turned
  back into a :class:`~app.models.Customer` only when read: an answer is a
  :class:`CustomerList` that builds each customer the first time it is indexed (a screen
  shows a few dozen of the 200), and a small cache keeps the last customers built. A
  pydantic ``Customer`` weighs a few kilobytes and takes 5 µs to build; the bytes a few
  hundred.
* **No object per customer.** Every per-customer value lives in a few large buffers
  (``bytes``, ``bytearray``, ``array``), in the built base and in the delta alike. Python's
  small-object allocator never returns an arena while one object in it lives, so 100,000
  small objects made during a load, freed after the build, would leave most of their
  arenas held by whatever else was allocated meanwhile (the HTTP client's, the TUI's).
* **Two inverted indexes.** "Name" words (given and family name, nickname, company) and
  "other" words (email, phone digits, reference id, note) are indexed apart, so that a
  query whose words all match a name ranks above one that matched the note or the email.
* **A sorted base and a delta.** The base is built in one go (after the load, and again
  when the delta grows): customers sorted in Square's DEFAULT order so that a customer's
  *slot* is its rank, a sorted vocabulary with one flat posting array, and a bitset (a
  Python ``int``) for every word prefix shared by many customers. A query word is then a
  dict lookup (frequent prefix) or two bisections and one short slice (rare prefix); words
  combine with ``&``, and the first results in DEFAULT order are the lowest set bits.
  Writes after the build are appended to the *delta* — columns of packed records and a
  hash table from id to record, searched by scanning its word text — and the base copy of
  a changed or deleted customer is masked out of ``alive``.

Matching rule: the query and the indexed fields are folded (case and accents dropped),
split into words at anything that is not a letter or digit, and every query word must be
the prefix of some indexed word. Names also index their joined form (``O'Brien`` →
``o``, ``brien``, ``obrien``); a phone number indexes its digit groups, all its digits and
its digits without the country code.
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
import sys
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from app.models import Customer

__all__ = [
    "CustomerIndex",
    "CustomerList",
    "IndexHits",
    "customer_key",
    "fold",
    "phone_digits",
    "query_words",
    "words",
]

# ----------------------------------------------------------------------------- folding

_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ß": "ss",
    }
)
_WORD = re.compile(r"[^\W_]+")
_NON_DIGIT = re.compile(r"\D+")


def fold(text: str) -> str:
    """Lower case without accents: ``"Zoë Ørsted"`` → ``"zoe orsted"``."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``: runs of letters and digits."""
    return _WORD.findall(fold(text))


def query_words(text: str) -> list[str]:
    """The words a query must match, without those implied by a longer one
    (``"a ada"`` needs only ``ada``), in order of length, longest first."""
    found = sorted(set(words(text)), key=lambda word: (-len(word), word))
    kept: list[str] = []
    for word in found:
        if not any(other.startswith(word) for other in kept):
            kept.append(word)
    return kept


def phone_digits(text: str) -> str:
    """Only the digits of ``text``."""
    return _NON_DIGIT.sub("", text)


def _country_codes() -> frozenset[str]:
    try:
        from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
    except ImportError:  # pragma: no cover - phonenumbers is a dependency
        return frozenset({"1", "7", "44", "33", "49", "61", "81", "86", "91"})
    return frozenset(str(code) for code in COUNTRY_CODE_TO_REGION_CODE)


_COUNTRY_CODES = _country_codes()


def national_digits(phone: str) -> str:
    """The digits of a phone number without its country code, when it has a ``+`` (or
    ``00``) prefix or is an 11-digit NANP number: ``+1 206-222-3333`` → ``2062223333``."""
    digits = phone_digits(phone)
    stripped = phone.lstrip()
    if stripped.startswith("00"):
        digits = digits[2:]
    elif not stripped.startswith("+"):
        if len(digits) == 11 and digits.startswith("1"):
            return digits[1:]
        return digits
    for size in (1, 2, 3):
        if digits[:size] in _COUNTRY_CODES:
            return digits[size:]
    return digits


# --------------------------------------------------------------------------- documents

_NAME_FIELDS = ("given_name", "family_name", "nickname", "company_name")


def _name_tokens(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for value in values:
        if not value:
            continue
        for chunk in fold(value).split():
            runs = _WORD.findall(chunk)
            out.extend(runs)
            if len(runs) > 1:
                out.append("".join(runs))
    return out


def _other_tokens(
    email: str | None, phone: str | None, reference_id: str | None, note: str | None
) -> list[str]:
    out: list[str] = []
    if email:
        out.extend(_WORD.findall(fold(email)))
    if phone:
        runs = _WORD.findall(fold(phone))
        out.extend(runs)
        digits = phone_digits(phone)
        if digits:
            out.append(digits)
            national = national_digits(phone)
            if national and national != digits:
                out.append(national)
    if reference_id:
        out.extend(_name_tokens((reference_id,)))
    if note:
        out.extend(_WORD.findall(fold(note)))
    return out


def _hay(tokens: Iterable[str]) -> str:
    """Distinct tokens as ``" a b c"``: a word prefix test is ``" " + w in hay``."""
    unique = dict.fromkeys(tokens)
    return " " + " ".join(unique) if unique else ""


def customer_key(
    given: str | None,
    family: str | None,
    company: str | None,
    email: str | None,
    phone: str | None,
    customer_id: str,
) -> bytes:
    """Square's DEFAULT order: given + family name, else company, email, phone — folded,
    then the id so that the order is total."""
    name = " ".join(part.strip() for part in (given, family) if part and part.strip())
    primary = name or (company or "").strip() or (email or "").strip() or (phone or "").strip()
    return f"{fold(primary)}\x00{customer_id}".encode()


def _key_of(customer: Customer) -> bytes:
    return customer_key(
        customer.given_name,
        customer.family_name,
        customer.company_name,
        customer.email_address,
        customer.phone_number,
        customer.id,
    )


def _tokens_of(customer: Customer) -> tuple[list[str], list[str]]:
    names = _name_tokens(
        (customer.given_name, customer.family_name, customer.nickname, customer.company_name)
    )
    others = _other_tokens(
        customer.email_address, customer.phone_number, customer.reference_id, customer.note
    )
    return names, others


def _tokens_of_json(data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    names = _name_tokens(data.get(field) for field in _NAME_FIELDS)
    others = _other_tokens(
        data.get("email_address"),
        data.get("phone_number"),
        data.get("reference_id"),
        data.get("note"),
    )
    return names, others


def _dump(customer: Customer) -> bytes:
    return customer.model_dump_json(exclude_none=True).encode()


def _give_back_memory() -> None:
    """Return the heap pages a build freed to the OS (glibc keeps them otherwise: a third
    of the resident size after loading 100,000 customers)."""
    trim = _MALLOC_TRIM
    if trim is not None:
        gc.collect()
        trim(0)


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, …)
        return None
    return trim


_MALLOC_TRIM = _malloc_trim()


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


def _lowest(mask: int, limit: int) -> list[int]:
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


class _Packed(Sequence[bytes]):
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


class _Inverted:
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
        self.vocab = _Packed(token.encode() for token in tokens)
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


# ------------------------------------------------------------------------------- delta


class _Column:
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


class _Delta:
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
        self.ids = _Column()
        self.keys = _Column()
        self.data = _Column()
        self.hays = _Column()
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
        name_hay = _hay(names).encode()
        self.ids.append(wanted)
        self.keys.append(key)
        self.data.append(data)
        self.seps.append(len(self.hays.blob) + len(name_hay))
        self.hays.append(name_hay + b"\x00" + _hay(others).encode())
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


# -------------------------------------------------------------------------------- base


@dataclass(frozen=True)
class _Snapshot:
    """What a build folds together, taken at one instant: the live base slots and the
    delta records then written (records are only appended, so later writes do not show)."""

    base: _Base
    alive: int
    delta: _Delta
    delta_alive: bytes
    delta_stop: int


class _Base:
    """The built, sorted part of the index (immutable except for ``alive``): a customer's
    slot is its rank in DEFAULT order. Everything per customer lives in a few large
    buffers, so a built base of 100,000 customers is a few dozen Python objects."""

    __slots__ = ("alive", "data", "ids", "keys", "name", "other", "table", "versions")

    def __init__(self, snapshot: _Snapshot | None = None) -> None:
        if snapshot is None:  # the empty base: built from itself, with no slot alive
            self.keys = self.ids = self.data = _Packed(())
            self.versions = array("q")
            snapshot = _Snapshot(self, 0, _Delta(), b"", 0)
        old, delta = snapshot.base, snapshot.delta
        # (key, ref): ref >= 0 is a slot of the old base, ~ref a record of the delta
        order: list[tuple[bytes, int]] = [
            (old.keys[slot], slot) for slot in _lowest(snapshot.alive, len(old))
        ]
        order.extend(
            (delta.keys[record], ~record)
            for record in delta.live_records(snapshot.delta_stop, snapshot.delta_alive)
        )
        order.sort()
        size = len(order)
        self.keys = _Packed(key for key, _ in order)
        refs = [ref for _, ref in order]
        del order
        self.ids = _Packed(old.ids[r] if r >= 0 else delta.ids[~r] for r in refs)
        self.data = _Packed(old.data[r] if r >= 0 else delta.data[~r] for r in refs)
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
                name_list, other_list = _tokens_of_json(loads(data[slot]))
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
        self.name = _Inverted(name_lists, size)
        self.other = _Inverted(other_lists, size)
        del name_lists, other_lists
        threshold = max(64, size // 64)
        self.name.finish(threshold)
        self.other.finish(threshold)
        self.alive = (1 << size) - 1

    @staticmethod
    def _hash_ids(ids: _Packed) -> array[int]:
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


# ------------------------------------------------------------------------------ answers


class _Built:
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
        built: _Built | None = None,
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


# ------------------------------------------------------------------------------- index


class CustomerIndex:
    """Every customer of the directory, searchable by word prefix. Not thread-safe."""

    DELTA_LIMIT = 2000
    """Rebuild the base when this many customers were written since the last build."""

    CACHE_SIZE = 1024
    """How many built ``Customer`` objects are kept (least recently read first out)."""

    def __init__(self) -> None:
        self._base = _Base()
        self._delta = _Delta()
        self._cache = _Built(self.CACHE_SIZE)
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
        for slot in _lowest(base.alive, len(base)):
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
        data = _dump(customer)
        if held is not None and self._data_of(customer.id) == data:
            return False
        self._drop(customer.id)
        names, others = _tokens_of(customer)
        self._delta.add(customer.id, _key_of(customer), data, customer.version, names, others)
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
        self._base = _Base()
        self._delta = _Delta()
        self._cache.clear()

    def build(self) -> None:
        """Fold the delta into a freshly sorted base (linear in the directory's size)."""
        if self._changes is not None:
            raise RuntimeError("a build is already running in the background")
        self._install(_Base(self._snapshot()), None)

    async def build_in_background(self) -> None:
        """:meth:`build` in a worker thread, so the event loop keeps answering. Writes
        and searches go on meanwhile against the old base and the delta; the customers
        written during the build stay in the new delta. One build at a time."""
        if self._changes is not None:
            return
        snapshot = self._snapshot()
        self._changes = set()
        try:
            base = await asyncio.to_thread(_Base, snapshot)
        except BaseException:
            self._changes = None
            raise
        del snapshot
        changed, self._changes = self._changes, None
        self._install(base, changed)

    @property
    def building(self) -> bool:
        return self._changes is not None

    def _snapshot(self) -> _Snapshot:
        delta = self._delta
        return _Snapshot(self._base, self._base.alive, delta, bytes(delta.alive), delta.records())

    def _install(self, base: _Base, changed: set[str] | None) -> None:
        """Swap in a base built from a snapshot; ``changed``: the ids written since."""
        old = self._delta
        delta = _Delta()
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
        _give_back_memory()

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
            slots = _lowest(bits, room)
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
        names, others = _tokens_of(customer)
        name_hay, other_hay = _hay(names), _hay(others)
        needles = [" " + word for word in words]
        named = all(n in name_hay for n in needles)
        every = named or all(n in name_hay or n in other_hay for n in needles)
        return every, named

    @staticmethod
    def sort_key(customer: Customer) -> bytes:
        return _key_of(customer)
