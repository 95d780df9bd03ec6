"""Reading one customer's profile: Square's consistent read, the directory kept in step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.desk.outcomes import Gone
from app.desk.workplace import Workplace
from app.square import NotFoundError

if TYPE_CHECKING:
    from app.square import Customer

__all__ = ["load_customer"]


async def load_customer(place: Workplace, customer_id: str) -> Customer | Gone:
    """The customer as Square holds it now (the list may lag; the profile must not).
    Deleted elsewhere: :class:`Gone`, and the directory drops it."""
    try:
        customer = await place.service.retrieve_customer(customer_id)
    except NotFoundError:
        place.directory.remove(customer_id)
        return Gone(customer_id)
    place.directory.apply(customer)
    return customer
