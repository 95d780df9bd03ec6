"""Likely duplicate customers: the rules, the matches for a profile, the groups in a directory.

Two profiles are likely the same person when they share an email (case and spaces
aside), a phone (compared in E.164, read with the seller's country as the default
region), a reference id, or a near-identical name (folded, nicknames read as the full
name, a typo or two allowed) together with the same company, birthday or postal code.
Each rule has a strength; email, phone and reference id are the strongest.

`find_matches(fields, directory)` asks the directory for the candidates of one profile
(the warning before a create or a save); `group_duplicates(customers)` groups a whole
directory without comparing every pair: customers are blocked by their keys and only
members of one block are compared.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    "RULES",
    "DuplicateGroup",
    "Match",
    "Rule",
    "all_customers",
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
NAME_BLOCK_LIMIT = 200
"""A name block bigger than this (a very common name and postal code) is not compared
pair by pair: it says too little, and would cost too much."""


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


def group_duplicates(customers: Iterable[Customer], region: str = "US") -> list[DuplicateGroup]:
    """Groups of likely duplicates among ``customers``, strongest first."""
    paused = gc.isenabled()
    gc.disable()  # a million small keys and lists: the collector would rescan them all
    try:
        return _group(list(customers), region)
    finally:
        if paused:
            gc.enable()


def _group(people: list[Customer], region: str) -> list[DuplicateGroup]:
    parent = list(range(len(people)))
    edges: dict[int, set[str]] = defaultdict(set)  # a group's root → its rules

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int, rules: Iterable[str]) -> None:
        a, b = root(i), root(j)
        if a != b:
            parent[b] = a
            edges[a].update(edges.pop(b, ()))
        edges[a].update(rules)

    exact: dict[str, dict[str, list[int]]] = {
        rule: defaultdict(list) for rule in ("email", "phone", "reference")
    }
    by_email, by_phone, by_ref = exact["email"], exact["phone"], exact["reference"]
    # Near-identical names share their family or their (canonical) given name exactly,
    # a typo being in the other: one block for each, with the corroborating value.
    named: list[dict[tuple[str, str], list[int]]] = [defaultdict(list) for _ in range(6)]
    f_company, g_company, f_birthday, g_birthday, f_postal, g_postal = named
    for i, c in enumerate(people):
        email, phone, ref = c.email_address, c.phone_number, c.reference_id
        if email and (email := email.strip().lower()):
            by_email[email].append(i)
        if phone and (phone := phone_key(phone, region)):
            by_phone[phone].append(i)
        if ref and (ref := ref.strip()):
            by_ref[ref].append(i)
        given, family = c.given_name, c.family_name
        if not (given and family):
            continue
        company, birthday, address = c.company_name, c.birthday, c.address
        postal = address.postal_code if address is not None else None
        if not (company or birthday or postal):
            continue
        family, given = fold_name(family), canonical_given(given)
        if company and (company := fold_name(company)):
            f_company[family, company].append(i)
            g_company[given, company].append(i)
        if birthday and (birthday := birthday_key(birthday)):
            f_birthday[family, birthday].append(i)
            g_birthday[given, birthday].append(i)
        if postal and (postal := postal_key(postal)):
            f_postal[family, postal].append(i)
            g_postal[given, postal].append(i)
    for rule, blocks in exact.items():
        for members in blocks.values():
            if len(members) > 1:
                first = members[0]
                for other in members[1:]:
                    join(first, other, (rule,))
    keys: dict[int, _Keys] = {}

    def keyed(i: int) -> _Keys:
        found = keys.get(i)
        if found is None:
            found = keys[i] = _Keys(people[i], region)
        return found

    compared: set[tuple[int, int]] = set()
    for block in named:
        for members in block.values():
            if len(members) < 2 or len(members) > NAME_BLOCK_LIMIT:
                continue
            for x, i in enumerate(members):
                for j in members[x + 1 :]:
                    if (i, j) in compared:
                        continue
                    compared.add((i, j))
                    rules = _rules(keyed(i), keyed(j))
                    if rules:
                        join(i, j, rules)
    families: dict[int, list[int]] = defaultdict(list)
    for i in range(len(people)):
        if parent[i] != i or i in edges:
            families[root(i)].append(i)
    groups = [
        DuplicateGroup(
            tuple(sorted((people[i] for i in members), key=_created)),
            tuple(sorted(edges[top], key=lambda r: -RULES[r].strength)),
        )
        for top, members in families.items()
        if len(members) > 1
    ]
    groups.sort(
        key=lambda g: (-g.strength, -len(g.rules), -len(g.customers), _name(g.customers[0]))
    )
    return groups


def _created(customer: Customer) -> str:
    return customer.created_at.isoformat() if customer.created_at else ""


def _name(customer: Customer) -> str:
    return fold_name(customer.display_name)
