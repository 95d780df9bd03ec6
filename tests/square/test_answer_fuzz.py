"""Hypothesis drives the answer-parsing path with arbitrary statuses, headers and bodies:
whatever a server sends, a call returns its model or raises a ``SquareError``."""

from __future__ import annotations

import asyncio
import json
import random
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from app.square import SquareError, SquareService

Call = Callable[[SquareService], Awaitable[Any]]


async def _all(iterator: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in iterator]


CALLS: dict[str, Call] = {
    "list_customers": lambda s: s.list_customers(count=True),
    "retrieve_customer": lambda s: s.retrieve_customer("C1"),
    "search_customers": lambda s: s.search_customers({"filter": {}}),
    "bulk_retrieve_customers": lambda s: s.bulk_retrieve_customers(["C1", "C2"]),
    "list_customer_groups": lambda s: s.list_customer_groups(),
    "retrieve_customer_segment": lambda s: s.retrieve_customer_segment("S1"),
    "list_cards": lambda s: s.list_cards(customer_id="C1"),
    "iter_customers": lambda s: _all(s.iter_customers()),
    "iter_customer_groups": lambda s: _all(s.iter_customer_groups()),
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=25,
)
square_keys = st.sampled_from(
    ["customer", "customers", "cursor", "count", "errors", "responses", "groups", "cards",
     "segment", "group", "id", "version", "detail", "code", "created_at", "given_name"]
)  # fmt: skip
square_like = st.recursive(
    json_values,
    lambda inner: st.dictionaries(square_keys, inner, max_size=5) | st.lists(inner, max_size=3),
    max_leaves=30,
)


def _encoded(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


def _gzip(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


plain_bodies = st.one_of(
    st.binary(max_size=400),
    square_like.map(_encoded),
    json_values.map(_encoded),
    st.integers(0, 5_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 6_000).map(lambda n: b'{"count": ' + b"7" * n + b"}"),
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
bodies = st.one_of(plain_bodies, plain_bodies.map(_gzip))
header_values = st.one_of(
    st.sampled_from(["inf", "-inf", "nan", "1e309", "-1", "0", "5", "1e-300", ""]),
    st.sampled_from(["Infinity", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 0:0:0 -0000"]),
    st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass").decode("latin-1")),
    st.floats().map(repr),
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "retry-after": st.one_of(st.sampled_from(["inf", "1e309", "nan"]), header_values),
        "content-encoding": st.one_of(
            st.sampled_from(["gzip", "x-gzip", "deflate", "br", "zstd", "identity", "gzip, br"]),
            header_values,
        ),
        "content-type": st.sampled_from(["application/json", "text/html", "", "x/\x00"]),
    },
)


class _Body(httpx.AsyncByteStream):
    """A body that arrives in pieces, as from a socket (not read ahead by httpx)."""

    def __init__(self, data: bytes, piece: int) -> None:
        self._data = data
        self._piece = piece

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for at in range(0, len(self._data), self._piece):
            yield self._data[at : at + self._piece]


async def _sleep(seconds: float) -> None:
    return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    call=st.sampled_from(sorted(CALLS)),
    status=st.one_of(
        st.just(200),
        st.just(429),
        st.sampled_from([400, 401, 404, 409, 500, 503]),
        st.integers(100, 599),
    ),
    head=headers,
    body=bodies,
    piece=st.integers(1, 4096),
    cursors_repeat=st.booleans(),
)
def test_any_answer_is_a_model_or_a_square_error(
    call: str, status: int, head: dict[str, str], body: bytes, piece: int, cursors_repeat: bool
) -> None:
    sent = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        sent += 1
        if sent > 1 and cursors_repeat:  # a listing that goes on: give it a cursor loop
            page = {"customers": [], "groups": [], "cursor": "again"}
            return httpx.Response(200, json=page)
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in head.items()]
        return httpx.Response(status, headers=raw, stream=_Body(body, piece))

    async def run() -> Any:
        async with SquareService(
            "https://square.test",
            "sq0atp-fuzz",
            transport=httpx.MockTransport(handle),
            max_retries=1,
            max_pages=5,
            max_response_bytes=64 * 1024,
            rng=random.Random(0),
            sleep=_sleep,
        ) as service:
            try:
                return await CALLS[call](service)
            except SquareError as err:
                assert str(err) and repr(err)  # a sentence, whatever the server sent
                return err

    outcome = asyncio.run(run())
    event(type(outcome).__name__)
    assert isinstance(outcome, BaseModel | SquareError | dict | list), type(outcome)
    if isinstance(outcome, dict):
        assert all(isinstance(v, BaseModel | SquareError) for v in outcome.values())
    if isinstance(outcome, list):
        assert all(isinstance(v, BaseModel) for v in outcome)
    assert sent <= 6
