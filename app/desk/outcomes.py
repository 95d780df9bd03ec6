"""Outcomes several workflows share: refused (read-only), rejected, lost, gone.

A workflow returns what happened as a value; a screen only presents it. Errors that
are no outcome of the workflow itself (the network, Square failing) are raised as the
client's :class:`~app.service.SquareError` family, for the screen's one error handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.desk.workplace import Workplace

if TYPE_CHECKING:
    from app.square import Customer, ValidationError

__all__ = ["Gone", "Lost", "Refused", "Rejected", "refusal"]


@dataclass(frozen=True)
class Refused:
    """Refused before any request: the desk may not send ``operation`` (read-only)."""

    operation: str
    reason: str
    """Why, as a sentence for the agent (from :mod:`app.square.access`)."""


def refusal(place: Workplace, *operations: str) -> Refused | None:
    """The refusal of the first of ``operations`` the desk may not send now, if any."""
    for operation in operations:
        if not place.access.allows(operation):
            return Refused(operation, place.access.reason(operation))
    return None


@dataclass(frozen=True)
class Rejected:
    """Square refused the data: each rejected field with its reason, and the sentence."""

    field_errors: Mapping[str, str]
    """Square's field name (``email_address``, ``address.country``) → its reason."""
    message: str
    base: Customer | None = None
    """For a save merged with a change made elsewhere before Square refused it: the
    newer version the edit now stands on (the form takes it)."""

    @classmethod
    def of(cls, error: ValidationError, base: Customer | None = None) -> Rejected:
        return cls(field_errors=dict(error.field_errors), message=str(error), base=base)


@dataclass(frozen=True)
class Lost:
    """The answer to a create was lost and a look-up could not tell whether it was made.
    Asking again sends the same idempotency ``key``: it cannot make a second one."""

    key: str
    name: str = ""
    """What was being created, when it has a name (a group)."""


@dataclass(frozen=True)
class Gone:
    """The customer was deleted elsewhere; it is dropped from the directory."""

    customer_id: str
