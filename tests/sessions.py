"""Sessions on the emulator in-process (httpx.ASGITransport): for the workflow and TUI tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from app.session import Connection, Connector, Report
from tests.conftest import EMULATOR_URL, FrozenClock

Wrap = Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]


def in_process(
    db_path: Path,
    clock: FrozenClock,
    *,
    token: str | None = None,
    base_url: str = EMULATOR_URL,
    faults: Any = None,
    wrap: Wrap | None = None,
    directory_options: dict[str, Any] | None = None,
    **service_options: Any,
) -> Connector:
    """A connector to the emulator on ``db_path`` (its own store, closed with the session).

    ``faults`` are the emulator's (live: change them mid-test), ``wrap`` puts a transport
    of the test's between the client and the emulator, ``service_options`` go to the client.
    """

    async def connect(report: Report) -> Connection:
        from app.directory import CustomerDirectory
        from app.emulator import DEMO_TOKEN
        from app.emulator.asgi import create_app
        from app.emulator.store import Store
        from app.square import SquareService

        store = Store(db_path)
        transport: httpx.AsyncBaseTransport = httpx.ASGITransport(
            app=create_app(store, clock=clock, faults=faults)
        )
        if wrap is not None:
            transport = wrap(transport)
        service = SquareService(
            base_url, token or DEMO_TOKEN, transport=transport, **service_options
        )
        return Connection(
            service=service,
            directory=CustomerDirectory(service, **(directory_options or {})),
            on_close=[store.close],
        )

    return connect
