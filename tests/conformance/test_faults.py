"""What a misbehaving emulator looks like to Square's SDK: 5xx, 429 with Retry-After,
answers lost after the write committed.

The SDK retries 408, 409, 429 and 5xx twice (with backoff); these tests turn that off
(`NO_RETRY`) to see each answer as sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from square import Square
from square.core.api_error import ApiError

from app.emulator.faults import Faults
from app.emulator.runner import RunningEmulator, open_demo_store, start_background

from .conftest import NO_RETRY, SquareFactory, expect_error, some, unique

Serve = Callable[[Faults], RunningEmulator]


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    """Start emulators with faults, each on its own small database."""
    running: list[RunningEmulator] = []

    def start(faults: Faults) -> RunningEmulator:
        path: Path = tmp_path_factory.mktemp("faults") / "demo.sqlite3"
        open_demo_store(path, customers=20, seed=3).close()
        emulator = start_background(path, faults=faults)
        running.append(emulator)
        return emulator

    yield start
    for emulator in running:
        emulator.stop()


def test_server_errors(serve: Serve, make_square: SquareFactory) -> None:
    failing: Square = make_square(base_url=serve(Faults(error_rate=1.0, seed=1)).base_url)
    seen = set()
    for _ in range(8):
        with pytest.raises(ApiError) as info:
            failing.customers.list(request_options=NO_RETRY)
        err = info.value
        code = {500: "INTERNAL_SERVER_ERROR", 503: "SERVICE_UNAVAILABLE"}[some(err.status_code)]
        assert [(e.category, e.code) for e in err.errors] == [("API_ERROR", code)]
        seen.add(err.status_code)
    assert seen == {500, 503}


def test_rate_limited(serve: Serve, make_square: SquareFactory) -> None:
    limited = make_square(base_url=serve(Faults(rate_limit=0.5, burst=2)).base_url)
    limited.customers.list(limit=1, request_options=NO_RETRY)
    limited.customers.list(limit=1, request_options=NO_RETRY)
    err = expect_error(
        lambda: limited.customers.list(limit=1, request_options=NO_RETRY),
        429,
        "RATE_LIMITED",
        category="RATE_LIMIT_ERROR",
    )
    assert err.headers is not None and int(err.headers["retry-after"]) >= 1


def test_rate_limit_refills_with_real_time(serve: Serve, make_square: SquareFactory) -> None:
    # One token a second: the second request comes well within it, even on a loaded machine.
    limited = make_square(base_url=serve(Faults(rate_limit=1, burst=1)).base_url)
    limited.customers.list(limit=1, request_options=NO_RETRY)
    expect_error(
        lambda: limited.customers.list(limit=1, request_options=NO_RETRY),
        429,
        "RATE_LIMITED",
        category="RATE_LIMIT_ERROR",
    )
    time.sleep(1.05)
    limited.customers.list(limit=1, request_options=NO_RETRY)


def test_a_lost_answer_and_a_retry_with_the_same_key(
    serve: Serve, make_square: SquareFactory
) -> None:
    """The write commits, the connection drops before the answer; the client cannot know
    whether it landed, retries with the same idempotency key, and makes no duplicate."""
    emulator = serve(Faults(lost_answer_rate=1.0))
    lossy = make_square(base_url=emulator.base_url)
    ref = unique("lost")
    for _ in range(2):
        with pytest.raises(httpx.TransportError):
            lossy.customers.create(idempotency_key=ref, given_name="Lost", reference_id=ref)
    found = lossy.customers.search(query={"filter": {"reference_id": {"exact": ref}}})
    (customer,) = some(found.customers)
    with pytest.raises(httpx.TransportError):
        lossy.customers.update(customer_id=some(customer.id), note="landed", version=0)
    after = some(lossy.customers.get(customer_id=some(customer.id)).customer)
    assert (after.note, after.version) == ("landed", 1)
    # a refused write is answered: nothing was committed
    expect_error(
        lambda: lossy.customers.update(customer_id=some(customer.id), note="stale", version=0),
        409,
        "CONFLICT",
    )
