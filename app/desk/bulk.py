"""Bulk actions on marked customers: join a group, leave one, delete — each row's outcome told.

Square has no bulk endpoint for group membership, so joining and leaving go customer by
customer through the same workflow the customer screen uses (:class:`Memberships`), a
few at a time; a failure is that row's outcome and the others go on. A group named by
the agent that does not exist yet is made once, under the run's idempotency key for the
name (as the picker does for one customer).

Deleting goes through BulkDeleteCustomers, 100 at a time. Square's bulk delete takes no
versions, so the versions are checked first: each batch is read back
(BulkRetrieveCustomers) and a customer changed since the agent marked it is *not*
deleted (its row says so); one deleted meanwhile is told as gone. A change landing
between that read and the delete (a fraction of a second) is not caught.

Every action first asks whether the desk may write (read-only → :class:`Refused`, before
any request); what was changed is applied to the local directory.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from app.desk.groups import Joined, Memberships
from app.desk.intents import Intent
from app.desk.outcomes import Lost, Refused, refusal
from app.desk.workplace import Workplace
from app.square import Customer, CustomerGroup, LostAnswerError, NotFoundError, SquareError

__all__ = [
    "BATCH",
    "BulkDone",
    "Progress",
    "RowOutcome",
    "RowStatus",
    "add_to_group",
    "delete_customers",
    "remove_from_group",
    "shown",
]

BATCH = 100
"""Square's ceiling for one bulk call."""
AT_ONCE = 6
"""Membership calls in flight together (one per customer)."""

Progress = Callable[[int, int], None]
"""``progress(done, total)``: rows handled so far, of how many."""


class RowStatus(enum.StrEnum):
    DONE = "done"
    ALREADY = "already"
    """Nothing to do: already in the group, or not in it."""
    CHANGED = "changed"
    """Changed since the agent marked it: left as it is."""
    GONE = "gone"
    """Deleted meanwhile (elsewhere)."""
    FAILED = "failed"


@dataclass(frozen=True)
class RowOutcome:
    """What happened to one marked customer: its status and a sentence for the agent."""

    customer_id: str
    name: str
    status: RowStatus
    detail: str


@dataclass(frozen=True)
class BulkDone:
    """The bulk action ran: one outcome per customer, in the order given."""

    action: str
    """What was done, as a title (``Added to VIP``)."""
    rows: list[RowOutcome]
    group: CustomerGroup | None = None
    intent: Intent | None = field(default=None, compare=False)
    """The intent of a group made for this action; closed by :func:`shown`."""

    def count(self, *statuses: RowStatus) -> int:
        return sum(1 for row in self.rows if row.status in statuses)

    @property
    def summary(self) -> str:
        """One line: how many of each outcome (``10 done · 1 changed meanwhile``)."""
        words = {
            RowStatus.DONE: "done",
            RowStatus.ALREADY: "nothing to do",
            RowStatus.CHANGED: "changed meanwhile",
            RowStatus.GONE: "gone",
            RowStatus.FAILED: "failed",
        }
        parts = [f"{self.count(s):,} {words[s]}" for s in RowStatus if self.count(s)]
        return " · ".join(parts) or "nothing to do"


def shown(place: Workplace, done: BulkDone) -> None:
    """The agent has seen the outcome: a group name made for it is a new intent next time."""
    if done.intent is not None:
        place.intents.done(done.intent)


def _name(customer: Customer) -> str:
    return customer.display_name or customer.id


# --------------------------------------------------------------------------- groups


async def add_to_group(
    place: Workplace,
    customers: Sequence[Customer],
    choice: CustomerGroup | str,
    progress: Progress | None = None,
) -> BulkDone | Lost | Refused:
    """Add each customer to ``choice`` (a group, or the name of a group to make once)."""
    if isinstance(choice, CustomerGroup):
        refused = refusal(place, "AddGroupToCustomer")
    else:
        refused = refusal(place, "CreateCustomerGroup", "AddGroupToCustomer")
    if refused is not None:
        return refused
    intent: Intent | None = None
    if isinstance(choice, CustomerGroup):
        group = choice
    else:
        intent = place.intents.group(choice)
        found = await _named_exactly(place, intent.name)
        if found is None:
            try:
                found = await place.service.create_customer_group(
                    intent.name, idempotency_key=intent.key
                )
            except LostAnswerError:
                return Lost(intent.key, name=intent.name)
        group = found

    async def one(customer: Customer) -> RowOutcome:
        already = group.id in customer.group_ids
        result = await Memberships(place, customer.id).join(group)
        if isinstance(result, Refused):
            return RowOutcome(customer.id, _name(customer), RowStatus.FAILED, result.reason)
        assert isinstance(result, Joined)
        if already:
            return RowOutcome(customer.id, _name(customer), RowStatus.ALREADY, "already in it")
        return RowOutcome(customer.id, _name(customer), RowStatus.DONE, f"added to {group.name}")

    rows = await _each(place, customers, one, progress)
    await _reread(place, [r.customer_id for r in rows if r.status is RowStatus.DONE])
    return BulkDone(f"Add to {group.name}", rows, group, intent)


