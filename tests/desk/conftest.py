"""Workflows against the emulator in-process: a connected session, and another agent.

A workflow is driven as a screen drives it — through the session — and what it did is
read back through a separate client on the same store: what Square holds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.session import Session
from app.square import SquareService
from tests.conftest import CountingTransport, FrozenClock, ServiceMaker
from tests.sessions import in_process


class CountedSession(Session):
    """A session whose client's requests are counted (``requests``)."""

    transport: CountingTransport | None = None

    @property
    def requests(self) -> int:
        return len(self.transport.requests) if self.transport is not None else 0


SessionMaker = Callable[..., Awaitable[CountedSession]]


@pytest.fixture
async def make_session(demo_db: Path, clock: FrozenClock) -> AsyncIterator[SessionMaker]:
    """Connected sessions on the emulator, with ``settings`` and the connector's options
    (``journal=`` a :class:`~app.desk.journal.Journal` of the test's)."""
    made: list[Session] = []

    async def make(settings: Settings | None = None, **options: Any) -> CountedSession:
        session: CountedSession

        def count(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
            session.transport = CountingTransport(inner)
            return session.transport

        options.setdefault("backoff_base", 0.001)
        options.setdefault("backoff_cap", 0.01)
        journal = options.pop("journal", None)
        connector = in_process(demo_db, clock, wrap=count, **options)
        session = CountedSession(settings or Settings(), connector, journal)
        made.append(session)
        await session.connect(lambda _step: None)
        return session

    yield make
    for session in made:
        await session.aclose()


@pytest.fixture
async def session(make_session: SessionMaker) -> CountedSession:
    return await make_session()


@pytest.fixture
def elsewhere(make_service: ServiceMaker) -> SquareService:
    """Another agent's client on the same store: changes made meanwhile, and read-backs."""
    return make_service()
