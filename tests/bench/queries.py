"""Realistic name queries, drawn from the customers themselves with a fixed seed."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol


class Named(Protocol):
    given_name: str | None
    family_name: str | None


def typed(text: str) -> str:
    """What an agent types for a name: lower case, no accents, letters and spaces only."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z ]+", "", plain).strip()


def name_queries(customers: Sequence[Named], count: int, seed: int = 3) -> list[str]:
    """`count` queries such as ``"maria gar"``, ``"okafor"`` or ``"ada lovel"``: a given
    name and a prefix of the family name, a family name alone, or a given name alone."""
    rng = random.Random(seed)
    people = [c for c in customers if c.given_name and c.family_name]
    people.sort(key=lambda c: (c.given_name or "", c.family_name or ""))
    out: list[str] = []
    while len(out) < count and people:
        person = rng.choice(people)
        given = typed(person.given_name or "").split(" ")[0]
        family = typed(person.family_name or "").replace(" ", "")
        if not given or not family:
            continue
        shape = rng.random()
        if shape < 0.6:
            text = f"{given} {family[: rng.randint(1, len(family))]}"
        elif shape < 0.85:
            text = family[: rng.randint(min(3, len(family)), len(family))]
        else:
            text = given
        out.append(text)
    return out


def prefixes(queries: Sequence[str]) -> list[str]:
    """Every text the search bar holds while the queries are typed one key at a time."""
    return [query[:n] for query in queries for n in range(1, len(query) + 1)]


class Sampled:
    """A few fields of a customer, read straight from a seeded database."""

    def __init__(self, given: str | None, family: str | None, email: str | None, phone: str | None):
        self.given_name = given
        self.family_name = family
        self.email_address = email
        self.phone_number = phone


def sample_customers(db: Path, count: int, seed: int = 5) -> list[Sampled]:
    """`count` customers sampled evenly (fixed seed) from a seeded emulator database."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT json_extract(doc, '$.given_name'), json_extract(doc, '$.family_name'), "
            "json_extract(doc, '$.email_address'), json_extract(doc, '$.phone_number') "
            "FROM customers ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    rng = random.Random(seed)
    return [Sampled(*row) for row in rng.sample(rows, min(count, len(rows)))]


def email_fragments(people: Sequence[Sampled], count: int, seed: int = 8) -> list[str]:
    """What an agent types to find an email: a whole address, a local part, a domain."""
    rng = random.Random(seed)
    emails = [p.email_address for p in people if p.email_address]
    out = []
    for _ in range(count):
        email = rng.choice(emails).lower()
        local, _, domain = email.partition("@")
        out.append(rng.choice((email, local[: max(3, len(local) // 2)], local + "@", domain)))
    return out


def phone_fragments(people: Sequence[Sampled], count: int, seed: int = 9) -> list[str]:
    """Three to seven digits of real phone numbers, as an agent reads them out."""
    rng = random.Random(seed)
    phones = [re.sub(r"\D", "", p.phone_number) for p in people if p.phone_number]
    out = []
    for _ in range(count):
        digits = rng.choice(phones)
        size = rng.randint(3, min(7, len(digits)))
        start = rng.randint(0, len(digits) - size)
        out.append(digits[start : start + size])
    return out
