"""Fixtures for the emulator tests: a fresh store, a frozen clock, an in-process client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.emulator import DEMO_TOKEN
from app.emulator.asgi import create_app
from app.emulator.faults import Faults
from app.emulator.store import Store
from tests.conftest import FrozenClock


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "emulator.sqlite3")
    yield s
    s.close()


ClientFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
def make_client(store: Store, clock: FrozenClock) -> ClientFactory:
    """Build a client for an app over `store` (options passed to `create_app`)."""

    def make(
        *,
        token: str | None = DEMO_TOKEN,
        faults: Faults | None = None,
        tokens: dict[str, frozenset[str]] | None = None,
        applications: dict[str, str] | None = None,
        **headers: str,
    ) -> httpx.AsyncClient:
        app = create_app(
            store,
            tokens=tokens,
            faults=faults,
            clock=clock,
            id_seed=1,
            applications=applications,
        )
        all_headers = dict(headers)
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://emulator.test",
            headers=all_headers,
        )

    return make


@pytest.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as c:
        yield c


async def create(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """Create a customer and return it (asserting success)."""
    response = await client.post("/v2/customers", json=fields)
    assert response.status_code == 200, response.text
    customer: dict[str, Any] = response.json()["customer"]
    return customer


def error_of(response: httpx.Response) -> dict[str, str]:
    """The single error of an error response."""
    body = response.json()
    assert set(body) == {"errors"}, body
    assert len(body["errors"]) == 1, body
    err: dict[str, str] = body["errors"][0]
    return err
