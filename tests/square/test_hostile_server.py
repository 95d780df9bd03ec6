"""The client against a server that means harm: cycling and endless cursors, huge bodies,
a gzip bomb, a slow drip, absurd Retry-After values and malformed answers. Each ends in a
typed ``SquareError``, in bounded memory and time."""

from __future__ import annotations

import asyncio
import json
import random
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from app.square import (
    NetworkTimeoutError,
    PaginationError,
    RateLimitedError,
    ResponseTooLargeError,
    ServerError,
    SquareError,
    SquareService,
    UnreadableAnswerError,
)
from tests.square.hostile import (
    Hostile,
    Loopback,
    Receive,
    Scope,
    Send,
    answer,
    cycling,
    fresh_cursors,
    gzip_bomb,
    until_disconnect,
)

TOKEN = "sq0atp-hostile-test-token"
MB = 1024 * 1024


def in_process(app: Hostile, **kwargs: Any) -> SquareService:
    kwargs.setdefault("rng", random.Random(3))
    kwargs.setdefault("backoff_base", 0.001)
    kwargs.setdefault("backoff_cap", 0.002)
    return SquareService(
        "http://hostile.test", TOKEN, transport=httpx.ASGITransport(app=app), **kwargs
    )


Lister = Callable[[SquareService], AsyncIterator[Any]]
LISTERS: dict[str, Lister] = {
    "iter_customer_pages": lambda s: s.iter_customer_pages(),
    "iter_customers": lambda s: s.iter_customers(),
    "iter_search_pages": lambda s: s.iter_search_pages({"filter": {}}),
    "iter_search": lambda s: s.iter_search(),
    "iter_customer_groups": lambda s: s.iter_customer_groups(),
    "iter_customer_segments": lambda s: s.iter_customer_segments(),
    "iter_cards": lambda s: s.iter_cards(customer_id="C1"),
}


# -- cursors -------------------------------------------------------------------------------


@pytest.mark.parametrize("lister", LISTERS, ids=list(LISTERS))
async def test_cycling_cursors_stop_every_listing(lister: str) -> None:
    app = Hostile()
    app.handler = app.pages(cycling("A", "B"))
    async with in_process(app) as service:
        with pytest.raises(PaginationError) as info:
            _ = [item async for item in LISTERS[lister](service)]
    # pages: first, A, B — then A again is refused before it is asked for
    assert len(app.requests) == 3
    assert str(info.value).startswith("Square repeated a page cursor")


@pytest.mark.parametrize("lister", ["iter_customers", "iter_customer_groups", "iter_cards"])
async def test_a_chain_longer_than_the_ceiling_is_stopped(lister: str) -> None:
    app = Hostile()
    app.handler = app.pages(fresh_cursors())
    async with in_process(app, max_pages=40) as service:
        with pytest.raises(PaginationError, match="past 40") as info:
            _ = [item async for item in LISTERS[lister](service)]
    assert len(app.requests) == 40
    assert info.value.status is None


async def test_a_chain_that_ends_at_the_ceiling_is_whole() -> None:
    app = Hostile()
    cursors: list[str | None] = [f"c{i}" for i in range(1, 40)] + [None]
    app.handler = app.pages(iter(cursors))
    async with in_process(app, max_pages=40) as service:
        customers = [c async for c in service.iter_customers()]
    assert len(customers) == 40 == len(app.requests)


@pytest.mark.parametrize(
    "cursor", ["x" * 20_000, "bad\x1b[2Jcursor", "caf\u00e9", "\ud800"], ids=repr
)
async def test_an_unusable_cursor_stops_the_listing(cursor: str) -> None:
    app = Hostile()
    app.handler = app.pages(iter([cursor]))
    async with in_process(app) as service:
        with pytest.raises(PaginationError, match="cannot use"):
            _ = [c async for c in service.iter_customers()]
    assert len(app.requests) == 1


# -- size, compression, time ---------------------------------------------------------------


@pytest.fixture(scope="module")
def loopback() -> Iterator[Loopback]:
    server = Loopback(Hostile()).start()
    yield server
    server.stop()


def served(loopback: Loopback, **kwargs: Any) -> SquareService:
    loopback.app.requests.clear()
    kwargs.setdefault("max_retries", 3)
    kwargs.setdefault("backoff_base", 0.001)
    return SquareService(loopback.base_url, TOKEN, **kwargs)


async def measured(call: Callable[[], Any]) -> tuple[BaseException, int]:
    """The error ``call`` raised, and the peak of traced memory meanwhile (bytes)."""
    tracemalloc.start()
    try:
        with pytest.raises(SquareError) as info:
            await call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return info.value, peak


