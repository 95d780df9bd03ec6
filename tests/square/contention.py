"""Several clients writing the same customers through a faulty emulator (`run_contention`),
and the ledger check that finds any silent overwrite (`silent_overwrites`).

`CommitLog` sits inside the emulator's fault layer and records every update the emulator
committed (customer, version sent, version produced, note) — also those whose answer the
faults then lose. Each client keeps `Attempt`s: the version it based a write on, the
unique note it wrote and what it was told. `silent_overwrites` holds the two against each
other and the final store, and lists every way a write was lost or overwrote another.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.emulator import DEMO_TOKEN
from app.emulator.asgi import create_app
from app.emulator.faults import Faults, FaultsMiddleware
from app.emulator.operations import is_write_request
from app.square import (
    BulkUpdateEntry,
    ConflictError,
    Customer,
    CustomerFields,
    SquareError,
    SquareService,
)
from tests.conftest import EMULATOR_URL


class VirtualClock:
    """UTC time that moves a little on every read and jumps on every backoff sleep."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=4)
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)


@dataclass(frozen=True)
class Commit:
    """One update the emulator committed (answered 200 inside the fault layer)."""

    customer_id: str
    sent_version: int | None
    version: int
    note: str | None


class CommitLog:
    """ASGI middleware: records the updates the app committed, whatever becomes of the
    answer on its way back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.commits: list[Commit] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        single = scope["type"] == "http" and scope["method"] == "PUT"
        bulk = scope["type"] == "http" and path == "/v2/customers/bulk-update"
        if not (single or bulk):
            await self.app(scope, receive, send)
            return
        request: list[bytes] = []
        answer: list[bytes] = []
        status = [0]

        async def keep_request() -> Message:
            message = await receive()
            request.append(message.get("body", b""))
            return message

        async def keep_answer(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            else:
                answer.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, keep_request, keep_answer)
        finally:
            if status[0] == 200:
                sent = json.loads(b"".join(request) or b"{}")
                got = json.loads(b"".join(answer) or b"{}")
                if single:
                    self._record(sent, got.get("customer"))
                else:
                    for cid, entry in (got.get("responses") or {}).items():
                        self._record(sent["customers"][cid], entry.get("customer"))

    def _record(self, sent: dict[str, Any], customer: dict[str, Any] | None) -> None:
        if customer is not None:
            self.commits.append(
                Commit(
                    customer["id"], sent.get("version"), customer["version"], customer.get("note")
                )
            )


@dataclass
class Attempt:
    """One write a client meant: based on `base`, writing the unique `note`."""

    client: int
    customer_id: str
    base: int
    note: str
    outcome: str = "pending"  # ok | conflict | failed
    version: int | None = None  # the version the client was told it produced
    after_ambiguous: bool = False
    bulk: bool = False


@dataclass
class Contention:
    """The run's record: every attempt, and what the chaos did."""

    attempts: list[Attempt] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def finish(self, attempt: Attempt, result: Customer | SquareError) -> None:
        if isinstance(result, Customer):
            attempt.outcome, attempt.version = "ok", result.version
            if result.note != attempt.note:
                attempt.outcome = f"ok but answered note {result.note!r}"
        else:
            attempt.outcome = "conflict" if isinstance(result, ConflictError) else "failed"
            attempt.after_ambiguous = result.after_ambiguous_attempt
        self.counts[attempt.outcome] += 1


async def write_same_customers(
    number: int,
    service: SquareService,
    targets: list[str],
    run: Contention,
    *,
    steps: int,
    send_versions: bool = True,
    seed: int = 0,
) -> None:
    """One client: read (or trust what it holds), then write a unique note with that version."""
    rng = random.Random(seed * 1000 + number)
    known: dict[str, int] = {}
    for step in range(steps):
        picked = rng.sample(targets, k=2 if rng.random() < 0.25 else 1)
        for cid in picked:
            if cid not in known or rng.random() < 0.7:
                try:
                    known[cid] = (await service.retrieve_customer(cid)).version
                except SquareError:
                    run.counts["read failed"] += 1
                    known.pop(cid, None)
        if any(cid not in known for cid in picked):
            continue
        attempts = [Attempt(number, cid, known[cid], f"c{number}s{step}-{cid}") for cid in picked]
        run.attempts.extend(attempts)

        def version(a: Attempt) -> int | None:
            return a.base if send_versions else None

        if len(attempts) == 1:
            a = attempts[0]
            try:
                result: Customer | SquareError = await service.update_customer(
                    a.customer_id, CustomerFields(note=a.note), version=version(a)
                )
            except SquareError as err:
                result = err
            run.finish(a, result)
        else:
            entries = {
                a.customer_id: BulkUpdateEntry(
                    fields=CustomerFields(note=a.note), version=version(a)
                )
                for a in attempts
            }
            try:
                results: dict[str, Customer | SquareError] = await service.bulk_update_customers(
                    entries
                )
            except SquareError as err:
                results = {a.customer_id: err for a in attempts}
            for a in attempts:
                a.bulk = True
                run.finish(a, results[a.customer_id])
        for a in attempts:
            if a.outcome == "ok" and a.version is not None:
                known[a.customer_id] = a.version
            else:
                known.pop(a.customer_id, None)


