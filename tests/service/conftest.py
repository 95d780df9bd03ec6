"""Fixtures for the service tests: the emulator in-process, and services pointed at it."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.service import SquareService

EMULATOR_URL = "http://emulator.test"


@pytest.fixture
def store(demo_db: Path) -> Iterator[Any]:
    from app.emulator.store import Store

    store = Store(demo_db)
    yield store
    store.close()


ServiceMaker = Callable[..., SquareService]


@pytest.fixture
async def make_service(store: Any, clock: Any) -> AsyncIterator[ServiceMaker]:
    """Services on the in-process emulator: `make_service(token=..., faults=..., **kwargs)`."""
    from app.emulator import DEMO_TOKEN
    from app.emulator.server import create_app

    made: list[SquareService] = []

    def make(token: str = DEMO_TOKEN, faults: Any = None, **kwargs: Any) -> SquareService:
        app = create_app(store, faults=faults, clock=clock)
        kwargs.setdefault("rng", random.Random(5))
        kwargs.setdefault("backoff_base", 0.001)
        kwargs.setdefault("backoff_cap", 0.01)
        service = SquareService(
            EMULATOR_URL, token, transport=httpx.ASGITransport(app=app), **kwargs
        )
        made.append(service)
        return service

    yield make
    for service in made:
        await service.aclose()


@pytest.fixture
async def service(make_service: ServiceMaker) -> SquareService:
    return make_service()