async def test_a_50_mb_body_is_dropped_at_the_cap(loopback: Loopback) -> None:
    async def huge(scope: Scope, receive: Receive, send: Send) -> None:
        head = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": head})
        await send({"type": "http.response.body", "body": b'{"customers": [', "more_body": True})
        spaces = b" " * (64 * 1024)
        for _ in range(50 * 16):  # 50 MB
            await send({"type": "http.response.body", "body": spaces, "more_body": True})
        await send({"type": "http.response.body", "body": b"]}"})

    loopback.app.handler = huge
    async with served(loopback) as service:
        error, peak = await measured(service.list_customers)
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert "larger than 10 MB" in str(error)
    assert error.attempts == 1 and len(loopback.app.requests) == 1  # not fetched again
    assert peak < 40 * MB, f"peak {peak / MB:.0f} MB"


async def test_a_gzip_bomb_stops_at_the_cap_without_inflating(loopback: Loopback) -> None:
    bomb = gzip_bomb(200 * MB)
    assert len(bomb) < 300 * 1024

    async def explode(scope: Scope, receive: Receive, send: Send) -> None:
        head = [(b"content-type", b"application/json"), (b"content-encoding", b"gzip")]
        await send({"type": "http.response.start", "status": 200, "headers": head})
        for at in range(0, len(bomb), 16 * 1024):
            piece = bomb[at : at + 16 * 1024]
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    loopback.app.handler = explode
    async with served(loopback) as service:
        error, peak = await measured(lambda: service.retrieve_customer("C1"))
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert len(loopback.app.requests) == 1
    assert peak < 40 * MB, f"peak {peak / MB:.0f} MB"


async def test_a_small_bomb_under_a_small_cap(loopback: Loopback) -> None:
    """The cap is the service's setting, not a constant."""
    bomb = gzip_bomb(4 * MB)

    async def explode(scope: Scope, receive: Receive, send: Send) -> None:
        await answer(send, 200, bomb, [(b"content-encoding", b"gzip")])

    loopback.app.handler = explode
    async with served(loopback, max_response_bytes=MB) as service:
        with pytest.raises(ResponseTooLargeError, match="larger than 1 MB"):
            await service.retrieve_customer("C1")


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw"])
async def test_compressed_answers_are_read(loopback: Loopback, encoding: str) -> None:
    import zlib

    customer = {"customer": {"id": "C9", "note": "é" * 50_000, "version": 2}}
    plain = json.dumps(customer).encode()
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS, "deflate-raw": -15}
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits[encoding])
    packed = packer.compress(plain) + packer.flush()
    name = encoding.split("-")[0].encode()

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        await answer(send, 200, packed, [(b"content-encoding", name)])

    loopback.app.handler = handle
    async with served(loopback) as service:
        found = await service.retrieve_customer("C9")
    assert found.id == "C9" and found.note == "é" * 50_000


async def test_a_slow_drip_meets_the_deadline(loopback: Loopback) -> None:
    """One byte every 50 ms keeps each read under the 5 s timeout: only the call's
    deadline ends it."""

    async def drip(scope: Scope, receive: Receive, send: Send) -> None:
        head = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": head})
        for _ in range(2_000):
            if await until_disconnect(receive, 0.05):
                return
            await send({"type": "http.response.body", "body": b" ", "more_body": True})

    loopback.app.handler = drip
    async with served(loopback, timeout=5, deadline=0.5) as service:
        with pytest.raises(NetworkTimeoutError) as info:
            await service.list_customers()
    assert isinstance(info.value, TimeoutError)
    assert "within 0.5 s" in str(info.value) and "retries" in str(info.value)


async def test_the_deadline_covers_backoff_sleeps() -> None:
    app = Hostile()

    async def unavailable(scope: Scope, receive: Receive, send: Send) -> None:
        await answer(send, 503, b'{"errors": [{"code": "SERVICE_UNAVAILABLE"}]}')

    async def sleep_forever(seconds: float) -> None:
        await asyncio.Event().wait()

    app.handler = unavailable
    async with in_process(app, deadline=0.2, max_retries=5, sleep=sleep_forever) as service:
        with pytest.raises(NetworkTimeoutError) as info:
            await service.list_customers()
    assert info.value.attempts == 1 and len(app.requests) == 1
    assert "within 0.2 s" in str(info.value)


async def test_a_wait_beyond_the_deadline_gives_up_at_once() -> None:
    app = Hostile()
    sleeps: list[float] = []

    async def limited(scope: Scope, receive: Receive, send: Send) -> None:
        body = b'{"errors": [{"code": "RATE_LIMITED", "category": "RATE_LIMIT_ERROR"}]}'
        await answer(send, 429, body, [(b"retry-after", b"5")])

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    app.handler = limited
    async with in_process(app, deadline=2, sleep=sleep) as service:
        with pytest.raises(RateLimitedError, match="try again in 5 s"):
            await service.list_customers()
    assert sleeps == [] and len(app.requests) == 1