def silent_overwrites(
    initial: dict[str, tuple[int, str | None]],
    final: dict[str, tuple[int, str | None]],
    attempts: list[Attempt],
    commits: list[Commit],
) -> list[str]:
    """Every way the run lost a write or let one overwrite another unseen (empty: none)."""
    problems: list[str] = []
    by_note = {a.note: a for a in attempts}
    committed = {c.note: c for c in commits}
    for cid, (start, start_note) in initial.items():
        chain = sorted((c for c in commits if c.customer_id == cid), key=lambda c: c.version)
        versions = [c.version for c in chain]
        if versions != list(range(start + 1, start + 1 + len(chain))):
            problems.append(f"{cid}: versions committed {versions}, not each once from {start + 1}")
        for c in chain:
            meant = by_note.get(c.note or "")
            if meant is None or meant.customer_id != cid:
                problems.append(f"{cid}: v{c.version} holds {c.note!r}, which nobody wrote there")
            elif c.version != meant.base + 1:
                problems.append(
                    f"{cid}: {c.note!r} was based on v{meant.base} but produced v{c.version}: "
                    f"it overwrote {c.version - meant.base - 1} write(s) it never saw"
                )
            if c.sent_version is not None and c.version != c.sent_version + 1:
                problems.append(f"{cid}: sent v{c.sent_version}, emulator produced v{c.version}")
        last = (chain[-1].version, chain[-1].note) if chain else (start, start_note)
        if final[cid] != last:
            problems.append(f"{cid}: stored {final[cid]}, but the last commit was {last}")
    for a in attempts:
        landed = committed.get(a.note)
        if a.outcome.startswith("ok"):
            if a.outcome != "ok":
                problems.append(f"{a.note}: {a.outcome}")
            if landed is None:
                problems.append(f"{a.note}: acknowledged as v{a.version}, never committed")
            elif landed.version != a.version:
                problems.append(
                    f"{a.note}: acknowledged as v{a.version}, committed as v{landed.version}"
                )
        elif a.outcome == "conflict" and not a.after_ambiguous and landed is not None:
            # A stale write refused must not have landed — unless an earlier attempt of the
            # same call may have (then the conflict is with whoever wrote after it; single
            # and bulk entries alike say so).
            problems.append(f"{a.note}: refused as a conflict, yet committed as v{landed.version}")
    return problems


CLIENTS = 3
STEPS = 60


async def run_contention(
    store: Any, calm: SquareService, *, send_versions: bool, seed: int = 21
) -> tuple[list[str], Contention, CommitLog, list[float]]:
    """CLIENTS services write the notes of the same four customers through every fault
    (500/503, 429, drops, committed writes whose answer is lost). Time is virtual and no
    fault sleeps for real, so a run interleaves the same way every time."""
    clock = VirtualClock()
    backoffs: list[float] = []

    async def sleep(seconds: float) -> None:
        backoffs.append(seconds)
        await clock.sleep(seconds)

    faults = Faults(
        error_rate=0.12,
        rate_limit=150.0,
        burst=10,
        drop_rate=0.05,
        lost_answer_rate=0.15,
        seed=seed,
    )
    log = CommitLog(create_app(store, clock=clock))
    chaos = FaultsMiddleware(log, faults, clock, is_write=is_write_request)
    targets = [
        (await calm.create_customer(CustomerFields(given_name="Shared", reference_id=f"s-{i}"))).id
        for i in range(4)
    ]
    initial: dict[str, tuple[int, str | None]] = {cid: (0, None) for cid in targets}
    clients = [
        SquareService(
            EMULATOR_URL,
            DEMO_TOKEN,
            transport=httpx.ASGITransport(app=chaos),
            max_retries=8,
            backoff_base=0.05,
            backoff_cap=2.0,
            rng=random.Random(seed * 100 + n),
            sleep=sleep,
        )
        for n in range(CLIENTS)
    ]
    run = Contention()
    try:
        await asyncio.gather(
            *(
                write_same_customers(
                    n, service, targets, run, steps=STEPS, send_versions=send_versions, seed=seed
                )
                for n, service in enumerate(clients)
            )
        )
    finally:
        for service in clients:
            await service.aclose()
    final: dict[str, tuple[int, str | None]] = {}
    for cid, got in (await calm.bulk_retrieve_customers(targets)).items():
        assert isinstance(got, Customer), got
        final[cid] = (got.version, got.note)
    return silent_overwrites(initial, final, run.attempts, log.commits), run, log, backoffs
