"""The directory against the emulator, in-process: load, search routing, freshness."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from app.directory import CustomerDirectory, LoadProgress, QueryError
from app.square import CustomerFields, SquareService
from tests.conftest import DEMO_CUSTOMERS, CountingTransport, ServiceMaker


def shown(results: Any) -> list[str]:
    return [c.display_name for c in results.customers]


async def test_load_reports_progress_and_holds_everyone(
    directory: CustomerDirectory, transport: CountingTransport
) -> None:
    seen: list[LoadProgress] = []
    assert not directory.loaded and directory.count == 0
    await directory.load(seen.append)
    assert directory.loaded
    assert directory.count == DEMO_CUSTOMERS
    assert seen[0] == LoadProgress(loaded=0, total=None, pages=0)
    assert all(p.total == DEMO_CUSTOMERS for p in seen[1:])
    assert [p.loaded for p in seen] == sorted(p.loaded for p in seen)
    assert seen[-1].loaded == DEMO_CUSTOMERS
    assert seen[-1].pages == len(transport.searches())
    # the first request asks for the count, sorted by creation
    first = json.loads(transport.searches()[0])
    assert first["count"] is True and first["query"]["sort"]["field"] == "CREATED_AT"


async def test_names_accents_and_case(loaded: CustomerDirectory) -> None:
    results = await loaded.search("zoe BRONTE")
    assert shown(results) == ["Zoë Brontë"]
    assert (results.total, results.source, results.error) == (1, "index", None)
    assert shown(await loaded.search("álvarez jos"))[0] == "José Álvarez"
    assert "Siobhán O'Connor" in shown(await loaded.search("oconnor"))
    assert shown(await loaded.search("nguyen thi"))[0] == "Nguyễn Thị Minh"


async def test_empty_text_is_everyone_in_default_order(loaded: CustomerDirectory) -> None:
    results = await loaded.search("", limit=50)
    assert results.total == DEMO_CUSTOMERS
    assert len(results.customers) == 50
    from app.directory import fold

    keys = [fold(c.display_name) for c in results.customers]
    assert keys == sorted(keys)


async def test_results_are_read_from_the_store_as_they_are_shown(
    loaded: CustomerDirectory, make_big: Any, clock: Any
) -> None:
    from app.directory import Answer
    from app.directory.router import PREFETCH_ROWS

    big = CustomerDirectory(make_big(), clock=clock)
    await big.load()
    results = await big.search("")
    customers = results.customers
    assert isinstance(customers, Answer) and len(customers) == 2500
    assert customers.reads == 1  # the first rows, read with the search (off the loop)
    shown_rows = customers[:35]
    assert [c.id for c in shown_rows] == list(customers.ids[:35])
    assert customers[PREFETCH_ROWS - 1].id and customers.reads == 1
    assert customers[0].created_at is not None and customers[0].created_at.date()
    last = customers[2499]
    assert customers.reads == 2 and last.id == customers.ids[-1]  # one chunk from the end
    assert customers[1250].id == customers.ids[1250] and customers.reads == 3
    # every answer, from the store or from Square, has ids
    for text in ("group:vip", "ada@example.com", "group:nosuchgroup"):
        other = (await loaded.search(text)).customers
        assert list(other.ids) == [c.id for c in other]


async def test_ranking_exact_then_names_then_the_rest(loaded: CustomerDirectory) -> None:
    results = await loaded.search("ada@example.com")
    assert shown(results)[0] == "Ada Lovelace"
    assert results.source == "index+api"
    # "example" also matches the emails of others: they come after, by name
    results = await loaded.search("example")
    names = shown(results)
    assert "Ada Lovelace" in names and results.total == len(names)


async def test_email_text_also_asks_square(
    loaded: CustomerDirectory, transport: CountingTransport
) -> None:
    before = len(transport.searches())
    # an infix of the address: no indexed word starts with it, Square's fuzzy filter finds it
    results = await loaded.search("@ensbakery")
    assert shown(results) == ["Søren's Bakery"]
    assert results.source == "index+api"
    sent = json.loads(transport.searches()[before])
    assert sent["query"]["filter"] == {"email_address": {"fuzzy": "ensbakery"}}


async def test_only_a_query_that_asks_square_reaches_it(
    loaded: CustomerDirectory, transport: CountingTransport
) -> None:
    """The search bar waits for a pause in typing only before a search that asks Square:
    the directory's answer to ``asks_square`` matches where its search goes."""
    for text in ("", "ada lov", "zoe bronte", "oconnor", "created:nonsense"):
        before = len(transport.requests)
        assert not loaded.asks_square(text)
        await loaded.search(text)
        assert len(transport.requests) == before, text
    for text in ("@ensbakery", "212-1200", "group:vip", "ZZZZZZZZZZZZZZZZZZZZZZZZZ9"):
        before = len(transport.requests)
        assert loaded.asks_square(text)
        await loaded.search(text)
        assert len(transport.requests) > before, text


