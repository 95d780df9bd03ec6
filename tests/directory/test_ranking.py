"""Relevance and reach: the order of an answer, "did you mean", exact emails, phone
digits from the end, city and postal code, why a row matched, sorts — against the demo
directory in the emulator, with a few customers added for each case."""

from __future__ import annotations

from typing import Any

import pytest

from app.directory import CustomerDirectory
from app.square import Address, CustomerFields, SquareService


def names(results: Any) -> list[str]:
    return [c.display_name for c in results.customers]


async def add(
    directory: CustomerDirectory, service: SquareService, given: str, family: str, **more: Any
) -> str:
    made = await service.create_customer(
        CustomerFields(given_name=given, family_name=family, **more)
    )
    directory.apply(made)
    return made.id


async def test_whole_word_names_rank_above_prefixes(
    loaded: CustomerDirectory, service: SquareService
) -> None:
    await add(loaded, service, "Aaron", "Adams")
    await add(loaded, service, "Connie", "Joseph")
    await add(loaded, service, "Jose", "Martin")
    shown = names(await loaded.search("ada"))
    assert shown.index("Ada Lovelace") < shown.index("Aaron Adams")
    shown = names(await loaded.search("jose"))
    assert shown.index("Jose Martin") < shown.index("Connie Joseph")
    # an exact name before everyone else
    await add(loaded, service, "Ada", "Lovelace-Byron")
    assert names(await loaded.search("ada lovelace"))[0] == "Ada Lovelace"


async def test_names_rank_above_other_fields(
    loaded: CustomerDirectory, service: SquareService
) -> None:
    await add(loaded, service, "Pat", "Quill", note="met at the harbor market")
    await add(loaded, service, "Harbor", "Smith")
    results = await loaded.search("harbor")
    shown = names(results)
    assert shown.index("Harbor Smith") < shown.index("Pat Quill")
    row = shown.index("Pat Quill")
    assert results.customers.why(row) == "note"
    assert results.customers.why(shown.index("Harbor Smith")) is None


@pytest.mark.parametrize(
    ("typed", "meant", "who"),
    [
        ("lovelcae", "lovelace", "Ada Lovelace"),
        ("jonh", "john", "John Quincy"),
        ("mraia", "maria", "Maria Quincy"),
    ],
)
async def test_did_you_mean(
    loaded: CustomerDirectory, service: SquareService, typed: str, meant: str, who: str
) -> None:
    await add(loaded, service, "John", "Quincy")
    await add(loaded, service, "Maria", "Quincy")
    results = await loaded.search(typed)
    assert results.suggestion == meant
    assert who in names(results)


async def test_a_word_that_matches_is_not_corrected(loaded: CustomerDirectory) -> None:
    results = await loaded.search("lovel")
    assert results.suggestion is None and "Ada Lovelace" in names(results)
    nothing = await loaded.search("qqqqqqq")
    assert nothing.suggestion is None and nothing.total == 0


async def test_an_exact_email_matches_that_email_only(
    loaded: CustomerDirectory, service: SquareService
) -> None:
    await add(loaded, service, "Adam", "Tran", email_address="adamtran8@example.com")
    await add(loaded, service, "Ada", "Example", email_address="ada.example@example.com")
    results = await loaded.search("ada@example.com")
    assert names(results) == ["Ada Lovelace"]
    assert results.total == 1
    # a partial address still finds every address it starts
    assert "Adam Tran" in names(await loaded.search("adamtran"))


async def test_phone_digits_match_from_the_end_or_whole(
    loaded: CustomerDirectory, service: SquareService
) -> None:
    middle = await add(loaded, service, "Mid", "Dle", phone_number="+1 415-333-3012")
    for text in ("3333", "222-3333", "+1 206-222-3333", "2062223333", "(206) 222-3333"):
        found = [c.id for c in (await loaded.search(text)).customers]
        assert "Ada Lovelace" in names(await loaded.search(text)), text
        assert middle not in found, text  # 3333 in the middle of a number does not count
    assert middle in [c.id for c in (await loaded.search("3012")).customers]
    assert middle in [c.id for c in (await loaded.search("+14153333012")).customers]
    results = await loaded.search("3012")
    row = [c.id for c in results.customers].index(middle)
    assert results.customers.why(row) == "phone"


async def test_city_and_postal_code(loaded: CustomerDirectory, service: SquareService) -> None:
    where = Address(locality="Tacoma", postal_code="98402", country="US")
    made = await add(loaded, service, "Cy", "Tee", address=where)
    results = await loaded.search("tacoma")
    ids = [c.id for c in results.customers]
    assert made in ids and results.customers.why(ids.index(made)) == "city Tacoma"
    results = await loaded.search("98402")
    ids = [c.id for c in results.customers]
    assert made in ids and results.customers.why(ids.index(made)) == "postal code 98402"


