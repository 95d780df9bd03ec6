"""The word index on its own: word-prefix matching, ranking, writes, builds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from app.directory import WordIndex, query_words
from app.square import Customer
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


def names(customers: Sequence[Customer]) -> list[str]:
    return [c.display_name for c in customers]


@pytest.fixture(params=["delta", "built"])
def index(request: pytest.FixtureRequest) -> WordIndex:
    """Every behaviour holds whether the customers sit in the delta or in a built base."""
    index = WordIndex()
    for customer in PEOPLE:
        index.upsert(customer)
    if request.param == "built":
        index.build()
    return index


def search(index: WordIndex, text: str, limit: int = 50) -> list[str]:
    return names(index.search(query_words(text), limit).customers)


def test_every_word_must_prefix_some_word(index: WordIndex) -> None:
    assert search(index, "ada lovela") == ["Ada Lovelace"]
    assert search(index, "adam") == ["Adam Lovell"]
    assert search(index, "lov ad") == ["Ada Lovelace", "Adam Lovell"]
    assert search(index, "ada love xyz") == []
    assert search(index, "ovelace") == []  # prefixes only, not infixes


def test_accents_and_case_do_not_matter(index: WordIndex) -> None:
    assert search(index, "zoe bronte") == ["Zoë Brontë"]
    assert search(index, "ZOË") == ["Zoë Brontë"]
    assert search(index, "alvarez") == ["José Álvarez"]
    assert search(index, "SOREN") == ["Søren's Bakery"]
    assert search(index, "siobhan") == ["Siobhán O'Connor"]


def test_joined_names_and_nicknames(index: WordIndex) -> None:
    assert search(index, "oconnor") == ["Siobhán O'Connor"]
    assert search(index, "o'connor") == ["Siobhán O'Connor"]
    assert search(index, "pepe") == ["José Álvarez"]
    assert search(index, "sorens") == ["Søren's Bakery"]


def test_other_fields_are_indexed(index: WordIndex) -> None:
    assert search(index, "example") == ["Ada Lovelace"]
    assert search(index, "sorensbakery") == ["Søren's Bakery"]
    assert search(index, "nyc m 35") == ["Siobhán O'Connor"]  # reference id
    assert search(index, "nycm35") == ["Siobhán O'Connor"]
    assert search(index, "seating") == ["Zoë Brontë"]  # note
    assert search(index, "2062223") == ["Bob Smith"]  # phone without country code
    assert search(index, "12062223333") == ["Bob Smith"]
    assert search(index, "7946") == ["Adam Lovell"]  # a digit group as written


def test_name_matches_rank_above_other_matches(index: WordIndex) -> None:
    # "Zoë Brontë" matches "ada" only in her note; Ada and Adam match by name.
    hits = index.search(["ada"], 50)
    assert names(hits.customers) == ["Ada Lovelace", "Adam Lovell", "Zoë Brontë"]
    assert hits.groups == [1, 1, 2]
    assert hits.total == 3


def test_exact_ids_rank_first(index: WordIndex) -> None:
    hits = index.search(["ada"], 50, exact_ids=["C2"])
    assert names(hits.customers) == ["Adam Lovell", "Ada Lovelace", "Zoë Brontë"]
    assert hits.groups == [0, 1, 2]
    # an exact id counts even when the words do not match it
    hits = index.search(["zzz"], 50, exact_ids=["C7"])
    assert names(hits.customers) == ["Bob Smith"]
    assert hits.total == 1


def test_empty_query_is_everyone_in_default_order(index: WordIndex) -> None:
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


def test_limit_keeps_the_total(index: WordIndex) -> None:
    hits = index.search([], 2)
    assert names(hits.customers) == ["Ada Lovelace", "Adam Lovell"]
    assert hits.total == 7


def test_updates_replace_and_older_versions_are_ignored(index: WordIndex) -> None:
    renamed = make("C1", version=3, given_name="Augusta", family_name="King")
    assert index.upsert(renamed)
    assert search(index, "lovelace") == []
    assert search(index, "augusta king") == ["Augusta King"]
    stale = make("C1", version=2, given_name="Ada", family_name="Lovelace")
    assert not index.upsert(stale)
    assert index.get("C1") == renamed
    assert not index.upsert(renamed)  # the same again: nothing changed
    assert len(index) == 7


def test_remove(index: WordIndex) -> None:
    assert index.remove("C3")
    assert not index.remove("C3")
    assert "C3" not in index
    assert index.get("C3") is None
    assert search(index, "zoe") == []
    assert index.search([], 50).total == 6


def test_writes_after_a_build_merge_in_order() -> None:
    index = WordIndex()
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
    built = WordIndex()
    scanned = WordIndex()
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

    index = WordIndex()
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


def test_answers_build_customers_only_when_read() -> None:
    index = WordIndex()
    for customer in synthetic_customers(500):
        index.upsert(customer)
    index.build()
    index._cache.clear()
    hits = index.search([], 200)
    assert len(hits.customers) == 200 and len(index._cache) == 0  # nothing built yet
    first = hits.customers[0]
    assert len(index._cache) == 1
    assert hits.customers[0] is first  # read again: the same object
    assert hits.customers.ids[0] == first.id
    assert len(hits.customers.ids) == 200 and len(index._cache) == 1  # ids build nothing
    assert [c.id for c in hits.customers[:35]] == list(hits.customers.ids[:35])
    assert len(index._cache) == 35


def test_an_answer_is_a_read_only_sequence(index: WordIndex) -> None:
    hits = index.search([], 50)
    customers = hits.customers
    everyone = list(customers)
    assert [c.id for c in everyone] == ["C1", "C2", "C7", "C6", "C4", "C5", "C3"]
    assert len(customers) == 7 and customers[-1].id == "C3"
    assert customers[1:3] == everyone[1:3] and everyone[1:3] == customers[1:3]
    assert [c.id for c in customers[::-2]] == ["C3", "C4", "C7", "C1"]
    assert customers == everyone and customers == tuple(everyone) and customers != everyone[1:]
    assert customers[2] in customers and customers.index(customers[2]) == 2
    assert list(reversed(customers)) == everyone[::-1]
    with pytest.raises(IndexError):
        customers[7]
    # a built customer is fully typed, as the table reads it
    ada = index.get("C1")
    assert ada is not None and ada == customers[0] and ada.display_name == "Ada Lovelace"


def test_an_answer_keeps_what_was_found_when_the_index_changes(index: WordIndex) -> None:
    hits = index.search(query_words("ada"), 50)
    index.upsert(make("C1", version=3, given_name="Augusta", family_name="King"))
    index.remove("C2")
    index.build()
    assert names(hits.customers) == ["Ada Lovelace", "Adam Lovell", "Zoë Brontë"]
    assert names(index.search(query_words("ada"), 50).customers) == ["Zoë Brontë"]


def test_the_delta_survives_many_rewrites_and_removals() -> None:
    customers = synthetic_customers(1500)
    index = WordIndex()
    index.auto_build = False
    for customer in customers:  # its id table grows from 16 entries to 4,096
        index.upsert(customer)
    for round_ in range(1, 4):  # every third customer rewritten three times
        for customer in customers[::3]:
            index.upsert(customer.model_copy(update={"version": round_, "note": f"r{round_}"}))
    for customer in customers[1::3]:
        index.remove(customer.id)
    index.upsert(customers[1])  # back again
    expected = {c.id for c in customers[::3]} | {c.id for c in customers[2::3]} | {customers[1].id}
    assert len(index) == len(expected) == len(set(index.ids()))
    assert set(index.ids()) == expected
    assert index.search(query_words("r3"), 2000).total == len(customers[::3])
    assert index.search(query_words("r2"), 2000).total == 0
    held = customers[3]
    assert index.version_of(held.id) == 3
    assert index.get(customers[4].id) is None and customers[4].id not in index
    before = [(c.id, g) for c, g in zip(*_ranked(index, "ma r3"), strict=True)]
    index.build()
    assert [(c.id, g) for c, g in zip(*_ranked(index, "ma r3"), strict=True)] == before
    assert len(index) == len(expected) and len(index._delta) == 0


def _ranked(index: WordIndex, text: str) -> tuple[list[Customer], list[int]]:
    hits = index.search(query_words(text), 500)
    return list(hits.customers), hits.groups


def test_no_python_object_per_customer() -> None:
    """Per-customer Python objects made during a load and freed after the build would
    leave the small-object heap fragmented (arenas held by whatever else was allocated
    meanwhile): the delta and the base keep customers in a few large buffers."""
    import gc
    import sys

    customers = synthetic_customers(5000)
    gc.collect()
    before = sys.getallocatedblocks()
    index = WordIndex()
    index.auto_build = False
    for customer in customers:
        index.upsert(customer)
    gc.collect()
    assert sys.getallocatedblocks() - before < 200  # the delta: a constant few
    index.build()
    gc.collect()
    # the base: a sample of its vocabulary and its frequent prefixes, not per customer
    assert sys.getallocatedblocks() - before < len(customers) // 2