async def test_a_text_is_parsed_once_for_the_decision_and_the_search(
    loaded: CustomerDirectory,
) -> None:
    parsed = loaded.parse("ada group:vip")
    assert loaded.asks_square("ada group:vip")
    assert loaded.parse("ada group:vip") is parsed
    assert loaded.parse("ada") is not parsed
    error = loaded.parse("created:nonsense")
    assert isinstance(error, QueryError)
    results = await loaded.search("created:nonsense")
    assert (results.source, results.error) == ("none", str(error))


async def test_phone_text(loaded: CustomerDirectory) -> None:
    results = await loaded.search("+1 206-222-3333")
    assert shown(results)[0] == "Ada Lovelace"
    # digits in the middle of the number: only Square's fuzzy filter finds them
    results = await loaded.search("212-1200")
    assert "José Álvarez" in shown(results)


async def test_id_text(loaded: CustomerDirectory) -> None:
    ada = (await loaded.search("ada lovelace")).customers[0]
    results = await loaded.search(ada.id.lower())
    assert [c.id for c in results.customers] == [ada.id]


async def test_group_and_segment_operators(
    loaded: CustomerDirectory, service: SquareService
) -> None:
    groups = {g.name: g.id async for g in service.iter_customer_groups()}
    results = await loaded.search("group:vip", limit=500)
    assert results.source == "api" and results.error is None
    assert results.total == len(results.customers) > 0
    assert all(groups["VIP"] in c.group_ids for c in results.customers)
    # words filter the API's answers locally
    some = results.customers[0]
    narrowed = await loaded.search(f"group:VIP {some.family_name}")
    assert some.id in [c.id for c in narrowed.customers]
    assert all(groups["VIP"] in c.group_ids for c in narrowed.customers)
    assert len(narrowed.customers) < len(results.customers)
    # -group: excludes
    others = await loaded.search("-group:vip", limit=500)
    assert others.total == DEMO_CUSTOMERS - results.total
    segment = await loaded.search('segment:"high value"', limit=500)
    assert segment.error is None and segment.total > 0


async def test_unknown_group_is_a_message_not_an_exception(
    loaded: CustomerDirectory, transport: CountingTransport
) -> None:
    before = len(transport.searches())
    results = await loaded.search("group:nonesuch ada")
    assert results.customers == [] and results.total == 0
    assert results.error is not None and "no customer group named 'nonesuch'" in results.error
    assert len(transport.searches()) == before


async def test_malformed_operator_sends_nothing(
    loaded: CustomerDirectory, transport: CountingTransport
) -> None:
    before = len(transport.requests)
    results = await loaded.search("created:>soon")
    assert results.customers == [] and results.source == "none"
    assert results.error is not None and "created: expects a date" in results.error
    assert len(transport.requests) == before


async def test_date_and_source_operators(loaded: CustomerDirectory) -> None:
    results = await loaded.search("created:>=2025-01-01", limit=500)
    assert results.total > 0
    assert all(c.created_at and c.created_at.year >= 2025 for c in results.customers)
    imported = await loaded.search("source:import", limit=500)
    assert imported.total > 0
    assert {c.creation_source for c in imported.customers} == {"IMPORT"}


async def test_refresh_sees_another_clients_write(
    loaded: CustomerDirectory, make_service: ServiceMaker, clock: Any
) -> None:
    other = make_service()
    ada = (await loaded.search("ada lovelace")).customers[0]
    clock.now += timedelta(minutes=5)
    await other.update_customer(ada.id, CustomerFields(given_name="Augusta"))
    made = await other.create_customer(CustomerFields(given_name="Grace", family_name="Hopper"))
    assert shown(await loaded.search("augusta")) == []
    clock.now += timedelta(seconds=10)
    assert await loaded.refresh() == 2
    assert shown(await loaded.search("augusta lovelace")) == ["Augusta Lovelace"]
    assert shown(await loaded.search("grace hopper")) == ["Grace Hopper"]
    assert loaded.get(made.id) is not None
    assert loaded.count == DEMO_CUSTOMERS + 1
    clock.now += timedelta(minutes=5)
    assert await loaded.refresh() == 0


async def test_own_writes_show_at_once_despite_list_lag(
    make_service: ServiceMaker, clock: Any
) -> None:
    from app.emulator.faults import Faults

    service = make_service(faults=Faults(lag_seconds=60))
    directory = CustomerDirectory(service, clock=clock)
    await directory.load()
    made = await service.create_customer(CustomerFields(given_name="Katherine", family_name="J"))
    directory.apply(made)
    assert shown(await directory.search("katherine")) == ["Katherine J"]
    ada = (await directory.search("ada lovelace")).customers[0]
    updated = await service.update_customer(ada.id, CustomerFields(family_name="King"))
    directory.apply(updated)
    assert shown(await directory.search("ada king")) == ["Ada King"]
    # a refresh while Square's lists still lag does not undo the app's own writes
    clock.now += timedelta(seconds=5)
    await directory.refresh()
    assert shown(await directory.search("ada king")) == ["Ada King"]
    assert shown(await directory.search("katherine")) == ["Katherine J"]


