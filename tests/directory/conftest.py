"""Fixtures for the directory tests: the emulator in-process and a directory on it."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.directory import CustomerDirectory
from app.service import SquareService

EMULATOR_URL = "http://emulator.test"


class CountingTransport(httpx.AsyncBaseTransport):
    """Passes requests to the emulator and remembers them (method, path, JSON body)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[tuple[str, str, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.requests.append((request.method, request.url.path, body))
        return await self.inner.handle_async_request(request)

    def searches(self) -> list[bytes]:
        return [body for method, path, body in self.requests if path == "/v2/customers/search"]


@pytest.fixture
def store(demo_db: Path) -> Iterator[Any]:
    from app.emulator.store import Store

    store = Store(demo_db)
    yield store
    store.close()


ServiceMaker = Callable[..., SquareService]


@pytest.fixture
async def make_service(store: Any, clock: Any) -> AsyncIterator[ServiceMaker]:
    """Services on the in-process emulator, each with its own counting transport."""
    from app.emulator import DEMO_TOKEN
    from app.emulator.server import create_app

    made: list[SquareService] = []

    def make(token: str = DEMO_TOKEN, faults: Any = None, **kwargs: Any) -> SquareService:
        app = create_app(store, faults=faults, clock=clock)
        kwargs.setdefault("rng", random.Random(5))
        kwargs.setdefault("backoff_base", 0.001)
        kwargs.setdefault("backoff_cap", 0.01)
        transport = CountingTransport(httpx.ASGITransport(app=app))
        service = SquareService(EMULATOR_URL, token, transport=transport, **kwargs)
        service.transport = transport  # type: ignore[attr-defined]
        made.append(service)
        return service

    yield make
    for service in made:
        await service.aclose()


@pytest.fixture
async def service(make_service: ServiceMaker) -> SquareService:
    return make_service()


@pytest.fixture
def transport(service: SquareService) -> CountingTransport:
    found: CountingTransport = service.transport  # type: ignore[attr-defined]
    return found


@pytest.fixture
async def directory(service: SquareService, clock: Any) -> CustomerDirectory:
    return CustomerDirectory(service, clock=clock)


@pytest.fixture
async def loaded(directory: CustomerDirectory) -> CustomerDirectory:
    await directory.load()
    return directory
