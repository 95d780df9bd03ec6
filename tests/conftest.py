"""Shared fixtures: a seeded emulator store, and the app wired to it in-process."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

FROZEN_NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
DEMO_CUSTOMERS = 300


class FrozenClock:
    """The emulator's clock in tests: it moves only when told to."""

    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded demo database per test session; each test gets its own copy."""
    from app.emulator.seed import seed_demo
    from app.emulator.store import Store

    path = tmp_path_factory.mktemp("template") / "demo.sqlite3"
    store = Store(path)
    seed_demo(store, customers=DEMO_CUSTOMERS, seed=7)
    store.close()
    return path


@pytest.fixture
def demo_db(seeded_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(seeded_template, path)
    return path


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A blinking cursor makes a snapshot a race: freeze it visible."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    yield