async def test_deleted_customers_leave_the_index(make_service: ServiceMaker, clock: Any) -> None:
    from app.emulator.faults import Faults

    service = make_service(faults=Faults(lag_seconds=60))
    directory = CustomerDirectory(service, clock=clock)
    await directory.load()
    ada = (await directory.search("ada lovelace")).customers[0]
    await service.delete_customer(ada.id)
    directory.remove(ada.id)
    assert shown(await directory.search("ada lovelace")) == []
    assert directory.get(ada.id) is None
    # Square's lists still show her for a minute: neither a refresh nor a reload brings
    # her back
    await directory.refresh()
    await directory.load()
    assert directory.get(ada.id) is None
    assert directory.count == DEMO_CUSTOMERS - 1


async def test_refresh_reconciles_deletions_made_elsewhere(
    loaded: CustomerDirectory, make_service: ServiceMaker, clock: Any
) -> None:
    other = make_service()
    zoe = (await loaded.search("zoe bronte")).customers[0]
    await other.delete_customer(zoe.id)
    clock.now += timedelta(minutes=1)
    changed = await loaded.refresh()
    assert changed == 1
    assert loaded.get(zoe.id) is None
    assert shown(await loaded.search("zoe bronte")) == []
    assert loaded.count == DEMO_CUSTOMERS - 1


async def test_service_errors_become_messages(
    loaded: CustomerDirectory, make_service: ServiceMaker, clock: Any
) -> None:
    from app.emulator.faults import Faults

    broken = make_service(faults=Faults(error_rate=1.0), max_retries=0)
    # the store of a healthy load, with a service that now fails every call
    directory = CustomerDirectory(broken, store=loaded.store, clock=clock)
    results = await directory.search("ada@example.com")
    assert shown(results)[:1] == ["Ada Lovelace"]  # the local part still answers
    assert results.error
    results = await directory.search("group:vip")
    assert results.customers == [] and results.error
    results = await directory.search("created:>2024-01-01")
    assert results.customers == [] and results.error


async def test_a_large_directory_loads_in_concurrent_windows(tmp_path: Any, clock: Any) -> None:
    import httpx

    from app.emulator import DEMO_TOKEN
    from app.emulator.asgi import create_app
    from app.emulator.faults import Faults
    from app.emulator.seed import seed_demo
    from app.emulator.store import Store

    store = Store(tmp_path / "big.sqlite3")
    seed_demo(store, customers=2500, seed=3)
    app = create_app(store, faults=Faults(latency_ms=5), clock=clock)

    class Tracking(CountingTransport):
        in_flight = 0
        peak = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                return await super().handle_async_request(request)
            finally:
                self.in_flight -= 1

    transport = Tracking(httpx.ASGITransport(app=app))
    async with SquareService("http://big.test", DEMO_TOKEN, transport=transport) as service:
        directory = CustomerDirectory(service, concurrency=4, clock=clock)
        seen: list[LoadProgress] = []
        await directory.load(seen.append)
        everyone = {c.id async for c in service.iter_customers(limit=100)}
    store.close()
    assert directory.count == len(everyone) == 2500
    assert transport.peak == 4  # the workers ran side by side
    pages = len(transport.searches())
    assert seen[-1].pages == pages
    assert pages <= 25 + 12  # 25 full pages, plus a few partial ones at window edges
    windows = {
        json.dumps(json.loads(body)["query"]["filter"]["created_at"])
        for body in transport.searches()
        if "filter" in json.loads(body).get("query", {})
    }
    assert len(windows) >= 4


async def test_before_the_load_everyone_comes_from_square(directory: CustomerDirectory) -> None:
    results = await directory.search("")
    assert results.source == "api"
    assert results.total == DEMO_CUSTOMERS and len(results.customers) == 100
    assert (await directory.search("ada")).total == 0  # nothing indexed yet
    assert await directory.refresh() == DEMO_CUSTOMERS  # a refresh before a load loads
    assert directory.loaded and directory.count == DEMO_CUSTOMERS


async def test_group_and_segment_names_by_unique_prefix(loaded: CustomerDirectory) -> None:
    gold = await loaded.search("group:loy")
    assert gold.error is None and gold.total > 0
    ambiguous = await loaded.search("segment:l")
    assert ambiguous.customers == []
    assert ambiguous.error is not None and "could be Lapsed, Loyal" in ambiguous.error
