"""Deleting a customer, at the version the agent saw (their cards go with them).

The journal keeps the profile and its groups, so that it can be made again (under a new
id: :func:`app.desk.undo.undo`); its cards cannot come back.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.desk.outcomes import Gone, Refused, refusal
from app.desk.snapshot import fields_of
from app.desk.workplace import Workplace
from app.square import ConflictError, Customer, NotFoundError, SquareError

__all__ = ["ChangedMeanwhile", "DeleteResult", "Deleted", "delete_customer"]


@dataclass(frozen=True)
class Deleted:
    customer: Customer


@dataclass(frozen=True)
class ChangedMeanwhile:
    """Someone changed the customer since the agent saw it: nothing was deleted."""

    customer: Customer


DeleteResult = Deleted | ChangedMeanwhile | Gone | Refused


async def delete_customer(place: Workplace, customer: Customer) -> DeleteResult:
    refused = refusal(place, "DeleteCustomer")
    if refused is not None:
        return refused
    journal = place.journal
    intent_id = journal.intent(
        "customer.delete",
        customer_id=customer.id,
        name=customer.display_name,
        before=fields_of(customer),
        detail={"version": customer.version, "group_ids": list(customer.group_ids)},
    )
    try:
        await place.service.delete_customer(customer.id, version=customer.version)
    except ConflictError as error:
        journal.failed(intent_id, error)
        return ChangedMeanwhile(customer)
    except NotFoundError as error:
        journal.failed(intent_id, error)
        place.directory.remove(customer.id)
        return Gone(customer.id)
    except SquareError as error:
        journal.failed(intent_id, error)
        raise
    journal.outcome(intent_id, ok=True)
    place.directory.remove(customer.id)
    return Deleted(customer)
