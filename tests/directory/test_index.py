"""The local index on its own: folding, word-prefix matching, ranking, writes, builds."""

from __future__ import annotations

from typing import Any

import pytest

from app.index import CustomerIndex, fold, national_digits, query_words, words
from app.models import Customer
from tests.directory.synthetic import synthetic_customers


def make(cid: str, version: int = 0, **fields: Any) -> Customer:
    return Customer.model_validate({"id": cid, "version": version, **fields})


PEOPLE = [
    make("C1", given_name="Ada", family_name="Lovelace", email_address="ada@example.com"),
    make("C2", given_name="Adam", family_name="Lovell", phone_number="+44 20 7946 0018"),
    make("C3", given_name="Zoë", family_name="Brontë", note="Prefers ADA-compliant seating"),
    make("C4", given_name="Siobhán", family_name="O'Connor", reference_id="NYC_M_35"),
    make("C5", company_name="Søren's Bakery", email_address="orders@sorensbakery.com"),
    make("C6", given_name="José", family_name="Álvarez", nickname="Pepe"),
    make("C7", given_name="Bob", family_name="Smith", phone_number="+1 206-222-3333"),
]


def names(customers: list[Customer]) -> list[str]:
    return [c.display_name for c in customers]


@pytest.fixture(params=["delta", "built"])
def index(request: pytest.FixtureRequest) -> CustomerIndex:
    """Every behaviour holds whether the customers sit in the delta or in a built base."""
    index = CustomerIndex()
    for customer in PEOPLE:
        index.upsert(customer)
    if request.param == "built":
        index.build()
    return index


def search(index: CustomerIndex, text: str, limit: int = 50) -> list[str]:
    return names(index.search(query_words(text), limit).customers)


def test_fold_drops_case_and_accents() -> None:
    assert fold("Zoë BRONTË") == "zoe bronte"
    assert fold("Søren Ærø Łódź straße") == "soren aero lodz strasse"
    assert words("O'Connor-Smith, José") == ["o", "connor", "smith", "jose"]


def test_query_words_drop_words_implied_by_longer_ones() -> None:
    assert query_words("a ada Lov") == ["ada", "lov"]
    assert query_words("  ") == []


def test_national_digits() -> None:
    assert national_digits("+1 206-222-3333") == "2062223333"
    assert national_digits("+44 20 7946 0018") == "2079460018"
    assert national_digits("+353 1 234 5678") == "12345678"
    assert national_digits("1-212-555-4240") == "2125554240"
    assert national_digits("(415) 212-1200") == "4152121200"


def test_every_word_must_prefix_some_word(index: CustomerIndex) -> None:
    assert search(index, "ada lovela") == ["Ada Lovelace"]
    assert search(index, "adam") == ["Adam Lovell"]
    assert search(index, "lov ad") == ["Ada Lovelace", "Adam Lovell"]
    assert search(index, "ada love xyz") == []
    assert search(index, "ovelace") == []  # prefixes only, not infixes


def test_accents_and_case_do_not_matter(index: CustomerIndex) -> None:
    assert search(index, "zoe bronte") == ["Zoë Brontë"]
    assert search(index, "ZOË") == ["Zoë Brontë"]
    assert search(index, "alvarez") == ["José Álvarez"]
    assert search(index, "SOREN") == ["Søren's Bakery"]
    assert search(index, "siobhan") == ["Siobhán O'Connor"]


def test_joined_names_and_nicknames(index: CustomerIndex) -> None:
    assert search(index, "oconnor") == ["Siobhán O'Connor"]
    assert search(index, "o'connor") == ["Siobhán O'Connor"]
    assert search(index, "pepe") == ["José Álvarez"]
    assert search(index, "sorens") == ["Søren's Bakery"]


def test_other_fields_are_indexed(index: CustomerIndex) -> None:
    assert search(index, "example") == ["Ada Lovelace"]
    assert search(index, "sorensbakery") == ["Søren's Bakery"]
    assert search(index, "nyc m 35") == ["Siobhán O'Connor"]  # reference id
    assert search(index, "nycm35") == ["Siobhán O'Connor"]
    assert search(index, "seating") == ["Zoë Brontë"]  # note
    assert search(index, "2062223") == ["Bob Smith"]  # phone without country code
    assert search(index, "12062223333") == ["Bob Smith"]
    assert search(index, "7946") == ["Adam Lovell"]  # a digit group as written


def test_name_matches_rank_above_other_matches(index: CustomerIndex) -> None:
    # "Zoë Brontë" matches "ada" only in her note; Ada and Adam match by name.
    hits = index.search(["ada"], 50)
    assert names(hits.customers) == ["Ada Lovelace", "Adam Lovell", "Zoë Brontë"]
    assert hits.groups == [1, 1, 2]
    assert hits.total == 3


