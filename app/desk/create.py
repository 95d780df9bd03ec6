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
from app.desk.snapshot import fields_of
from app.desk.workplace import Workplace
from app.square import Customer, CustomerFields, LostAnswerError, SquareError, ValidationError

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
    body = fields.to_body()
    intent = place.intents.customer(body)
    journal = place.journal
    intent_id = journal.intent(
        "customer.create", name=_name(body), idempotency_key=intent.key, after=body
    )
    try:
        created = await place.service.create_customer(fields, idempotency_key=intent.key)
    except ValidationError as error:
        journal.failed(intent_id, error)
        return Rejected.of(error)
    except LostAnswerError:
        return Lost(intent.key)  # the intent stays open: the next start looks it up
    except SquareError as error:
        journal.failed(intent_id, error)
        raise
    journal.outcome(intent_id, ok=True, customer_id=created.id, after=fields_of(created))
    place.directory.apply(created)
    return Created(created, intent)


def _name(body: dict[str, object]) -> str:
    """The name the journal shows for a customer about to be made."""
    given, family = body.get("given_name"), body.get("family_name")
    name = " ".join(str(part) for part in (given, family) if part)
    for other in ("company_name", "email_address", "phone_number"):
        if not name and body.get(other):
            name = str(body[other])
    return name
