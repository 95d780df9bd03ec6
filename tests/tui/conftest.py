"""The app under test: wired to the emulator in-process over httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from app.backend import Backend
from app.config import Environment, Settings
from app.tui import CustomerDeskApp
from tests.conftest import FrozenClock


def build_app(db_path: Path, clock: FrozenClock) -> CustomerDeskApp:
    async def connect(report: Callable[[str], None]) -> Backend:
        from app.directory import CustomerDirectory
        from app.emulator import DEMO_TOKEN
        from app.emulator.asgi import create_app
        from app.emulator.store import Store
        from app.square import SquareService

        store = Store(db_path)
        transport = httpx.ASGITransport(app=create_app(store, clock=clock))
        service = SquareService("http://emulator.test", DEMO_TOKEN, transport=transport)
        return Backend(
            service=service,
            directory=CustomerDirectory(service),
            environment=Environment.LOCAL,
            on_close=[store.close],
        )

    app = CustomerDeskApp(connect, Settings())
    app.animation_level = "none"
    return app


@pytest.fixture
def desk(demo_db: Path, clock: FrozenClock) -> CustomerDeskApp:
    return build_app(demo_db, clock)