def test_exact_ids_rank_first(index: CustomerIndex) -> None:
    hits = index.search(["ada"], 50, exact_ids=["C2"])
    assert names(hits.customers) == ["Adam Lovell", "Ada Lovelace", "Zoë Brontë"]
    assert hits.groups == [0, 1, 2]
    # an exact id counts even when the words do not match it
    hits = index.search(["zzz"], 50, exact_ids=["C7"])
    assert names(hits.customers) == ["Bob Smith"]
    assert hits.total == 1


def test_empty_query_is_everyone_in_default_order(index: CustomerIndex) -> None:
    hits = index.search([], 50)
    assert names(hits.customers) == [
        "Ada Lovelace",
        "Adam Lovell",
        "Bob Smith",
        "José Álvarez",
        "Siobhán O'Connor",
        "Søren's Bakery",
        "Zoë Brontë",
    ]
    assert hits.total == len(PEOPLE) == len(index)


def test_limit_keeps_the_total(index: CustomerIndex) -> None:
    hits = index.search([], 2)
    assert names(hits.customers) == ["Ada Lovelace", "Adam Lovell"]
    assert hits.total == 7


def test_updates_replace_and_older_versions_are_ignored(index: CustomerIndex) -> None:
    renamed = make("C1", version=3, given_name="Augusta", family_name="King")
    assert index.upsert(renamed)
    assert search(index, "lovelace") == []
    assert search(index, "augusta king") == ["Augusta King"]
    stale = make("C1", version=2, given_name="Ada", family_name="Lovelace")
    assert not index.upsert(stale)
    assert index.get("C1") == renamed
    assert not index.upsert(renamed)  # the same again: nothing changed
    assert len(index) == 7


def test_remove(index: CustomerIndex) -> None:
    assert index.remove("C3")
    assert not index.remove("C3")
    assert "C3" not in index
    assert index.get("C3") is None
    assert search(index, "zoe") == []
    assert index.search([], 50).total == 6


def test_writes_after_a_build_merge_in_order() -> None:
    index = CustomerIndex()
    for customer in PEOPLE:
        index.upsert(customer)
    index.build()
    index.upsert(make("C8", given_name="Adela", family_name="Zed"))
    index.upsert(make("C2", version=1, given_name="Adam", family_name="Lovell", note="vip"))
    assert search(index, "ad") == ["Ada Lovelace", "Adam Lovell", "Adela Zed", "Zoë Brontë"]
    assert search(index, "vip") == ["Adam Lovell"]
    assert len(index) == 8
    index.build()
    assert search(index, "ad") == ["Ada Lovelace", "Adam Lovell", "Adela Zed", "Zoë Brontë"]
    assert search(index, "vip") == ["Adam Lovell"]


def test_built_and_scanned_answers_agree_on_a_large_directory() -> None:
    customers = synthetic_customers(3000)
    built = CustomerIndex()
    scanned = CustomerIndex()
    scanned.auto_build = False
    for customer in customers:
        built.upsert(customer)
        scanned.upsert(customer)
    built.build()
    assert len(built._base) == 3000 and not scanned._base  # one is built, one is not
    for text in ["", "a", "ma", "mar", "maria", "gar m", "gmail", "415", "vip deliv", "sø", "zz"]:
        words = query_words(text)
        a, b = built.search(words, 100), scanned.search(words, 100)
        assert [c.id for c in a.customers] == [c.id for c in b.customers], text
        assert (a.total, a.groups) == (b.total, b.groups), text


async def test_a_background_build_keeps_the_writes_made_meanwhile() -> None:
    import asyncio

    index = CustomerIndex()
    for customer in synthetic_customers(2000):
        index.upsert(customer)
    for customer in PEOPLE:
        index.upsert(customer)
    build = asyncio.create_task(index.build_in_background())
    await asyncio.sleep(0)  # the snapshot is taken, the thread is building
    assert index.building
    index.upsert(make("C1", version=5, given_name="Augusta", family_name="King"))
    index.upsert(make("C9", given_name="Adela", family_name="Zed"))
    index.remove("C3")
    assert search(index, "augusta") == ["Augusta King"]  # answered while building
    await build
    assert not index.building
    assert len(index._base) == 2007 and len(index._delta) == 2
    assert search(index, "augusta") == ["Augusta King"]
    assert "C1" not in [c.id for c in index.search(query_words("ada lovelace"), 500).customers]
    assert search(index, "adela zed") == ["Adela Zed"]
    assert search(index, "zoe bronte") == []
    assert len(index) == 2007
