"""Likely duplicate customers: the rules, the matches for a profile, the groups in a directory.

Two profiles are likely the same person when they share an email (case and spaces
aside), a phone (compared in E.164, read with the seller's country as the default
region), a reference id, or a near-identical name (folded, nicknames read as the full
name, a typo or two allowed) together with the same company, birthday or postal code.
Each rule has a strength; email, phone and reference id are the strongest.

`find_matches(fields, directory)` asks the directory for the candidates of one profile
(the warning before a create or a save); `find_duplicates(directory)` groups a whole
directory from the fields its store keeps for the rules, `group_duplicates(customers)`
the same groups among customers at hand — both without comparing every pair (see
:mod:`app.desk.duplicate_groups`).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.desk.duplicate_groups import NAME_BLOCK_LIMIT, group_rows, row_of
from app.desk.duplicate_keys import (
    birthday_key,
    canonical_given,
    close_names,
    email_key,
    fold_name,
    phone_key,
    postal_key,
    text_key,
)
from app.square.models import Customer, CustomerFields

if TYPE_CHECKING:
    from app.directory import CustomerDirectory

__all__ = [
    "NAME_BLOCK_LIMIT",
    "RULES",
    "DuplicateGroup",
    "Match",
    "Rule",
    "all_customers",
    "find_duplicates",
    "find_matches",
    "group_duplicates",
    "matching_rules",
    "new_duplicates",
]


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    """How the agent reads it: "same email"."""
    strength: int


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule("email", "same email", 100),
        Rule("phone", "same phone", 90),
        Rule("reference", "same reference id", 80),
        Rule("name+company", "similar name, same company", 60),
        Rule("name+birthday", "similar name, same birthday", 60),
        Rule("name+postal", "similar name, same postal code", 50),
    )
}


@dataclass(frozen=True)
class Match:
    """Another profile that looks like the one at hand, and why."""

    customer: Customer
    rules: tuple[str, ...]
    """Keys of :data:`RULES`, strongest first."""

    @property
    def strength(self) -> int:
        return max(RULES[rule].strength for rule in self.rules)

    @property
    def reason(self) -> str:
        return ", ".join(RULES[rule].label for rule in self.rules)


@dataclass(frozen=True)
class DuplicateGroup:
    """Profiles that are likely one person, and the rules that tied them."""

    customers: tuple[Customer, ...]
    rules: tuple[str, ...]

    @property
    def strength(self) -> int:
        return max(RULES[rule].strength for rule in self.rules)

    @property
    def reason(self) -> str:
        return ", ".join(RULES[rule].label for rule in self.rules)

    def to_json(self) -> dict[str, object]:
        return {
            "strength": self.strength,
            "rules": list(self.rules),
            "reason": self.reason,
            "customers": [
                {
                    "id": c.id,
                    "name": c.display_name,
                    "email_address": c.email_address,
                    "phone_number": c.phone_number,
                    "reference_id": c.reference_id,
                    "created_at": c.created_at.isoformat() if c.created_at else None,
                }
                for c in self.customers
            ],
        }


class _Keys:
    """One profile's comparable keys (computed once)."""

    __slots__ = ("birthday", "company", "email", "family", "given", "phone", "postal", "ref")

    def __init__(self, c: Customer | CustomerFields, region: str) -> None:
        self.email = email_key(c.email_address)
        self.phone = phone_key(c.phone_number, region)
        self.ref = (c.reference_id or "").strip()
        self.given = c.given_name or ""
        self.family = c.family_name or ""
        self.company = text_key(c.company_name)
        self.birthday = birthday_key(c.birthday)
        self.postal = postal_key(c.address.postal_code if c.address else None)


def _rules(a: _Keys, b: _Keys) -> tuple[str, ...]:
    found: list[str] = []
    if a.email and a.email == b.email:
        found.append("email")
    if a.phone and a.phone == b.phone:
        found.append("phone")
    if a.ref and a.ref == b.ref:
        found.append("reference")
    corroborated = [
        rule
        for rule, x, y in (
            ("name+company", a.company, b.company),
            ("name+birthday", a.birthday, b.birthday),
            ("name+postal", a.postal, b.postal),
        )
        if x and x == y
    ]
    if corroborated and close_names(a.given, a.family, b.given, b.family):
        found.extend(corroborated)
    return tuple(found)


def matching_rules(
    a: Customer | CustomerFields, b: Customer | CustomerFields, region: str = "US"
) -> tuple[str, ...]:
    """The rules under which ``a`` and ``b`` look like one person (none: distinct)."""
    return _rules(_Keys(a, region), _Keys(b, region))


# -- one profile: the warning ------------------------------------------------------------


def _queries(fields: CustomerFields | Customer) -> list[str]:
    """Directory searches that find every candidate for ``fields`` (then checked)."""
    queries: list[str] = []
    if fields.email_address and fields.email_address.strip():
        queries.append(fields.email_address.strip())
    if fields.phone_number and fields.phone_number.strip():
        queries.append(fields.phone_number.strip())
    if fields.reference_id and fields.reference_id.strip():
        ref = fields.reference_id.strip().replace('"', "")
        queries.append(f'ref:"{ref}"')
    family = fold_name(fields.family_name or "")
    given = fold_name(fields.given_name or "")
    if family:
        queries.append(family)
    if given:
        queries.append(given)
    if family and given:
        # A typo past the third letter, or a nickname: both names by their first letters.
        for first in dict.fromkeys((given, canonical_given(given))):
            queries.append(f"{first[:3]} {family[:3]}")
    return queries


