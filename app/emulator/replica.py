"""The list/search side of the emulator: an in-memory replica of the customer table.

List and search read this replica, never SQLite. It is kept sorted in Square's DEFAULT
order and in CREATED_AT order, has precomputed normalised columns (email, phone digits,
E.164, reference id) and answers fuzzy containment with C-speed substring scans over a
joined text blob, so a fuzzy search over 100,000 profiles stays within a few milliseconds.

The replica may lag: a write is published with a `visible_at` time and applied only when
the clock passes it (Square's "list and search may lag behind writes"; Retrieve reads
SQLite and is always consistent).
"""

from __future__ import annotations

import bisect
import json
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .normalise import (
    digit_tokens,
    fuzzy_norm,
    fuzzy_tokens,
    phone_digits,
    phone_e164,
    search_e164,
    sort_key,
)
from .search_query import Key, Query
from .validation import has_identity

# Above this many raw hits, a per-row `in` scan beats walking the blob's hits one by one.
_BLOB_HITS_MAX = 3000


@dataclass(slots=True)
class Entry:
    """One visible customer as list and search see it."""

    id: str
    created_at: str
    updated_at: str
    sort: str
    email_lc: str
    email_fz: str
    e164: str
    digits: str
    ref: str
    ref_fz: str
    source: str
    groups: frozenset[str]
    segments: frozenset[str]
    text: str  # the customer's JSON, as Square returns it

    @classmethod
    def of(cls, customer: dict[str, Any], e164: str | None = None) -> Entry:
        email = customer.get("email_address") or ""
        phone = customer.get("phone_number") or ""
        if e164 is None:
            e164 = (phone_e164(phone) or "") if phone else ""
        ref = customer.get("reference_id") or ""
        return cls(
            id=customer["id"],
            created_at=customer["created_at"],
            updated_at=customer["updated_at"],
            sort=sort_key(customer),
            email_lc=email.casefold(),
            email_fz=fuzzy_norm(email),
            e164=e164,
            digits=phone_digits(phone, e164) if phone else "",
            ref=ref,
            ref_fz=fuzzy_norm(ref),
            source=customer.get("creation_source") or "",
            groups=frozenset(customer.get("group_ids") or ()),
            segments=frozenset(customer.get("segment_ids") or ()),
            text=json.dumps(customer, ensure_ascii=False, separators=(",", ":")),
        )

    def customer(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.text)
        return result


@dataclass
class Page:
    customers: list[dict[str, Any]]
    last_key: Key | None  # set when there are more results after this page
    total: int


