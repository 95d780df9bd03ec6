"""Deleting a customer, at the version the agent saw (their cards go with them)."""

from __future__ import annotations

from dataclasses import dataclass

from app.desk.outcomes import Gone, Refused, refusal
from app.desk.workplace import Workplace
from app.square import ConflictError, Customer, NotFoundError

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
    try:
        await place.service.delete_customer(customer.id, version=customer.version)
    except ConflictError:
        return ChangedMeanwhile(customer)
    except NotFoundError:
        place.directory.remove(customer.id)
        return Gone(customer.id)
    place.directory.remove(customer.id)
    return Deleted(customer)