async def _named_exactly(place: Workplace, name: str) -> CustomerGroup | None:
    """A group of exactly this name, if one exists now (made meanwhile, or by an attempt
    whose answer was lost)."""
    async for group in place.service.iter_customer_groups():
        if group.name == name:
            return group
    return None


async def remove_from_group(
    place: Workplace,
    customers: Sequence[Customer],
    group: CustomerGroup,
    progress: Progress | None = None,
) -> BulkDone | Refused:
    """Take each customer out of ``group``."""
    refused = refusal(place, "RemoveGroupFromCustomer")
    if refused is not None:
        return refused

    async def one(customer: Customer) -> RowOutcome:
        was_in = group.id in customer.group_ids
        result = await Memberships(place, customer.id).leave(group)
        if isinstance(result, Refused):
            return RowOutcome(customer.id, _name(customer), RowStatus.FAILED, result.reason)
        if not was_in:
            return RowOutcome(customer.id, _name(customer), RowStatus.ALREADY, "was not in it")
        return RowOutcome(
            customer.id, _name(customer), RowStatus.DONE, f"removed from {group.name}"
        )

    rows = await _each(place, customers, one, progress)
    await _reread(place, [r.customer_id for r in rows if r.status is RowStatus.DONE])
    return BulkDone(f"Remove from {group.name}", rows, group)


async def _each(
    place: Workplace,
    customers: Sequence[Customer],
    one: Callable[[Customer], Awaitable[RowOutcome]],
    progress: Progress | None,
) -> list[RowOutcome]:
    """``one`` for each customer, a few at a time; an error is that row's outcome."""
    total = len(customers)
    done = 0
    gate = asyncio.Semaphore(AT_ONCE)

    async def guarded(customer: Customer) -> RowOutcome:
        nonlocal done
        async with gate:
            try:
                outcome = await one(customer)
            except NotFoundError:
                place.directory.remove(customer.id)
                outcome = RowOutcome(
                    customer.id, _name(customer), RowStatus.GONE, "deleted meanwhile"
                )
            except SquareError as exc:
                outcome = RowOutcome(customer.id, _name(customer), RowStatus.FAILED, str(exc))
        done += 1
        if progress is not None:
            progress(done, total)
        return outcome

    return list(await asyncio.gather(*(guarded(c) for c in customers)))


async def _reread(place: Workplace, customer_ids: Sequence[str]) -> None:
    """The customers changed, read back into the directory (their versions moved on).
    A failure here changes nothing that was done: the next refresh catches up."""
    for start in range(0, len(customer_ids), BATCH):
        try:
            found = await place.service.bulk_retrieve_customers(customer_ids[start : start + BATCH])
        except SquareError:
            return
        for result in found.values():
            if isinstance(result, Customer):
                place.directory.apply(result)


# --------------------------------------------------------------------------- delete


async def delete_customers(
    place: Workplace,
    customers: Sequence[Customer],
    progress: Progress | None = None,
) -> BulkDone | Refused:
    """Delete each customer at the version the agent marked (see the module)."""
    refused = refusal(place, "BulkDeleteCustomers")
    if refused is not None:
        return refused
    rows: dict[str, RowOutcome] = {}
    total = len(customers)
    for start in range(0, total, BATCH):
        batch = customers[start : start + BATCH]
        rows.update(await _delete_batch(place, batch))
        if progress is not None:
            progress(min(start + BATCH, total), total)
    return BulkDone(f"Delete {total:,} customers", [rows[c.id] for c in customers])


async def _delete_batch(place: Workplace, batch: Sequence[Customer]) -> dict[str, RowOutcome]:
    out: dict[str, RowOutcome] = {}
    seen = {c.id: c for c in batch}
    latest = await place.service.bulk_retrieve_customers(list(seen))
    unchanged: list[str] = []
    for cid, customer in seen.items():
        now = latest.get(cid)
        if isinstance(now, NotFoundError):
            place.directory.remove(cid)
            out[cid] = RowOutcome(cid, _name(customer), RowStatus.GONE, "deleted meanwhile")
        elif isinstance(now, SquareError) or now is None:
            detail = str(now) if now is not None else "Square did not say"
            out[cid] = RowOutcome(cid, _name(customer), RowStatus.FAILED, detail)
        elif now.version != customer.version:
            place.directory.apply(now)
            out[cid] = RowOutcome(
                cid,
                _name(customer),
                RowStatus.CHANGED,
                f"changed since you marked it (version {customer.version} → {now.version}): "
                "not deleted",
            )
        else:
            unchanged.append(cid)
    if not unchanged:
        return out
    deleted = await place.service.bulk_delete_customers(unchanged)
    for cid in unchanged:
        error = deleted.get(cid)
        customer = seen[cid]
        if error is None:
            place.directory.remove(cid)
            out[cid] = RowOutcome(cid, _name(customer), RowStatus.DONE, "deleted")
        elif isinstance(error, NotFoundError):
            place.directory.remove(cid)
            out[cid] = RowOutcome(cid, _name(customer), RowStatus.GONE, "deleted meanwhile")
        else:
            out[cid] = RowOutcome(cid, _name(customer), RowStatus.FAILED, str(error))
    return out
