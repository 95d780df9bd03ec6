"""The session: built once from the settings, the one read-only decision, closed once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.config import Environment, Settings
from app.session import Connection, NotConnected, Report, Session
from tests.conftest import FrozenClock
from tests.sessions import in_process


def test_before_connecting_only_the_wish_is_known() -> None:
    async def never(report: Report) -> Connection:
        raise AssertionError("not asked to connect")

    session = Session(Settings(read_only=True, environment=Environment.LOCAL), never)
    assert not session.connected and session.read_only
    assert not session.may_write("CreateCustomer")
    assert session.refusal_reason("CreateCustomer").endswith("CUSTOMER_DESK_READ_ONLY=1.")
    assert session.environment is Environment.LOCAL
    with pytest.raises(NotConnected):
        _ = session.service
    assert Session(Settings(), never).may_write("DeleteCustomer")


async def test_connecting_applies_the_wish_to_the_client_and_asks_the_token(
    demo_db: Path, clock: FrozenClock
) -> None:
    steps: list[str] = []
    session = Session(Settings(read_only=True), in_process(demo_db, clock))
    await session.connect(steps.append)
    try:
        assert session.access is session.service.access  # the client consults the same one
        assert session.service.read_only and session.read_only
        assert session.access.token_checked
        assert any("token" in step for step in steps)
        await session.connect(steps.append)  # once: a second call changes nothing
        assert session.access is session.service.access
    finally:
        await session.aclose()


async def test_a_session_closed_while_connecting_closes_what_it_gets(
    demo_db: Path, clock: FrozenClock
) -> None:
    inner = in_process(demo_db, clock)
    made: list[Connection] = []
    release = asyncio.Event()

    async def slow(report: Report) -> Connection:
        await release.wait()
        made.append(await inner(report))
        return made[-1]

    session = Session(Settings(), slow)
    connecting = asyncio.ensure_future(session.connect(lambda _: None))
    await asyncio.sleep(0)
    closing = session.close()
    assert session.close() is closing  # once
    await closing
    release.set()
    with pytest.raises(NotConnected):
        await connecting
    assert not session.connected
    with pytest.raises(RuntimeError):  # its client is closed
        await made[0].service.list_customers(limit=1)
