"""Chaos: 500 mixed operations against a misbehaving emulator all complete, and
afterwards no customer is duplicated and no update is lost; several clients writing the
same customers (with versions) never overwrite one another silently.

Two kinds of failure are injected:
* the emulator's own `Faults` — 20 % 500/503, a token-bucket rate limit (429 with
  Retry-After) and dropped connections — all *before* the emulator runs the request;
* `LostAnswers` (below, test-only ASGI middleware) — the emulator *runs and commits* a
  write, then its answer is lost (a dropped connection or a 502/504). This is the case
  that makes retries dangerous: a retried create must not duplicate, and a retried
  versioned update must not be mistaken for a conflict nor lose an edit.

Time is virtual: the service's backoff sleeps move the emulator's clock (which also
drives its rate limiter), so Retry-After is honoured without waiting for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.emulator import DEMO_TOKEN
from app.emulator.asgi import create_app
from app.emulator.faults import Faults
from app.square import (
    BulkUpdateEntry,
    ConflictError,
    Customer,
    CustomerFields,
    NotFoundError,
    SquareError,
    SquareService,
)
from tests.conftest import EMULATOR_URL, ServiceMaker
from tests.square.contention import (
    CLIENTS,
    STEPS,
    VirtualClock,
    run_contention,
)

pytestmark = pytest.mark.slow

WORKERS = 10
OPS_PER_WORKER = 50


class LostAnswers:
    """Lose the answer of a write the emulator has already committed, now and then."""

    def __init__(self, app: ASGIApp, rate: float, seed: int) -> None:
        self.app = app
        self.rate = rate
        self.rng = random.Random(seed)
        self.lost: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "GET" or self.rng.random() >= self.rate:
            await self.app(scope, receive, send)
            return
        answer: list[Message] = []

        async def keep(message: Message) -> None:
            answer.append(message)

        await self.app(scope, receive, keep)
        if answer and answer[0].get("status", 500) >= 300:
            # not committed: deliver the answer
            for message in answer:
                await send(message)
            return
        self.lost[scope["path"]] += 1
        if self.rng.random() < 0.5:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        status = self.rng.choice((502, 504))
        body = json.dumps(
            {"errors": [{"category": "API_ERROR", "code": "GATEWAY_TIMEOUT", "detail": "lost"}]}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


@dataclass
class Ledger:
    """What the workers know they did."""

    created: dict[str, str] = field(default_factory=dict)  # reference_id -> customer id
    deleted: set[str] = field(default_factory=set)
    notes: dict[str, str] = field(default_factory=dict)  # customer id -> last note written
    versions: dict[str, int] = field(default_factory=dict)  # customer id -> version we hold
    ops: Counter[str] = field(default_factory=Counter)


async def worker(number: int, service: SquareService, ledger: Ledger, group_ids: list[str]) -> None:
    rng = random.Random(1000 + number)
    mine: list[str] = []

    async def create(ref: str) -> None:
        customer = await service.create_customer(
            CustomerFields(given_name=f"Chaos{number}", family_name=ref, reference_id=ref)
        )
        ledger.created[ref] = customer.id
        ledger.versions[customer.id] = customer.version
        mine.append(customer.id)

    await create(f"chaos-{number}-seed")
    for step in range(OPS_PER_WORKER - 1):
        roll = rng.random()
        cid = rng.choice(mine) if mine else None
        if cid is None or roll < 0.18:
            ledger.ops["create"] += 1
            await create(f"chaos-{number}-{step}")
        elif roll < 0.42:
            ledger.ops["update"] += 1
            note = f"w{number}s{step}"
            updated = await service.update_customer(
                cid, CustomerFields(note=note, nickname=None), version=ledger.versions[cid]
            )
            assert updated.note == note
            ledger.notes[cid] = note
            ledger.versions[cid] = updated.version
        elif roll < 0.58:
            ledger.ops["read"] += 1
            fetched = await service.retrieve_customer(cid)
            assert fetched.version == ledger.versions[cid]
            await service.list_customers(limit=10)
        elif roll < 0.66:
            ledger.ops["group"] += 1
            group_id = rng.choice(group_ids)
            await service.add_group_to_customer(cid, group_id)
            if rng.random() < 0.5:
                await service.remove_group_from_customer(cid, group_id)
            ledger.versions[cid] = (await service.retrieve_customer(cid)).version
        elif roll < 0.74:
            ledger.ops["card"] += 1
            card = await service.create_card(f"cnon:card-nonce-ok-{number}-{step}", customer_id=cid)
            if rng.random() < 0.5:
                assert not (await service.disable_card(card.id)).enabled
        elif roll < 0.84:
            ledger.ops["bulk"] += 1
            refs = [f"chaos-{number}-{step}-b{i}" for i in range(2)]
            bulk_made = await service.bulk_create_customers(
                {f"key-{ref}": CustomerFields(given_name="Bulk", reference_id=ref) for ref in refs}
            )
            for ref, result in zip(refs, bulk_made.values(), strict=True):
                assert isinstance(result, Customer), result
                ledger.created[ref] = result.id
                ledger.versions[result.id] = result.version
                mine.append(result.id)
            note = f"w{number}s{step}bulk"
            targets = rng.sample(mine, k=min(2, len(mine)))
            bulk_updated = await service.bulk_update_customers(
                {
                    t: BulkUpdateEntry(fields=CustomerFields(note=note), version=ledger.versions[t])
                    for t in targets
                }
            )
            for t, result in bulk_updated.items():
                assert isinstance(result, Customer), result
                ledger.notes[t] = note
                ledger.versions[t] = result.version
            fetched_all = await service.bulk_retrieve_customers(targets)
            assert all(isinstance(r, Customer) for r in fetched_all.values())
        elif roll < 0.90 and len(mine) > 2:
            ledger.ops["delete"] += 1
            mine.remove(cid)
            await service.delete_customer(cid, version=ledger.versions[cid])
            ledger.deleted.add(cid)
        else:
            ledger.ops["search"] += 1
            ref = next(r for r, c in ledger.created.items() if c == cid)
            page = await service.search_customers(
                {"filter": {"reference_id": {"exact": ref}}}, limit=10
            )
            assert [c.id for c in page.customers] == [cid]


async def test_mixed_operations_survive_chaos(store: Any, make_service: ServiceMaker) -> None:
    clock = VirtualClock()
    backoffs: list[float] = []

    async def sleep(seconds: float) -> None:
        backoffs.append(seconds)
        await clock.sleep(seconds)

    faults = Faults(error_rate=0.2, rate_limit=150.0, burst=20, drop_rate=0.04, seed=11)
    lost = LostAnswers(create_app(store, faults=faults, clock=clock), rate=0.12, seed=12)
    chaotic = SquareService(
        EMULATOR_URL,
        DEMO_TOKEN,
        transport=httpx.ASGITransport(app=lost),
        max_retries=12,
        backoff_base=0.05,
        backoff_cap=2.0,
        rng=random.Random(3),
        sleep=sleep,
    )
    calm = make_service()
    group_ids = [g.id async for g in calm.iter_customer_groups()][:3]
    before = (await calm.list_customers(limit=1, count=True)).count
    ledger = Ledger()
    async with chaotic:
        await asyncio.gather(*(worker(n, chaotic, ledger, group_ids) for n in range(WORKERS)))

    assert sum(ledger.ops.values()) + WORKERS == WORKERS * OPS_PER_WORKER
    # The chaos really happened.
    assert sum(lost.lost.values()) > 20, lost.lost
    assert len(backoffs) > 100

    # No duplicate: every reference made exactly one customer (none once deleted).
    refs = Counter([c.reference_id async for c in calm.iter_customers() if c.reference_id])
    for ref, cid in ledger.created.items():
        assert refs[ref] == (0 if cid in ledger.deleted else 1), ref
    after = (await calm.list_customers(limit=1, count=True)).count
    assert before is not None and after == before + len(ledger.created) - len(ledger.deleted)

    # No lost update: each customer holds the last note written and the version we hold.
    alive = [cid for cid in ledger.created.values() if cid not in ledger.deleted]
    fetched: dict[str, Customer | SquareError] = {}
    for start in range(0, len(alive), 100):
        fetched |= await calm.bulk_retrieve_customers(alive[start : start + 100])
    for cid in alive:
        customer = fetched[cid]
        assert isinstance(customer, Customer)
        assert customer.note == ledger.notes.get(cid), cid
        assert customer.version == ledger.versions[cid], cid
    for cid in ledger.deleted:
        with pytest.raises(NotFoundError):
            await calm.retrieve_customer(cid)


async def test_dropped_connections_over_real_loopback(
    demo_db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The same recovery over a real socket, through uvicorn — and no log line, even
    httpx's and httpcore's at DEBUG, carries the token."""
    from app.emulator.runner import start_background

    caplog.set_level(logging.DEBUG)

    running = start_background(demo_db, faults=Faults(drop_rate=0.3, error_rate=0.1, seed=4))
    try:
        async with SquareService(
            running.base_url, running.token, max_retries=10, backoff_base=0.001, backoff_cap=0.01
        ) as service:
            made = [
                await service.create_customer(
                    CustomerFields(given_name="Loop", reference_id=f"loop-{i}")
                )
                for i in range(15)
            ]
            for customer in made:
                updated = await service.update_customer(
                    customer.id, CustomerFields(note="over the wire"), version=customer.version
                )
                assert updated.note == "over the wire"
            query = {"filter": {"reference_id": {"fuzzy": "loop"}}}
            found = Counter([c.reference_id async for c in service.iter_search(query)])
            assert all(found[f"loop-{i}"] == 1 for i in range(15)), found
    except SquareError as err:  # pragma: no cover - a failure message worth reading
        pytest.fail(f"{err!r}")
    finally:
        running.stop()
    assert "HTTP Request" in caplog.text  # httpx did log
    assert running.token not in caplog.text


