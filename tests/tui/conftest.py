"""The app under test: wired to the emulator in-process over httpx.ASGITransport."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Settings
from app.session import Connector, Session
from app.tui import CustomerDeskApp
from tests.conftest import FrozenClock
from tests.sessions import in_process


def build_app(
    db_path: Path,
    clock: FrozenClock,
    settings: Settings | None = None,
    connector: Connector | None = None,
) -> CustomerDeskApp:
    """The desk with ``settings`` (the local demo's by default) on the emulator."""
    session = Session(settings or Settings(), connector or in_process(db_path, clock))
    app = CustomerDeskApp(session)
    app.animation_level = "none"
    return app


@pytest.fixture
def desk(demo_db: Path, clock: FrozenClock) -> CustomerDeskApp:
    return build_app(demo_db, clock)
