"""Shared fixtures: a seeded emulator store, and the app wired to it in-process."""

from __future__ import annotations

import random
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from app.square import SquareService

FROZEN_NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
DEMO_CUSTOMERS = 300


class FrozenClock:
    """The one clock of the tests (the emulator's and the app's): it moves only when told to."""

    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def seeded_file(path: Path, customers: int, seed: int) -> Path:
    """An emulator database at ``path`` seeded with the demo's ``customers``."""
    from app.emulator.seed import seed_demo
    from app.emulator.store import Store

    store = Store(path)
    seed_demo(store, customers=customers, seed=seed)
    store.close()
    return path


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded demo database per test session; each test gets its own copy."""
    return seeded_file(tmp_path_factory.mktemp("template") / "demo.sqlite3", DEMO_CUSTOMERS, 7)


@pytest.fixture
def demo_db(seeded_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(seeded_template, path)
    return path


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture(autouse=True)
def _private_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the user's own config, journal or stored directories:
    the user folders (platformdirs reads the XDG variables) point into a temporary one."""
    home = tmp_path_factory.mktemp("user")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    for name in ("CUSTOMER_DESK_CONFIG", "CUSTOMER_DESK_JOURNAL", "CUSTOMER_DESK_PROFILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A blinking cursor makes a snapshot a race: freeze it visible."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    yield


# -- the service on the emulator, in-process (service and directory tests) -----------------

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


ServiceMaker = Callable[..., "SquareService"]


@pytest.fixture
async def make_service(store: Any, clock: Any) -> AsyncIterator[ServiceMaker]:
    """Services on the in-process emulator, each with its own counting transport."""
    from app.emulator import DEMO_TOKEN
    from app.emulator.asgi import create_app
    from app.square import SquareService

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
