"""Square's official Python SDK against the emulator over loopback HTTP.

One emulator (uvicorn in a daemon thread, `start_background`) serves the whole suite
from a small seeded database in a temporary directory. Tests share it, so each makes
its own customers, groups and cards (with `unique()` names) and computes its
expectations from what the server says at the time. Every answer passes through
`WireChecker` (openapi.py), and a test fails if any answer left the spec.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest
from square import Square
from square.core.api_error import ApiError
from square.core.request_options import RequestOptions
from square.types.customer import Customer

from app.emulator import DEMO_READONLY_TOKEN, DEMO_TOKEN
from app.emulator.runner import RunningEmulator, open_demo_store, start_background

from .openapi import WireChecker

SEED_CUSTOMERS = 120
SEED = 5
INVALID_REQUEST = "INVALID_REQUEST_ERROR"
IDENTITY = ("given_name", "family_name", "company_name", "email_address", "phone_number")
NO_RETRY: RequestOptions = {"max_retries": 0}
"""The SDK retries 408, 409, 429 and 5xx twice; tests of those answers turn that off."""

T = TypeVar("T")
_counter = itertools.count(1)


def unique(prefix: str = "u") -> str:
    """A name no other test uses (tests share one server)."""
    return f"{prefix}{next(_counter):05d}"


@pytest.fixture(scope="session")
def checker() -> WireChecker:
    return WireChecker()


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    path = tmp_path_factory.mktemp("conformance") / "demo.sqlite3"
    open_demo_store(path, customers=SEED_CUSTOMERS, seed=SEED).close()
    running = start_background(path)
    yield running
    running.stop()


SquareFactory = Callable[..., Square]


@pytest.fixture(scope="session")
def make_square(emulator: RunningEmulator, checker: WireChecker) -> Iterator[SquareFactory]:
    """`make_square(token=DEMO_TOKEN, version=None, base_url=None)`: an SDK client whose
    every answer the wire checker sees."""
    clients: list[httpx.Client] = []

    def make(
        token: str = DEMO_TOKEN, version: str | None = None, base_url: str | None = None
    ) -> Square:
        http = httpx.Client(timeout=10, event_hooks={"response": [checker.check]})
        clients.append(http)
        return Square(
            token=token, base_url=base_url or emulator.base_url, version=version, httpx_client=http
        )

    yield make
    for http in clients:
        http.close()


@pytest.fixture(scope="session")
def square(make_square: SquareFactory) -> Square:
    return make_square()


@pytest.fixture(scope="session")
def readonly(make_square: SquareFactory) -> Square:
    return make_square(DEMO_READONLY_TOKEN)


@pytest.fixture(autouse=True)
def wire_clean(checker: WireChecker) -> Iterator[None]:
    """Fail the test when any answer it got did not fit Square's spec."""
    checker.problems.clear()
    yield
    problems, checker.problems[:] = list(checker.problems), []
    assert not problems, "\n".join(problems)


_UNSET: Any = object()


def expect_error(
    call: Callable[[], object],
    status: int,
    code: str,
    *,
    category: str = INVALID_REQUEST,
    field: str | None = _UNSET,
) -> ApiError:
    """Run `call`, which must fail with exactly one error of this status, category, code
    (and `field`, when given; None means "no field")."""
    with pytest.raises(ApiError) as info:
        call()
    err = info.value
    assert err.status_code == status, err.body
    assert isinstance(err.body, dict) and set(err.body) == {"errors"}, err.body
    assert len(err.errors) == 1, err.body
    got = err.errors[0]
    assert (got.category, got.code) == (category, code), err.body
    if field is not _UNSET:
        assert got.field == field, err.body
    assert got.detail, err.body
    return err


def new_customer(square: Square, **fields: Any) -> Customer:
    """Create a customer (given a unique given name when it has no identifying field)."""
    if not any(fields.get(name) for name in IDENTITY):
        fields["given_name"] = unique("Conf")
    customer = square.customers.create(**fields).customer
    assert isinstance(customer, Customer) and customer.id
    return customer


def some(value: T | None) -> T:
    """The value, asserting it is there (the SDK's response fields are all optional)."""
    assert value is not None
    return value