# -- Retry-After -----------------------------------------------------------------------------

RETRY_AFTER = {
    "inf": "give up",
    "Infinity": "give up",
    "-inf": "retry",
    "1e309": "give up",
    "-1": "retry",
    "nan": "retry",
    "NaN": "retry",
    "99999999999999999999999": "give up",
    "0x10": "retry",
    "soon": "retry",
    "": "retry",
    "Fri, 31 Dec 9999 23:59:59 GMT": "give up",
    "Mon, 01 Jan 0001 00:00:00 GMT": "retry",
    "Wed, 21 Oct 2015 07:28:00 -0000": "retry",
    "Wed, 99 Oct 2015 07:28:00 GMT": "retry",
    "2": "retry",
}


@pytest.mark.parametrize(("value", "outcome"), RETRY_AFTER.items(), ids=list(RETRY_AFTER))
async def test_retry_after_never_escapes_the_error_family(value: str, outcome: str) -> None:
    app = Hostile()
    answers = iter([429, 200])
    sleeps: list[float] = []

    async def limited(scope: Scope, receive: Receive, send: Send) -> None:
        if next(answers) == 200:
            await answer(send, 200, b'{"customers": []}')
            return
        body = b'{"errors": [{"code": "RATE_LIMITED", "category": "RATE_LIMIT_ERROR"}]}'
        await answer(send, 429, body, [(b"retry-after", value.encode())])

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    app.handler = limited
    async with in_process(app, sleep=sleep) as service:
        if outcome == "give up":
            with pytest.raises(RateLimitedError) as info:
                await service.list_customers()
            assert "try again in" in str(info.value) and sleeps == []
            assert info.value.retry_after is not None and info.value.retry_after <= 86_400
        else:
            page = await service.list_customers()
            assert page.customers == [] and len(sleeps) == 1
            assert 0 <= sleeps[0] <= 30


# -- malformed answers ---------------------------------------------------------------------

MALFORMED: dict[str, tuple[bytes, list[tuple[bytes, bytes]]]] = {
    "nested 100,000 deep": (b'{"customer": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", []),
    "nested 200 deep": (b'{"customer": {"x": ' + b"[" * 200 + b"]" * 200 + b"}}", []),
    "not UTF-8": (b'{"customer": {"id": "\xff\xfe"}}', []),
    "5,000 digits": (b'{"customer": {"id": "C1", "version": ' + b"9" * 5_000 + b"}}", []),
    "a list": (b"[1, 2, 3]", []),
    "html": (b"<html>proxy login</html>", []),
    "wrong shape": (b'{"customer": {"id": ["C1"], "version": "x"}}', []),
    "customer is a list": (b'{"customer": [1]}', []),
    "brotli": (b"\x1b\x00\x00", [(b"content-encoding", b"br")]),
    "broken gzip": (b"\x1f\x8b\x08\x00garbage", [(b"content-encoding", b"gzip")]),
    "gzip twice": (b"{}", [(b"content-encoding", b"gzip, gzip")]),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
async def test_a_malformed_answer_is_unreadable_and_not_retried(case: str) -> None:
    body, headers = MALFORMED[case]
    app = Hostile()

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        await answer(send, 200, body, headers)

    app.handler = handle
    async with in_process(app) as service:
        with pytest.raises(UnreadableAnswerError) as info:
            await service.retrieve_customer("C1")
    assert isinstance(info.value, ServerError)  # a server's fault, shown as such
    assert "cannot read" in str(info.value)
    assert len(app.requests) == 1


async def test_a_malformed_bulk_answer_is_unreadable() -> None:
    app = Hostile()

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        await answer(send, 200, b'{"responses": ["C1", "C2"]}')

    app.handler = handle
    async with in_process(app) as service:
        with pytest.raises(UnreadableAnswerError):
            await service.bulk_retrieve_customers(["C1", "C2"])


async def test_a_bulk_entry_with_errors_of_the_wrong_shape_is_still_an_error() -> None:
    app = Hostile()

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        body = {"responses": {"C1": {"errors": "boom"}, "C2": {"errors": [7, None]}}}
        await answer(send, 200, json.dumps(body).encode())

    app.handler = handle
    async with in_process(app) as service:
        results = await service.bulk_retrieve_customers(["C1", "C2"])
    assert all(isinstance(r, SquareError) for r in results.values()), results


async def test_a_huge_error_detail_is_cut_short() -> None:
    app = Hostile()

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        body = {"errors": [{"code": "BAD_REQUEST", "detail": "x" * 1_000_000}]}
        await answer(send, 400, json.dumps(body).encode())

    app.handler = handle
    async with in_process(app) as service:
        with pytest.raises(SquareError) as info:
            await service.retrieve_customer("C1")
    assert 0 < len(str(info.value)) <= 301
