"""Creating a customer, once: one idempotency key per intended customer, a lost answer told.

The same data typed again (a retry after a lost answer, a discard and a retype) is the
same intent (:mod:`app.desk.intents`): the same key, so Square replays its first answer
instead of making a second customer. When the answer is lost, the client sends it once
more and then looks the customer up; only when neither can tell is the result
:class:`~app.desk.outcomes.Lost` — and creating again is safe.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.desk.intents import Intent
from app.desk.outcomes import Lost, Refused, Rejected, refusal
from app.desk.workplace import Workplace
from app.square import Customer, CustomerFields, LostAnswerError, ValidationError

__all__ = ["CreateResult", "Created", "create_customer"]


@dataclass(frozen=True)
class Created:
    """Created (or found after a lost answer). Once the agent has seen it, the screen
    closes the ``intent`` (``intents.done``): the same data again is then a new one."""

    customer: Customer
    intent: Intent


CreateResult = Created | Rejected | Lost | Refused


async def create_customer(place: Workplace, fields: CustomerFields) -> CreateResult:
    refused = refusal(place, "CreateCustomer")
    if refused is not None:
        return refused
    intent = place.intents.customer(fields.to_body())
    try:
        created = await place.service.create_customer(fields, idempotency_key=intent.key)
    except ValidationError as error:
        return Rejected.of(error)
    except LostAnswerError:
        return Lost(intent.key)
    place.directory.apply(created)
    return Created(created, intent)
