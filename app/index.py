"""The local customer index: word-prefix search over a seller's whole directory.

Square's SearchCustomers cannot search by name, so the directory keeps every customer
here and answers name queries locally. What it holds and why:

* **Compact records.** A customer is kept as its JSON bytes plus a sort key, and turned
  back into a :class:`~app.models.Customer` only when shown (a small cache keeps the last
  few thousand). A pydantic ``Customer`` weighs several kilobytes; the bytes a few hundred.
* **Two inverted indexes.** "Name" words (given and family name, nickname, company) and
  "other" words (email, phone digits, reference id, note) are indexed apart, so that a
  query whose words all match a name ranks above one that matched the note or the email.
* **A sorted base and a small delta.** The base is built in one go (after the load, and
  again when the delta grows): customers sorted in Square's DEFAULT order so that a
  customer's *slot* is its rank, a sorted vocabulary with one flat posting array, and a
  bitset (a Python ``int``) for every word prefix shared by many customers. A query word
  is then a dict lookup (frequent prefix) or two bisections and one short slice (rare
  prefix); words combine with ``&``, and the first results in DEFAULT order are the
  lowest set bits. Writes after the build go to the *delta* — a dict scanned linearly —
  and the base copy of a changed or deleted customer is masked out of ``alive``.

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
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from app.models import Customer

__all__ = [
    "CustomerIndex",
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


class _Doc:
    """A customer written since the last build (the delta), searchable by a scan."""

    __slots__ = ("data", "id", "key", "name_hay", "other_hay", "version")

    def __init__(self, customer: Customer) -> None:
        self.id = customer.id
        self.data = _dump(customer)
        self.key = _key_of(customer)
        self.version = customer.version
        names, others = _tokens_of(customer)
        self.name_hay = _hay(names)
        self.other_hay = _hay(others)


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
    text = bin(mask)
    top = len(text) - 1
    end = len(text)
    while len(out) < limit:
        pos = text.rfind("1", 2, end)
        if pos < 0:
            break
        out.append(top - pos)
        end = pos
    return out


class _Packed(Sequence[bytes]):
    """Many byte strings in one buffer: no per-item object, nothing for the allocator to
    fragment. Items are sliced out on demand; ``bisect`` works on it when sorted."""

    __slots__ = ("blob", "ends", "sample", "step")

    def __init__(self, items: Iterable[bytes], sample_every: int = 0) -> None:
        parts: list[bytes] = []
        ends = array("Q")
        total = 0
        for item in items:
            parts.append(item)
            total += len(item)
            ends.append(total)
        self.blob = b"".join(parts)
        self.ends = ends
        self.step = sample_every
        # every step-th item as a real object, for a C-speed first bisection
        self.sample = [self[i] for i in range(0, len(ends), sample_every)] if sample_every else []

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

    def __init__(self, lists: dict[str, list[int]], size: int, threshold: int) -> None:
        self.nbytes = (size + 8) // 8
        tokens = sorted(lists)  # code point order is UTF-8 byte order
        self.postings = array("I")
        offsets = array("I", [0])
        for token in tokens:
            self.postings.extend(lists.pop(token))  # pop: free each list as it is copied
            offsets.append(len(self.postings))
        self.offsets = offsets
        self.vocab = _Packed((token.encode() for token in tokens), sample_every=32)
        del tokens
        self.dense: dict[bytes, int] = {}
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


_Entry = tuple[bytes, str, bytes, int, "_Doc | None"]
"""What a build takes per customer: key, id, JSON, version, and its delta document (whose
words are at hand) or ``None`` (the words are read again from the JSON)."""


class _Base:
    """The built, sorted part of the index (immutable except for ``alive``): a customer's
    slot is its rank in DEFAULT order. Everything per customer lives in a few large
    buffers, so a built base of 100,000 customers is a few dozen Python objects."""

    __slots__ = ("alive", "data", "ids", "keys", "name", "other", "table", "versions")

    def __init__(self, entries: list[_Entry]) -> None:
        entries.sort(key=lambda entry: entry[0])
        size = len(entries)
        self.keys = _Packed(entry[0] for entry in entries)
        self.ids = _Packed(entry[1].encode() for entry in entries)
        self.data = _Packed(entry[2] for entry in entries)
        self.versions = array("q", [entry[3] for entry in entries])
        self.table = self._hash_ids(entries)
        name_lists: dict[str, list[int]] = {}
        other_lists: dict[str, list[int]] = {}
        loads = json.loads
        for slot, entry in enumerate(entries):
            doc = entry[4]
            if doc is not None:
                names: Iterable[str] = doc.name_hay.split()
                others: Iterable[str] = doc.other_hay.split()
            else:
                name_list, other_list = _tokens_of_json(loads(entry[2]))
                names, others = set(name_list), set(other_list)
            for token in names:
                found = name_lists.get(token)
                if found is None:
                    name_lists[token] = [slot]
                else:
                    found.append(slot)
            for token in others:
                found = other_lists.get(token)
                if found is None:
                    other_lists[token] = [slot]
                else:
                    found.append(slot)
        entries.clear()
        threshold = max(64, size // 64)
        self.name = _Inverted(name_lists, size, threshold)
        self.other = _Inverted(other_lists, size, threshold)
        self.alive = (1 << size) - 1

    @staticmethod
    def _hash_ids(entries: list[_Entry]) -> array[int]:
        """An open-addressing table from ``hash(id)`` to slot (-1: empty)."""
        capacity = 8
        while capacity < 2 * len(entries):
            capacity *= 2
        table = array("i", [-1]) * capacity
        mask = capacity - 1
        for slot, entry in enumerate(entries):
            h = hash(entry[1]) & mask
            while table[h] >= 0:
                h = (h + 1) & mask
            table[h] = slot
        return table

    def slot(self, customer_id: str) -> int | None:
        """The slot of ``customer_id`` (alive or not), or ``None``."""
        table = self.table
        mask = len(table) - 1
        h = hash(customer_id) & mask
        wanted = customer_id.encode()
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


@dataclass(frozen=True)
class IndexHits:
    """The customers matching a query, ranked, as far as ``limit``; ``total`` counts all."""

    customers: list[Customer]
    total: int
    groups: list[int]
    """Per customer: 0 among ``exact_ids``, 1 matched on name fields, 2 otherwise."""


class CustomerIndex:
    """Every customer of the directory, searchable by word prefix. Not thread-safe."""

    DELTA_LIMIT = 2000
    """Rebuild the base when this many customers were written since the last build."""

    CACHE_SIZE = 2048
    """How many built ``Customer`` objects are kept (first in, first out)."""

    def __init__(self) -> None:
        self._base = _Base([])
        self._delta: dict[str, _Doc] = {}
        self._cache: OrderedDict[str, tuple[bytes, Customer]] = OrderedDict()
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
        yield from self._delta
        base = self._base
        for slot in _lowest(base.alive, len(base)):
            yield base.customer_id(slot)

    def version_of(self, customer_id: str) -> int | None:
        doc = self._delta.get(customer_id)
        if doc is not None:
            return doc.version
        slot = self._live_slot(customer_id)
        return None if slot is None else self._base.versions[slot]

    def get(self, customer_id: str) -> Customer | None:
        data = self._data_of(customer_id)
        return None if data is None else self._customer(customer_id, data)

    def _live_slot(self, customer_id: str) -> int | None:
        base = self._base
        slot = base.slot(customer_id)
        if slot is None or not (base.alive >> slot) & 1:
            return None
        return slot

    def _data_of(self, customer_id: str) -> bytes | None:
        doc = self._delta.get(customer_id)
        if doc is not None:
            return doc.data
        slot = self._live_slot(customer_id)
        return None if slot is None else self._base.data[slot]

    def _customer(self, customer_id: str, data: bytes) -> Customer:
        cache = self._cache
        hit = cache.get(customer_id)
        if hit is not None and hit[0] == data:
            return hit[1]
        customer = Customer.model_validate_json(data)
        cache[customer_id] = (data, customer)
        if len(cache) > self.CACHE_SIZE:
            cache.popitem(last=False)
        return customer

    # -- writes -----------------------------------------------------------------------

    def upsert(self, customer: Customer, *, force: bool = False) -> bool:
        """Add or replace ``customer``; an older ``version`` than the one held is ignored
        unless ``force``. Returns whether anything changed."""
        held = self.version_of(customer.id)
        if held is not None and customer.version < held and not force:
            return False
        doc = _Doc(customer)
        old = self._data_of(customer.id)
        if old is not None and old == doc.data:
            return False
        self._drop(customer.id)
        self._delta[customer.id] = doc
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
        self._cache.pop(customer_id, None)
        if self._changes is not None:
            self._changes.add(customer_id)
        if self._delta.pop(customer_id, None) is not None:
            # A base copy, if any, was masked out when the delta copy came in.
            return True
        slot = self._live_slot(customer_id)
        if slot is None:
            return False
        self._base.alive &= ~(1 << slot)
        return True

    def clear(self) -> None:
        self._base = _Base([])
        self._delta.clear()
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
        entries = self._snapshot()
        self._changes = set()
        try:
            base = await asyncio.to_thread(_Base, entries)
        except BaseException:
            self._changes = None
            raise
        changed, self._changes = self._changes, None
        self._install(base, changed)

    @property
    def building(self) -> bool:
        return self._changes is not None

    def _snapshot(self) -> list[_Entry]:
        base = self._base
        entries: list[_Entry] = [
            (base.keys[slot], base.customer_id(slot), base.data[slot], base.versions[slot], None)
            for slot in _lowest(base.alive, len(base))
        ]
        entries.extend(
            (doc.key, doc.id, doc.data, doc.version, doc) for doc in self._delta.values()
        )
        return entries

    def _install(self, base: _Base, changed: set[str] | None) -> None:
        """Swap in a base built from a snapshot; ``changed``: the ids written since."""
        delta: dict[str, _Doc] = {}
        if changed:
            delta = {cid: doc for cid, doc in self._delta.items() if cid in changed}
            for cid in changed:
                slot = base.slot(cid)
                if slot is not None:
                    base.alive &= ~(1 << slot)
        self._base = base
        self._delta = delta
        _give_back_memory()

    # -- search -----------------------------------------------------------------------

    def search(self, words: list[str], limit: int, exact_ids: Iterable[str] = ()) -> IndexHits:
        """Customers where every word prefixes an indexed word, ranked: ``exact_ids``
        first, then those matched on name fields alone, then the rest; each group in
        DEFAULT order. No words: everyone, in DEFAULT order."""
        ranked, groups, total = self.rank(words, limit, exact_ids)
        customers = [self._customer(cid, data) for cid, data in ranked]
        return IndexHits(customers=customers, total=total, groups=groups)

    def rank(
        self, words: list[str], limit: int, exact_ids: Iterable[str] = ()
    ) -> tuple[list[tuple[str, bytes]], list[int], int]:
        """:meth:`search` without building the ``Customer`` objects: the ranked
        ``(id, JSON)`` pairs, their groups, and the total."""
        base = self._base
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
        exact_delta: list[_Doc] = []
        for cid in exact_ids:
            doc = self._delta.get(cid)
            if doc is not None:
                exact_delta.append(doc)
                continue
            slot = self._live_slot(cid)
            if slot is not None:
                exact_bits |= 1 << slot
        # The delta, scanned.
        groups_delta: tuple[list[_Doc], list[_Doc]] = ([], [])
        exact_delta_ids = {doc.id for doc in exact_delta}
        if self._delta:
            needles = [" " + word for word in words]
            for doc in self._delta.values():
                if doc.id in exact_delta_ids:
                    continue
                name_hay, other_hay = doc.name_hay, doc.other_hay
                if all(n in name_hay for n in needles):
                    groups_delta[0].append(doc)
                elif all(n in name_hay or n in other_hay for n in needles):
                    groups_delta[1].append(doc)
        named &= ~exact_bits
        rest = every & ~named & ~exact_bits
        total = (
            (exact_bits | every).bit_count()
            + len(exact_delta)
            + len(groups_delta[0])
            + len(groups_delta[1])
        )
        ranked: list[tuple[str, bytes]] = []
        groups: list[int] = []
        tiers = ((exact_bits, exact_delta), (named, groups_delta[0]), (rest, groups_delta[1]))
        for group, (bits, delta) in enumerate(tiers):
            room = limit - len(ranked)
            if room <= 0:
                break
            slots = _lowest(bits, room)
            before = len(ranked)
            if delta:
                picked = [(base.keys[s], base.customer_id(s), base.data[s]) for s in slots]
                picked.extend((doc.key, doc.id, doc.data) for doc in delta)
                picked.sort()
                ranked.extend((cid, data) for _key, cid, data in picked[:room])
            else:
                ranked.extend((base.customer_id(s), base.data[s]) for s in slots)
            groups.extend([group] * (len(ranked) - before))
        return ranked, groups, total

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