async def find_matches(
    fields: CustomerFields | Customer,
    directory: CustomerDirectory,
    *,
    region: str = "US",
    exclude_id: str | None = None,
) -> list[Match]:
    """Profiles in ``directory`` that look like ``fields``, strongest first
    (``exclude_id``: the profile being edited)."""
    if isinstance(fields, Customer):
        exclude_id = exclude_id or fields.id
    mine = _Keys(fields, region)
    seen: dict[str, Customer] = {}
    for query in _queries(fields):
        results = await directory.search(query, limit=200)
        for customer in results.customers:
            if customer.id != exclude_id:
                seen.setdefault(customer.id, customer)
    matches = []
    for customer in seen.values():
        rules = _rules(mine, _Keys(customer, region))
        if rules:
            matches.append(Match(customer, rules))
    matches.sort(key=lambda m: (-m.strength, -len(m.rules), m.customer.display_name.lower()))
    return matches


MATCHED_FIELDS = frozenset(
    {
        "email_address",
        "phone_number",
        "reference_id",
        "given_name",
        "family_name",
        "company_name",
        "birthday",
        "address",
    }
)
"""The fields the rules read: an edit touching none of them makes no new duplicate."""


async def new_duplicates(
    customer: Customer,
    changes: CustomerFields,
    directory: CustomerDirectory,
    *,
    region: str = "US",
) -> list[Match]:
    """The profiles ``customer`` would look like once ``changes`` are saved and does not
    look like already (an edit that makes it collide), strongest first."""
    if not changes.model_fields_set & MATCHED_FIELDS:
        return []
    update = {name: getattr(changes, name) for name in changes.model_fields_set}
    after = CustomerFields.from_customer(customer).model_copy(update=update)
    before = {m.customer.id for m in await find_matches(customer, directory, region=region)}
    matches = await find_matches(after, directory, region=region, exclude_id=customer.id)
    return [m for m in matches if m.customer.id not in before]


# -- a whole directory: the finder -------------------------------------------------------


async def all_customers(directory: CustomerDirectory) -> Sequence[Customer]:
    """Every customer the directory holds (its public search, nothing of its inside)."""
    results = await directory.search("", limit=max(1, directory.count))
    return results.customers


async def find_duplicates(directory: CustomerDirectory, region: str = "US") -> list[DuplicateGroup]:
    """Groups of likely duplicates in the whole ``directory``, strongest first — the
    groups :func:`group_duplicates` finds among :func:`all_customers`, read from the
    fields the directory keeps for the rules (no customer is read whole but those
    grouped). The grouping runs in a thread, so that the event loop keeps answering."""
    with _collector_paused():
        rows = await directory.matching()
        found = await asyncio.to_thread(group_rows, rows, region)
        del rows
        listed = directory.customers_at([n for members, _ in found for n in members])
    position = {n: at for at, (n, _) in enumerate(listed)}
    return _ordered(found, position, dict(listed))


def group_duplicates(customers: Iterable[Customer], region: str = "US") -> list[DuplicateGroup]:
    """Groups of likely duplicates among ``customers``, strongest first."""
    people = list(customers)
    with _collector_paused():
        found = group_rows((row_of(i, c) for i, c in enumerate(people)), region)
    return _ordered(found, range(len(people)), people)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection meanwhile: the finder makes a hundred thousand small tuples
    and keys, which the collector would rescan again and again."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


_RULE_ORDER = {key: (-rule.strength, at) for at, (key, rule) in enumerate(RULES.items())}
"""Rules strongest first; of equal strength, in the order of :data:`RULES`."""


def _ordered(
    found: list[tuple[list[Any], set[str]]],
    position: Mapping[Any, int] | Sequence[int],
    customer: Mapping[Any, Customer] | Sequence[Customer],
) -> list[DuplicateGroup]:
    """The groups of :func:`group_rows` as :class:`DuplicateGroup`: each one's profiles
    oldest first (ties in the listing's order), its rules strongest first; the groups
    strongest first, then by more rules, more profiles, name, and the listing's order."""
    families = []
    for members, rules in found:
        members.sort(key=position.__getitem__)
        families.append((position[members[0]], members, rules))
    families.sort(key=lambda family: family[0])
    groups = [
        DuplicateGroup(
            tuple(sorted((customer[k] for k in members), key=_created)),
            tuple(sorted(rules, key=_RULE_ORDER.__getitem__)),
        )
        for _, members, rules in families
    ]
    groups.sort(
        key=lambda g: (-g.strength, -len(g.rules), -len(g.customers), _name(g.customers[0]))
    )
    return groups


def _created(customer: Customer) -> str:
    return customer.created_at.isoformat() if customer.created_at else ""


def _name(customer: Customer) -> str:
    return fold_name(customer.display_name)
