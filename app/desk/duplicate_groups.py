"""The duplicate finder's engine: groups of likely duplicates among plain rows of fields.

Each customer comes as a plain row — an identifier, then the fields the rules read
(:data:`FIELDS`) — not as a model, so that a whole directory is grouped from the columns
its store keeps (:meth:`app.directory.CustomerDirectory.matching`) or from models
(:func:`row_of`) by the same code. No pair of customers is compared unless it shares a
block: customers with the same email, E.164 phone or reference id are joined outright;
a near-identical name needs a corroborating value, so customers are blocked by their
folded family name and by their canonical given name (a typo being in the other), each
with their company, birthday or postal code, and only members of one block are compared.
The groups come back as their members' identifiers and the rules that tied them, in no
order: :mod:`app.desk.duplicates` orders them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Any

from app.desk.duplicate_keys import (
    birthday_key,
    canonical_given,
    close_folded,
    e164,
    fold_name,
    postal_key,
)
from app.directory.documents import MATCHING, matching_of

if TYPE_CHECKING:
    from app.square.models import Customer

__all__ = ["FIELDS", "NAME_BLOCK_LIMIT", "Row", "group_rows", "row_of"]

FIELDS = MATCHING
"""The fields a row carries after its identifier, in this order."""
NAME_BLOCK_LIMIT = 200
"""A name block bigger than this (a very common name and postal code) is not compared
pair by pair: it says too little, and would cost too much."""

Row = tuple[Any, ...]
"""``(identifier, email, phone, reference id, given, family, company, birthday, postal)``:
the identifier any hashable value, the fields texts or ``None``."""


def row_of(key: Hashable, customer: Customer) -> Row:
    """A customer's row under ``key`` (its position in a list, say)."""
    return (key, *matching_of(customer))


class _Families:
    """Union-find over the identifiers met in a pair (a few thousand of many more)."""

    def __init__(self) -> None:
        self.parent: dict[object, object] = {}
        self.rules: dict[object, set[str]] = {}

    def root(self, i: object) -> object:
        parent = self.parent
        up = parent.setdefault(i, i)
        while up != i:
            parent[i] = above = parent[up]
            i, up = up, above
        return i

    def join(self, i: object, j: object, rules: Iterable[str]) -> None:
        a, b = self.root(i), self.root(j)
        if a != b:
            self.parent[b] = a
            theirs = self.rules.pop(b, None)
            if theirs:
                self.rules.setdefault(a, set()).update(theirs)
        self.rules.setdefault(a, set()).update(rules)

    def groups(self) -> list[tuple[list[Any], set[str]]]:
        members: dict[object, list[object]] = {}
        for i in self.parent:
            members.setdefault(self.root(i), []).append(i)
        return [(found, self.rules[top]) for top, found in members.items()]


def group_rows(rows: Iterable[Row], region: str = "US") -> list[tuple[list[Any], set[str]]]:
    """Groups of likely duplicates among ``rows`` (see the module's docstring): each
    group's members' identifiers and its rules (keys of ``duplicates.RULES``), in no
    particular order."""
    region = region.upper()
    families = _Families()
    join = families.join
    by_email: dict[str, Any] = {}
    by_phone: dict[str, Any] = {}
    by_ref: dict[str, Any] = {}
    email_first, phone_first = by_email.setdefault, by_phone.setdefault
    ref_first = by_ref.setdefault
    # Near-identical names share their family or their (canonical) given name exactly,
    # a typo being in the other: one block for each (0-5: family or given name with the
    # company, birthday or postal code). A block holds its first member; a block met
    # again is a crowd, with every member in the order of ``rows``.
    blocks: dict[tuple[int, str, str], _Named] = {}
    crowds: dict[tuple[int, str, str], list[_Named]] = {}
    block_first, crowd = blocks.setdefault, crowds.setdefault
    postals: dict[str, str] = {}
    birthdays: dict[str, str] = {}
    for i, email, phone, ref, given, family, company, birthday, postal in rows:
        # Each key's first holder; a later one is joined to it.
        if email and (email := email.strip().lower()) and (first := email_first(email, i)) != i:
            join(first, i, ("email",))
        if (
            phone
            and (phone := phone.strip())
            and (phone := e164(phone, region))
            and (first := phone_first(phone, i)) != i
        ):
            join(first, i, ("phone",))
        if ref and (ref := ref.strip()) and (first := ref_first(ref, i)) != i:
            join(first, i, ("reference",))
        if not (given and family and (company or birthday or postal)):
            continue
        family, given = fold_name(family), canonical_given(given)
        company = fold_name(company) if company else ""
        if birthday:
            if (key := birthdays.get(birthday)) is None:
                key = birthdays[birthday] = birthday_key(birthday)
            birthday = key
        if postal:
            if (key := postals.get(postal)) is None:
                key = postals[postal] = postal_key(postal)
            postal = key
        me = (i, family, given, company, birthday or "", postal or "")
        if company:
            if (first := block_first(block := (0, family, company), me)) is not me:
                crowd(block, [first]).append(me)
            if (first := block_first(block := (1, given, company), me)) is not me:
                crowd(block, [first]).append(me)
        if birthday:
            if (first := block_first(block := (2, family, birthday), me)) is not me:
                crowd(block, [first]).append(me)
            if (first := block_first(block := (3, given, birthday), me)) is not me:
                crowd(block, [first]).append(me)
        if postal:
            if (first := block_first(block := (4, family, postal), me)) is not me:
                crowd(block, [first]).append(me)
            if (first := block_first(block := (5, given, postal), me)) is not me:
                crowd(block, [first]).append(me)
    compared: set[tuple[Any, Any]] = set()
    for members in crowds.values():
        if len(members) > NAME_BLOCK_LIMIT:
            continue
        for x, mine in enumerate(members):
            i, family, given = mine[0], mine[1], mine[2]
            for theirs in members[x + 1 :]:
                if not close_folded(family, given, theirs[1], theirs[2]):
                    continue
                if (pair := (i, theirs[0])) in compared:
                    continue
                compared.add(pair)
                join(i, theirs[0], _corroborated(mine, theirs))
    return families.groups()


_Named = tuple[Any, str, str, str, str, str]
"""A named row's keys: identifier, folded family name, canonical given name, folded
company, birthday and postal code ("" for none)."""


def _corroborated(a: _Named, b: _Named) -> list[str]:
    """The name rules two rows with near-identical names meet (one at least: they
    share a block)."""
    found: list[str] = []
    if a[3] and a[3] == b[3]:
        found.append("name+company")
    if a[4] and a[4] == b[4]:
        found.append("name+birthday")
    if a[5] and a[5] == b[5]:
        found.append("name+postal")
    return found