@pytest.mark.parametrize("seed", [21, 22, 23])
async def test_clients_writing_the_same_customers_never_overwrite_silently(
    store: Any, make_service: ServiceMaker, seed: int
) -> None:
    problems, run, log, backoffs = await run_contention(
        store, make_service(), send_versions=True, seed=seed
    )
    assert problems == [], (problems[:10], run.counts)
    # The contention and the chaos really happened: stale writes were refused, answers of
    # committed writes were lost and retried, and most writes still went through.
    assert run.counts["conflict"] > 20, run.counts
    assert run.counts["ok"] > CLIENTS * STEPS // 3, run.counts
    assert sum(1 for a in run.attempts if a.after_ambiguous) > 5, run.counts
    assert len(backoffs) > 50
    assert len(log.commits) == len({c.note for c in log.commits}) >= run.counts["ok"]


async def test_the_ledger_catches_lost_updates_when_versions_are_not_sent(
    store: Any, make_service: ServiceMaker
) -> None:
    """The check above bites: the same run without versions loses updates, and it says so."""
    problems, run, _, _ = await run_contention(store, make_service(), send_versions=False)
    assert run.counts["conflict"] == 0, run.counts
    overwrote = [p for p in problems if "it never saw" in p]
    assert len(overwrote) > 10, problems[:10]


