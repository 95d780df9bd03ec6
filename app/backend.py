"""What the TUI talks to: the service, the directory and a label for the environment.

The TUI receives an async *factory* for a :class:`Backend` rather than a backend, so that
the first frame never waits on the network, the emulator, SQLite or faker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.intents import Intents

if TYPE_CHECKING:
    from app.config import Environment
    from app.directory import CustomerDirectory
    from app.square import SquareService


@dataclass
class Backend:
    """A connected service with its directory, and how to close them."""

    service: SquareService
    directory: CustomerDirectory
    environment: Environment
    notices: list[str] = field(default_factory=list)
    """Things the agent should hear about once connected (shown as notifications)."""
    on_close: list[Callable[[], Awaitable[None] | None]] = field(default_factory=list)
    intents: Intents = field(default_factory=Intents)
    """The idempotency keys of the creates the agent means to make, for this run."""

    @property
    def read_only(self) -> bool:
        """The service's effective read-only state (the one source of truth)."""
        return self.service.read_only

    async def aclose(self) -> None:
        await self.service.aclose()
        for close in self.on_close:
            result = close()
            if result is not None:
                await result


BackendFactory = Callable[[Callable[[str], None]], Awaitable[Backend]]
"""An async callable that connects and returns a backend; it reports its steps as text."""
