"""The run's one session, built once from the settings: every layer reads it.

It holds the environment, the effective read-only state, the client, the directory, the
run's intents, the journal (the audit trail) and the notices for the agent, and closes
them. The settings keep only
the *wish* for read-only; once connected, the client's :class:`~app.square.access.WriteAccess`
decides (the wish, the token's scopes, a write refused for scope) and the session
answers from it.

Connecting is a *connector*'s job — an async callable given a ``report(text)`` for its
steps — so that the first frame never waits on the network, the emulator, SQLite or
faker: only :mod:`app.cli` knows how the embedded emulator is started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.config import Environment, Settings
    from app.desk.intents import Intents
    from app.desk.journal import Journal
    from app.directory import CustomerDirectory
    from app.square import SquareService, WriteAccess

__all__ = ["Connection", "Connector", "NotConnected", "Report", "Session"]

Report = Callable[[str], None]
"""Tells the agent how connecting goes, one short step at a time."""


@dataclass
class Connection:
    """What a connector makes: the client and the directory, and how to close them."""

    service: SquareService
    directory: CustomerDirectory
    notices: list[str] = field(default_factory=list)
    """Things the agent should hear about once connected (shown as notifications)."""
    on_close: list[Callable[[], Awaitable[None] | None]] = field(default_factory=list)
    seller: str | None = None
    """Who the journal says the changes were made at, when the connector knows better than
    the token's merchant id (the local demo names its file)."""

    async def aclose(self) -> None:
        await self.service.aclose()
        self.directory.close()
        for close in self.on_close:
            result = close()
            if result is not None:
                await result


Connector = Callable[[Report], Awaitable[Connection]]
"""An async callable that connects and returns a connection; it reports its steps."""


class NotConnected(RuntimeError):
    """The session is not connected (yet, or any more)."""


class Session:
    """One per run: what the desk is connected to and what it may do there."""

    def __init__(
        self,
        settings: Settings,
        connector: Connector,
        journal: Journal | Callable[[], Journal] | None = None,
    ) -> None:
        """``journal`` may be given as a maker, called at its first use (connecting)."""
        self.settings = settings
        self._intents: Intents | None = None
        self._journal = journal
        self.notices: list[str] = []
        self._connector = connector
        self._connection: Connection | None = None
        self._closing: asyncio.Future[None] | None = None

    @property
    def environment(self) -> Environment:
        return self.settings.environment

    # The intents and the journal are made at their first use: the session is built
    # before the first frame, which does without their modules (hashing, JSON, dataclasses).

    @property
    def intents(self) -> Intents:
        """The idempotency keys of the creates the agent means to make, for this run."""
        if self._intents is None:
            from app.desk.intents import Intents

            self._intents = Intents()
        return self._intents

    @property
    def journal(self) -> Journal:
        """The audit trail every write workflow records to (memory only unless given)."""
        journal = self._journal
        if journal is None:
            from app.desk.journal import Journal

            journal = Journal(None)
        elif callable(journal):
            journal = journal()
        self._journal = journal
        return journal

    # -- connected ---------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connection is not None

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise NotConnected("the desk is not connected to Square")
        return self._connection

    @property
    def service(self) -> SquareService:
        return self.connection.service

    @property
    def directory(self) -> CustomerDirectory:
        return self.connection.directory

    @property
    def access(self) -> WriteAccess:
        """Who may write: the client's decision, which consults it before every write."""
        return self.connection.service.access

    async def connect(self, report: Report) -> None:
        """Connect (once), apply the settings' read-only wish, and ask Square what the
        token may do (unknown when Square cannot say: a refused write settles it)."""
        if self._connection is not None:
            return
        connection = await self._connector(report)
        if self._closing is not None:  # the desk left while connecting: close at once
            await connection.aclose()
            raise NotConnected("the desk closed while connecting")
        access = connection.service.access
        if self.settings.read_only:
            access.want_read_only(self.settings.read_only_reason)
        self._connection = connection
        report("checking what the access token may do…")
        status = await connection.service.check_token()
        merchant = status.merchant_id if status is not None else None
        seller = connection.seller or merchant or connection.service.base_url
        self.journal.bind(self.environment.value, seller)
        self.notices.extend(connection.notices)
        if self.journal.open_intents():
            from app.desk.settle import settle

            report("settling changes left unfinished…")
            self.notices.extend(s.sentence for s in await settle(self))

    # -- read-only ------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """No customer can be changed. Before connecting, only the settings' wish is known."""
        if self._connection is None:
            return self.settings.read_only
        return self.access.read_only

    def may_write(self, operation: str) -> bool:
        """Whether the desk may send ``operation`` (a Square operation name) now."""
        if self._connection is None:
            return not self.settings.read_only
        return self.access.allows(operation)

    def refusal_reason(self, operation: str = "UpdateCustomer") -> str:
        """Why ``operation`` is refused, as a sentence for the agent."""
        if self._connection is None:
            return f"Read-only: {self.settings.read_only_reason}."
        return self.access.reason(operation)

    # -- closing ----------------------------------------------------------------------------

    def close(self) -> asyncio.Future[None]:
        """Begin closing, once (leaving and unmounting may both ask); await to wait."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close())
        return self._closing

    async def aclose(self) -> None:
        await self.close()

    async def _close(self) -> None:
        if self._connection is not None:
            await self._connection.aclose()
