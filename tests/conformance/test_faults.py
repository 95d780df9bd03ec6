"""What a misbehaving emulator looks like to Square's SDK: 5xx, 429 with Retry-After.

The SDK retries 408, 409, 429 and 5xx twice (with backoff); these tests turn that off
(`NO_RETRY`) to see each answer as sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from square import Square
from square.core.api_error import ApiError

from app.emulator.faults import Faults
from app.emulator.serve import RunningEmulator, open_demo_store, start_background

from .conftest import NO_RETRY, SquareFactory, expect_error, some

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
