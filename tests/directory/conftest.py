"""Fixtures for the directory tests: the emulator in-process and a directory on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from app.directory import CustomerDirectory
from app.square import SquareService
from tests.conftest import CountingTransport, seeded_file


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


BIG = 2500


@pytest.fixture(scope="session")
def big_template(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A 2,500-customer emulator database, seeded once per session."""
    return seeded_file(tmp_path_factory.mktemp("big") / "big.sqlite3", BIG, 3)


@pytest.fixture
def big_emulator(big_template: Any, tmp_path: Any) -> Iterator[Any]:
    """This test's copy of the 2,500-customer emulator store."""
    import shutil

    from app.emulator.store import Store

    path = tmp_path / "big.sqlite3"
    shutil.copyfile(big_template, path)
    store = Store(path)
    yield store
    store.close()


@pytest.fixture
async def make_big(big_emulator: Any, clock: Any) -> AsyncIterator[Callable[..., SquareService]]:
    """Services on the 2,500-customer emulator (faults per service), counting requests;
    the service knows its merchant as RetrieveTokenStatus would say."""
    import httpx

    from app.emulator import DEMO_TOKEN
    from app.emulator.asgi import create_app
    from app.square import TokenStatus

    made: list[SquareService] = []

    def make(faults: Any = None, **kwargs: Any) -> SquareService:
        app = create_app(big_emulator, faults=faults, clock=clock)
        transport = CountingTransport(httpx.ASGITransport(app=app))
        kwargs.setdefault("backoff_base", 0.001)
        kwargs.setdefault("backoff_cap", 0.01)
        service = SquareService("http://big.test", DEMO_TOKEN, transport=transport, **kwargs)
        service.transport = transport  # type: ignore[attr-defined]
        service.token_status = TokenStatus(merchant_id="MERCHANT-1")
        made.append(service)
        return service

    yield make
    for service in made:
        await service.aclose()
