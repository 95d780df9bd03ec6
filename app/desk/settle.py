"""Settling open intents at the next start: did the write land? Look it up, never guess.

An intent without an outcome means the desk stopped between the request and its answer
(killed, the terminal gone, the answer lost). At the next start each is looked up on
Square and its outcome written with ``settled``:

* ``customer.update`` — the customer holds the values sent → landed; else did not land;
* ``customer.create`` — a customer holding every sent field, found by the email, phone
  or reference id sent (Square cannot be asked by idempotency key) → landed, with its
  id; nothing to search by → unknown;
* ``customer.delete`` — the customer is gone → landed;
* ``group.add`` / ``group.remove`` — the customer's ``group_ids``;
* ``group.create`` — a group of that exact name;
* ``card.disable`` — the card is disabled;
* ``card.add`` — unknown (a card cannot be found by its idempotency key).

Other operations (a merge's own markers) are left open for their owner to resume.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.desk.journal import Change
from app.desk.snapshot import fields_of
from app.desk.workplace import Workplace
from app.square import Customer, NotFoundError, SquareError

__all__ = ["LANDED", "NOT_LANDED", "UNKNOWN", "Settled", "settle"]

LANDED = "landed"
NOT_LANDED = "did not land"
UNKNOWN = "unknown"

SETTLED_OPERATIONS = frozenset(
    {
        "customer.update",
        "customer.create",
        "customer.delete",
        "group.add",
        "group.remove",
        "group.create",
        "card.add",
        "card.disable",
    }
)


@dataclass(frozen=True)
class Settled:
    change: Change
    verdict: str
    """``landed``, ``did not land`` or ``unknown``."""

    @property
    def sentence(self) -> str:
        change = self.change
        who = f" of {change.name}" if change.name else ""
        return f"An unfinished {change.operation}{who} from {change.time[:16]}: {self.verdict}."


async def settle(place: Workplace) -> list[Settled]:
    """Look up every open intent of this seller and environment and record its outcome.
    An intent whose look-up fails (the network) stays open for the next start."""
    settled: list[Settled] = []
    for change in place.journal.open_intents():
        if change.operation not in SETTLED_OPERATIONS:
            continue
        try:
            verdict, customer_id = await _look_up(place, change)
        except SquareError:
            continue
        place.journal.outcome(
            change.intent_id,
            ok=verdict == LANDED,
            settled=verdict,
            customer_id=customer_id,
            error=None if verdict == LANDED else f"settled at a later start: {verdict}",
        )
        settled.append(Settled(change, verdict))
    return settled


async def _look_up(place: Workplace, change: Change) -> tuple[str, str | None]:
    service = place.service
    operation = change.operation
    if operation == "customer.create":
        return await _find_created(place, change.after or {})
    if operation == "group.create":
        name = change.detail.get("group_name")
        async for group in service.iter_customer_groups():
            if group.name == name:
                return LANDED, None
        return NOT_LANDED, None
    if operation == "card.add":
        return UNKNOWN, None
    if operation == "card.disable":
        try:
            card = await service.retrieve_card(str(change.detail.get("card_id")))
        except NotFoundError:
            return UNKNOWN, None
        return (NOT_LANDED if card.enabled else LANDED), None
    customer_id = change.customer_id or ""
    try:
        customer = await service.retrieve_customer(customer_id)
    except NotFoundError:
        return (LANDED if operation == "customer.delete" else NOT_LANDED), None
    if operation == "customer.delete":
        return NOT_LANDED, None
    if operation in ("group.add", "group.remove"):
        member = change.detail.get("group_id") in customer.group_ids
        return (LANDED if member == (operation == "group.add") else NOT_LANDED), None
    return (LANDED if holds(customer, change.after or {}) else NOT_LANDED), None


async def _find_created(place: Workplace, sent: Mapping[str, Any]) -> tuple[str, str | None]:
    filters: dict[str, Any] = {}
    for name in ("email_address", "phone_number", "reference_id"):
        if sent.get(name):
            filters[name] = {"exact": sent[name]}
            break
    if not filters:
        return UNKNOWN, None
    async for customer in place.service.iter_search({"filter": filters}):
        if holds(customer, sent):
            return LANDED, customer.id
    return NOT_LANDED, None


def holds(customer: Customer, values: Mapping[str, Any]) -> bool:
    """Does ``customer`` hold each of ``values`` (Square's JSON; an address part by part,
    text trimmed and an email's case aside)?"""
    have = fields_of(customer)
    for name, wanted in values.items():
        if isinstance(wanted, dict):
            got = have.get(name) or {}
            if any(_same(k, v, got.get(k)) is False for k, v in wanted.items()):
                return False
        elif not _same(name, wanted, have.get(name)):
            return False
    return True


def _same(name: str, wanted: object, got: object) -> bool:
    def norm(value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            return text.lower() if name == "email_address" else text
        return value

    return norm(wanted) == norm(got)