async def test_sorts(loaded: CustomerDirectory) -> None:
    by_name = await loaded.search("", sort="name")
    keys = [c.display_name.casefold() for c in by_name.customers[:50]]
    assert by_name.total == loaded.count
    created = (await loaded.search("", sort="created")).customers
    stamps = [c.created_at for c in created if c.created_at is not None]
    assert stamps == sorted(stamps, reverse=True) and len(stamps) == loaded.count
    updated = (await loaded.search("a", sort="updated")).customers
    moments = [c.updated_at for c in updated if c.updated_at is not None]
    assert moments == sorted(moments, reverse=True)
    assert keys[0] <= keys[-1]


async def test_every_match_is_reachable(make_big: Any, clock: Any) -> None:
    directory = CustomerDirectory(make_big(), clock=clock)
    await directory.load()
    everyone = (await directory.search("")).customers
    assert len(everyone) == directory.count == 2500
    from_square = [
        c.id
        async for c in directory._service.iter_search(
            {"sort": {"field": "DEFAULT", "order": "ASC"}}, limit=100
        )
    ]
    assert list(everyone.ids[2400:]) == from_square[2400:]  # read backwards, same order
    assert everyone[2499].id == from_square[-1]
    assert everyone[1250].id == from_square[1250]


@pytest.mark.parametrize("sort", ["relevance", "name", "created"])
async def test_walking_a_tier_finds_what_the_full_text_index_finds(
    make_big: Any, clock: Any, sort: Any
) -> None:
    """A tier of many matches is read by walking the order's index and testing each row's
    columns; that test must select exactly the rows the full-text query counts, in the
    same order, forwards and backwards."""
    from app.directory.answers import Answer

    directory = CustomerDirectory(make_big(), clock=clock)
    await directory.load()
    store = directory.store
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    queries = [*letters, "1", "5", "ma", "jo", "an", "com", "example", "ada l", "mar g", "9"]
    seen_tiers = 0
    for text in queries:
        answer = (await directory.search(text, sort=sort)).customers
        assert isinstance(answer, Answer)
        for tier in answer.tiers:
            everything = (-1, 0)
            for backwards in (False, True):
                walked = store.fetch(
                    tier.sql(backwards, walk=True)[0], (*tier.test_params, *everything)
                )
                gathered = store.fetch(
                    tier.sql(backwards, walk=False)[0], (*tier.params, *everything)
                )
                assert walked == gathered, (text, sort, backwards)
                assert len(walked) == tier.count, (text, sort)
            seen_tiers += tier.count > 0
    assert seen_tiers >= len(queries)  # every query matched something


async def test_a_search_overtaken_by_the_next_key_is_interrupted(tmp_path: Any) -> None:
    """Cancelling a search that is still reading stops it on the reader thread: the next
    read runs (a read that never stopped would hold the reader thread for hours). The
    cancel may come before the statement starts or while it runs: either way it stops."""
    import asyncio

    from app.directory.store import DirectoryStore

    store = DirectoryStore(tmp_path / "store.sqlite3")
    forever = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT count(*) FROM n WHERE i < 0"
    )
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    def endless() -> object:
        loop.call_soon_threadsafe(started.set)
        return store.fetch(forever)

    task = asyncio.ensure_future(store.read(endless))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with asyncio.timeout(120):  # a guard against a hang, not a measure of speed
        assert await store.read(lambda: store.fetch("SELECT 42")) == [(42,)]
    store.close()


async def test_one_letter_counts_follow_every_write(make_big: Any, clock: Any) -> None:
    """The store's counts of customers by the first letters of their words (what a
    one-letter search is counted by) agree with the full-text index after a load, after
    renames and after deletions."""
    from app.square import Customer

    directory = CustomerDirectory(make_big(), clock=clock)
    await directory.load()
    store = directory.store

    def agree() -> None:
        for letter in [*"abcdefghijklmnopqrstuvwxyz", *"0123456789"]:
            for field, columns in (("names", "names"), ("any", "{names others}")):
                expression = f'{columns} : "{letter}"*'
                if field == "any" and letter.isdigit():
                    expression = f'({expression} OR phones : "{letter}"*)'
                counted = store.fetch(
                    "SELECT count(*) FROM words WHERE words MATCH ?", (expression,)
                )[0][0]
                assert store.initials(field, letter) == counted, (field, letter)

    agree()
    some: list[Customer] = list((await directory.search("m")).customers[:40])
    renamed = [
        c.model_copy(update={"given_name": "Zed", "family_name": "Xu", "version": c.version + 1})
        for c in some[:20]
    ]
    await store.upsert(renamed)
    await store.delete(c.id for c in some[20:])
    agree()
    assert (await directory.search("x")).total >= 20
