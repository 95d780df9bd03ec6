"""The groups one customer belongs to: join one (an existing group or a new name), leave one.

Names match as Square's agents read them: case, leading/trailing and repeated spaces
aside (``vip`` is ``VIP``) — :func:`same_name`, which the group picker offers first.
A new name creates the group under the run's one idempotency key for that name, and a
group of exactly that name made meanwhile (elsewhere, or by an attempt whose answer
was lost) is joined rather than made twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.desk.intents import Intent, group_name_key
from app.desk.outcomes import Lost, Refused, refusal
from app.desk.workplace import Workplace
from app.square import CustomerGroup, LostAnswerError, NotFoundError, SquareError

__all__ = [
    "GroupAdmin",
    "GroupCatalogue",
    "GroupDeleted",
    "Joined",
    "Left",
    "Memberships",
    "NameTaken",
    "Renamed",
    "same_name",
]


def same_name(groups: Iterable[CustomerGroup], text: str) -> list[CustomerGroup]:
    """The groups whose name is ``text``, case and spacing aside."""
    wanted = group_name_key(text)
    return [g for g in groups if wanted and group_name_key(g.name) == wanted]


@dataclass(frozen=True)
class GroupCatalogue:
    """Every group and segment of the seller, for showing a customer's by name."""

    groups: dict[str, CustomerGroup] = field(default_factory=dict)
    segment_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Joined:
    """The customer is in ``group`` now; ``created`` when the group was made for it.
    Once shown, :meth:`Memberships.shown` closes the ``intent`` of a new name."""

    group: CustomerGroup
    created: bool = False
    intent: Intent | None = None


@dataclass(frozen=True)
class Left:
    group: CustomerGroup


class Memberships:
    """The groups workflow for one customer."""

    def __init__(self, place: Workplace, customer_id: str) -> None:
        self.place = place
        self.customer_id = customer_id

    async def catalogue(self) -> GroupCatalogue:
        service = self.place.service
        groups = {group.id: group async for group in service.iter_customer_groups()}
        segments = {s.id: s.name async for s in service.iter_customer_segments()}
        return GroupCatalogue(groups, segments)

    async def join(self, choice: CustomerGroup | str) -> Joined | Lost | Refused:
        """Join ``choice``: a group, or the name of a group to make (see the module)."""
        if isinstance(choice, CustomerGroup):
            refused = refusal(self.place, "AddGroupToCustomer")
            if refused is not None:
                return refused
            await self.add(choice)
            return Joined(choice)
        refused = refusal(self.place, "CreateCustomerGroup", "AddGroupToCustomer")
        if refused is not None:
            return refused
        intent = self.place.intents.group(choice)
        group = await self.named_exactly(intent.name)
        created = group is None
        if group is None:
            journal = self.place.journal
            intent_id = journal.intent(
                "group.create", idempotency_key=intent.key, detail={"group_name": intent.name}
            )
            try:
                group = await self.place.service.create_customer_group(
                    intent.name, idempotency_key=intent.key
                )
            except LostAnswerError:
                return Lost(intent.key, name=intent.name)
            except SquareError as error:
                journal.failed(intent_id, error)
                raise
            journal.outcome(intent_id, ok=True, detail={"group_id": group.id})
        await self.add(group)
        return Joined(group, created=created, intent=intent)

    async def named_exactly(self, name: str) -> CustomerGroup | None:
        """A group of exactly this name, if one exists now."""
        async for group in self.place.service.iter_customer_groups():
            if group.name == name:
                return group
        return None

    def shown(self, joined: Joined) -> None:
        """The agent has seen the group joined: the same name again is a new intent."""
        if joined.intent is not None:
            self.place.intents.done(joined.intent)

    async def leave(self, group: CustomerGroup) -> Left | Refused:
        refused = refusal(self.place, "RemoveGroupFromCustomer")
        if refused is not None:
            return refused
        await self._membership("group.remove", group)
        return Left(group)

    async def add(self, group: CustomerGroup) -> None:
        """Put the customer in ``group`` (journalled; no read-only check: the caller's)."""
        await self._membership("group.add", group)

    async def _membership(self, operation: str, group: CustomerGroup) -> None:
        journal = self.place.journal
        known = self.place.directory.get(self.customer_id)
        intent_id = journal.intent(
            operation,
            customer_id=self.customer_id,
            name=known.display_name if known is not None else "",
            detail={"group_id": group.id, "group_name": group.name},
        )
        service = self.place.service
        send = (
            service.add_group_to_customer
            if operation == "group.add"
            else service.remove_group_from_customer
        )
        try:
            await send(self.customer_id, group.id)
        except SquareError as error:
            journal.failed(intent_id, error)
            raise
        journal.outcome(intent_id, ok=True)


@dataclass(frozen=True)
class Renamed:
    group: CustomerGroup


@dataclass(frozen=True)
class NameTaken:
    """Another group already has this name (case and spacing aside): nothing was sent."""

    existing: CustomerGroup


@dataclass(frozen=True)
class GroupDeleted:
    group: CustomerGroup


class GroupAdmin:
    """The seller's groups themselves: how many are in one, rename it, delete it."""

    def __init__(self, place: Workplace) -> None:
        self.place = place

    async def member_count(self, group: CustomerGroup) -> int:
        """How many customers are in ``group`` (SearchCustomers' group filter, ``count``)."""
        query = {"filter": {"group_ids": {"all": [group.id]}}}
        page = await self.place.service.search_customers(query, limit=1, count=True)
        return page.count if page.count is not None else len(page.customers)

    async def rename(self, group: CustomerGroup, name: str) -> Renamed | NameTaken | Refused:
        refused = refusal(self.place, "UpdateCustomerGroup")
        if refused is not None:
            return refused
        wanted = " ".join(name.split())
        others = [g async for g in self.place.service.iter_customer_groups() if g.id != group.id]
        taken = same_name(others, wanted)
        if taken:
            return NameTaken(taken[0])
        renamed = await self.place.service.update_customer_group(group.id, wanted)
        return Renamed(renamed)

    async def delete(self, group: CustomerGroup) -> GroupDeleted | Refused:
        """Delete the group (its customers stay; they leave it). Gone already is done."""
        refused = refusal(self.place, "DeleteCustomerGroup")
        if refused is not None:
            return refused
        with contextlib.suppress(NotFoundError):
            await self.place.service.delete_customer_group(group.id)
        return GroupDeleted(group)