@dataclass
class _Column:
    """A normalised column in DEFAULT order, joined into one blob for fast scans."""

    values: list[str] = field(default_factory=list)
    blob: str = ""
    starts: list[int] = field(default_factory=list)

    def build(self, values: list[str]) -> None:
        self.values = values
        self.blob = "\n".join(values)
        starts = [0] * len(values)
        pos = 0
        for i, value in enumerate(values):
            starts[i] = pos
            pos += len(value) + 1
        self.starts = starts

    def positions(self, token: str) -> list[int]:
        """Row positions whose value contains `token`, in order."""
        hits = self.blob.count(token)
        if hits == 0:
            return []
        if hits > _BLOB_HITS_MAX:
            return [i for i, value in enumerate(self.values) if token in value]
        out: list[int] = []
        starts = self.starts
        find = self.blob.find
        pos = find(token)
        while pos >= 0:
            row = bisect.bisect_right(starts, pos) - 1
            out.append(row)
            # jump to the start of the next row
            nxt = starts[row + 1] if row + 1 < len(starts) else len(self.blob)
            pos = find(token, nxt)
        return out


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CustomerReplica:
    """Visible customers in DEFAULT and CREATED_AT order, with lagged publication."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._default: list[Key] = []
        self._created: list[Key] = []
        self._pending: deque[tuple[float, str, Entry | None]] = deque()
        self._columns_dirty = True
        self._ids: list[str] = []
        self._email = _Column()
        self._digits = _Column()
        self._ref = _Column()
        self._by_email: dict[str, set[str]] = {}
        self._by_phone: dict[str, set[str]] = {}
        self._by_ref: dict[str, set[str]] = {}
        self.lag_seconds = 0.0
        self.clock: Callable[[], datetime] = _utcnow

    # --- maintenance ----------------------------------------------------------------

    def load(self, customers: Iterable[tuple[dict[str, Any], str]]) -> None:
        """Replace the whole replica (at open, after a bulk seed): (customer, E.164) pairs."""
        entries = [Entry.of(c, e164) for c, e164 in customers if has_identity(c)]
        self._entries = {e.id: e for e in entries}
        self._default = sorted((e.sort, e.id) for e in entries)
        self._created = sorted((e.created_at, e.id) for e in entries)
        self._by_email, self._by_phone, self._by_ref = {}, {}, {}
        for entry in entries:
            self._lookups(entry, add=True)
        self._pending.clear()
        self._columns_dirty = True

    def publish(
        self, customer_id: str, customer: dict[str, Any] | None, e164: str | None = None
    ) -> None:
        """A committed write (None: deleted); visible after the configured lag."""
        entry = None
        if customer is not None and has_identity(customer):
            entry = Entry.of(customer, e164)
        if self.lag_seconds <= 0 and not self._pending:
            self._apply(customer_id, entry)
            return
        visible_at = self.clock().timestamp() + max(self.lag_seconds, 0.0)
        self._pending.append((visible_at, customer_id, entry))

    def catch_up(self) -> None:
        if not self._pending:
            return
        now = self.clock().timestamp()
        while self._pending and self._pending[0][0] <= now:
            _, customer_id, entry = self._pending.popleft()
            self._apply(customer_id, entry)

    def _apply(self, customer_id: str, entry: Entry | None) -> None:
        old = self._entries.pop(customer_id, None)
        if old is not None:
            _remove(self._default, (old.sort, old.id))
            _remove(self._created, (old.created_at, old.id))
            self._lookups(old, add=False)
        if entry is not None:
            self._entries[customer_id] = entry
            bisect.insort(self._default, (entry.sort, entry.id))
            bisect.insort(self._created, (entry.created_at, entry.id))
            self._lookups(entry, add=True)
        self._columns_dirty = True

    def _lookups(self, entry: Entry, *, add: bool) -> None:
        for table, value in (
            (self._by_email, entry.email_lc),
            (self._by_phone, entry.e164),
            (self._by_ref, entry.ref),
        ):
            if not value:
                continue
            if add:
                table.setdefault(value, set()).add(entry.id)
            else:
                ids = table.get(value)
                if ids is not None:
                    ids.discard(entry.id)
                    if not ids:
                        del table[value]

    def _columns(self) -> None:
        if not self._columns_dirty:
            return
        entries = self._entries
        rows = [entries[cid] for _, cid in self._default]
        self._ids = [e.id for e in rows]
        self._email.build([e.email_fz for e in rows])
        self._digits.build([e.digits for e in rows])
        self._ref.build([e.ref_fz for e in rows])
        self._columns_dirty = False

    def __len__(self) -> int:
        self.catch_up()
        return len(self._entries)

    # --- queries --------------------------------------------------------------------

    def key_of(self, entry: Entry, sort_field: str) -> Key:
        return (
            (entry.created_at, entry.id) if sort_field == "CREATED_AT" else (entry.sort, entry.id)
        )

    def search(self, query: Query, *, after: Key | None, limit: int) -> Page:
        self.catch_up()
        if query.empty:
            return Page([], None, 0)
        ordered = self._created if query.sort_field == "CREATED_AT" else self._default
        keys: Sequence[Key]
        keys = ordered if not query.has_filter() else self._matching_keys(query)
        return self._page(keys, query.descending, after, limit)

    def _page(self, keys: Sequence[Key], descending: bool, after: Key | None, limit: int) -> Page:
        total = len(keys)
        if not descending:
            start = 0 if after is None else bisect.bisect_right(keys, after)
            chunk = keys[start : start + limit]
            more = start + limit < total
        else:
            end = total if after is None else bisect.bisect_left(keys, after)
            start = max(0, end - limit)
            chunk = list(reversed(keys[start:end]))
            more = start > 0
        customers = [self._entries[k[1]].customer() for k in chunk]
        last = chunk[-1] if chunk and more else None
        return Page(customers, last, total)

    def _matching_keys(self, q: Query) -> list[Key]:
        entries = self._entries
        # 1. Exact text filters: hash lookups.
        exact: set[str] | None = None
        lookups: list[set[str]] = []
        if q.email is not None and q.email.exact is not None:
            lookups.append(self._by_email.get(q.email.exact.strip().casefold(), set()))
        if q.phone is not None and q.phone.exact is not None:
            want_phone = search_e164(q.phone.exact)
            lookups.append(self._by_phone.get(want_phone, set()) if want_phone else set())
        if q.reference is not None and q.reference.exact is not None:
            lookups.append(self._by_ref.get(q.reference.exact, set()))
        if q.custom_ids is not None:
            lookups.append(set(q.custom_ids))
        if lookups:
            exact = set.intersection(*lookups)
            if not exact:
                return []

        # 2. Fuzzy text filters: blob scans, giving row positions in DEFAULT order.
        fuzzy: list[tuple[_Column, list[str]]] = []
        if q.email is not None and q.email.fuzzy is not None:
            fuzzy.append((self._email, fuzzy_tokens(q.email.fuzzy)))
        if q.phone is not None and q.phone.fuzzy is not None:
            fuzzy.append((self._digits, digit_tokens(q.phone.fuzzy)))
        if q.reference is not None and q.reference.fuzzy is not None:
            fuzzy.append((self._ref, fuzzy_tokens(q.reference.fuzzy)))
        rows: list[int] | None = None
        if fuzzy:
            self._columns()
            for column, tokens in fuzzy:
                found = _scan(column, tokens, rows)
                rows = found
                if not rows:
                    return []

        # 3. The remaining filters as predicates.
        checks: list[Callable[[Entry], bool]] = []
        if q.sources is not None:
            sources, include = q.sources, q.source_rule == "INCLUDE"
            checks.append(lambda e: (e.source in sources) == include)
        for rng, attr in ((q.created, "created_at"), (q.updated, "updated_at")):
            if rng is not None:
                checks.append(_range_check(attr, rng))
        checks.extend(_set_checks("groups", q.groups_any, q.groups_all, q.groups_none))
        checks.extend(_set_checks("segments", q.segments_any, q.segments_all, q.segments_none))

        def keep(entry: Entry) -> bool:
            return all(check(entry) for check in checks)

        if rows is not None:
            ids = self._ids
            if exact is not None:
                rows = [i for i in rows if ids[i] in exact]
            if checks:
                rows = [i for i in rows if keep(entries[ids[i]])]
            if q.sort_field == "DEFAULT":
                default = self._default
                return [default[i] for i in rows]  # already in order
            pool: Iterable[Entry] = [entries[ids[i]] for i in rows]
        elif exact is not None:
            pool = [entries[cid] for cid in exact if cid in entries]
        elif q.created is not None:
            lo, hi = q.created
            created = self._created
            start = 0 if lo is None else bisect.bisect_left(created, (lo, ""))
            end = len(created) if hi is None else bisect.bisect_left(created, (hi, ""))
            pool = [entries[cid] for _, cid in created[start:end]]
        else:
            pool = entries.values()
        matched = [e for e in pool if keep(e)] if checks else pool
        keys = [self.key_of(e, q.sort_field) for e in matched]
        keys.sort()
        return keys


def _scan(column: _Column, tokens: list[str], rows: list[int] | None) -> list[int]:
    """Rows (within `rows`, when given) whose value contains every token."""
    values = column.values
    if not tokens:  # nothing to look for: any profile with a value matches
        if rows is None:
            return [i for i, v in enumerate(values) if v]
        return [i for i in rows if values[i]]
    ordered = sorted(set(tokens), key=len, reverse=True)
    if rows is None:
        found = column.positions(ordered[0])
        rest = ordered[1:]
    else:
        found, rest = rows, ordered
    for tok in rest:
        found = [i for i in found if tok in values[i]]
    return found


def _remove(keys: list[Key], key: Key) -> None:
    pos = bisect.bisect_left(keys, key)
    if pos < len(keys) and keys[pos] == key:
        del keys[pos]


def _range_check(attr: str, rng: tuple[str | None, str | None]) -> Callable[[Entry], bool]:
    lo, hi = rng

    def check(entry: Entry) -> bool:
        value: str = getattr(entry, attr)
        return (lo is None or value >= lo) and (hi is None or value < hi)

    return check


def _set_checks(
    attr: str,
    any_of: frozenset[str] | None,
    all_of: frozenset[str] | None,
    none_of: frozenset[str] | None,
) -> list[Callable[[Entry], bool]]:
    checks: list[Callable[[Entry], bool]] = []
    if any_of is not None:
        checks.append(lambda e: bool(getattr(e, attr) & any_of))
    if all_of is not None:
        checks.append(lambda e: all_of <= getattr(e, attr))
    if none_of is not None:
        checks.append(lambda e: not (getattr(e, attr) & none_of))
    return checks