class LoseFirstAnswer:
    """Run the first write (it commits), then lose its answer: the connection drops."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.armed = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.armed or scope["type"] != "http" or scope["method"] == "GET":
            await self.app(scope, receive, send)
            return
        self.armed = False

        async def hold(message: Message) -> None:
            pass

        await self.app(scope, receive, hold)
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


async def _mine_then_theirs(
    store: Any, make_service: ServiceMaker, *, bulk: bool
) -> Customer | SquareError:
    """Our versioned write commits but its answer is lost; someone else writes before our
    retry, which therefore meets VERSION_MISMATCH against a customer that is not ours."""
    calm = make_service()
    cid = (await calm.create_customer(CustomerFields(given_name="Ambiguous"))).id

    async def someone_else_writes(seconds: float) -> None:
        await calm.update_customer(cid, CustomerFields(note="theirs"))

    lossy = httpx.ASGITransport(app=LoseFirstAnswer(create_app(store)))
    async with SquareService(
        EMULATOR_URL, DEMO_TOKEN, transport=lossy, rng=random.Random(1), sleep=someone_else_writes
    ) as service:
        mine = CustomerFields(note="mine")
        if bulk:
            entry = BulkUpdateEntry(fields=mine, version=0)
            return (await service.bulk_update_customers({cid: entry}))[cid]
        try:
            return await service.update_customer(cid, mine, version=0)
        except SquareError as err:
            return err


async def test_a_conflict_after_an_ambiguous_update_says_it_may_have_committed(
    store: Any, make_service: ServiceMaker
) -> None:
    err = await _mine_then_theirs(store, make_service, bulk=False)
    assert isinstance(err, ConflictError) and err.after_ambiguous_attempt, err


async def test_a_bulk_entry_conflict_after_an_ambiguous_attempt_says_it_may_have_committed(
    store: Any, make_service: ServiceMaker
) -> None:
    err = await _mine_then_theirs(store, make_service, bulk=True)
    assert isinstance(err, ConflictError), err
    assert err.after_ambiguous_attempt, "our write landed (then was overwritten): say so"
