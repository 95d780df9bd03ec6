"""What a workflow works with: the client, the directory, who may write, intents, the journal.

The session (:class:`app.session.Session`) is one; a workflow asks for no more than this,
so that it can be driven without Textual, against the emulator, in a test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.desk.intents import Intents
    from app.desk.journal import Journal
    from app.directory import CustomerDirectory
    from app.square import SquareService, WriteAccess

__all__ = ["Workplace"]


class Workplace(Protocol):
    """The parts of a connected session a workflow uses."""

    @property
    def service(self) -> SquareService:
        """The client: one method per Square endpoint."""
        ...

    @property
    def directory(self) -> CustomerDirectory:
        """The local directory: a workflow applies its own writes to it at once."""
        ...

    @property
    def access(self) -> WriteAccess:
        """Who may write: the one read-only decision."""
        ...

    @property
    def intents(self) -> Intents:
        """The run's intended creates and their idempotency keys."""
        ...

    @property
    def journal(self) -> Journal:
        """The audit trail: every write is recorded before it is sent and after."""
        ...
