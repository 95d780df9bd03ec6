"""Undoing a change from the journal: revert an edit, a group joined or left, a merge; remake
a deleted customer.

* a profile edit — the old values are sent over the *current* version; when any of
  the fields changed again since (elsewhere or later here), nothing is sent and the
  result is :class:`UndoConflict`, naming them: never overwritten;
* a group added / removed — removed / added again;
* a new customer — deleted (at its current version);
* a deleted customer — made again from the journal's copy of the profile, under a new
  id (Square cannot bring an id back), and put back in its groups that still exist;
  its cards cannot come back, and the result says so;
* a merge — each of its steps (the journal's changes tagged ``merge``) undone, newest
  first: the deleted profiles remade, the survivor's fields and groups restored.

Every undo is itself a change in the journal, tagged ``undoes`` with the reverted
intent's id; a change undone once is not undone again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from app.desk.create import Created, create_customer
from app.desk.delete import ChangedMeanwhile, Deleted, delete_customer
from app.desk.groups import Memberships
from app.desk.journal import Change, Journal
from app.desk.outcomes import Gone, Refused, refusal
from app.desk.settle import holds
from app.desk.snapshot import fields_of, only
from app.desk.workplace import Workplace
from app.square import ConflictError, CustomerFields, NotFoundError, SquareError

__all__ = [
    "CannotUndo",
    "UndoConflict",
    "UndoResult",
    "Undone",
    "describe",
    "last_undoable",
    "undo",
    "why_not",
]

UNDOABLE = frozenset(
    {
        "customer.update",
        "customer.create",
        "customer.delete",
        "group.add",
        "group.remove",
        "merge.start",
        "merge.finish",
    }
)
WRITES = {
    "customer.update": ("UpdateCustomer",),
    "customer.create": ("DeleteCustomer",),
    "customer.delete": ("CreateCustomer", "AddGroupToCustomer"),
    "group.add": ("RemoveGroupFromCustomer",),
    "group.remove": ("AddGroupToCustomer",),
}


@dataclass(frozen=True)
class Undone:
    change: Change
    message: str
    """What was done, as a sentence for the agent."""
    customer_id: str | None = None
    """The customer to show now (a remade one's new id)."""


@dataclass(frozen=True)
class UndoConflict:
    """The fields changed again since: nothing was sent."""

    change: Change
    fields: dict[str, tuple[object, object]] = field(default_factory=dict)
    """Each field → (its value now, the value the undo would restore)."""

    @property
    def message(self) -> str:
        names = ", ".join(self.fields) or "the profile"
        return f"Not undone: {names} changed again since. Nothing was overwritten."


@dataclass(frozen=True)
class CannotUndo:
    change: Change
    reason: str


UndoResult = Undone | UndoConflict | CannotUndo | Refused | Gone


def describe(change: Change) -> str:
    """One line for history and the confirmation: what the change did (an undo says so)."""
    what = _what(change)
    return f"Undo → {what}" if change.undoes else what


def _what(change: Change) -> str:
    who = change.name or change.subject_id or "a customer"
    detail = change.detail
    group = detail.get("group_name", "a group")
    match change.operation:
        case "customer.update":
            return f"Edit of {who}: {', '.join(change.after or {}) or 'nothing'}"
        case "customer.create":
            return f"New customer {who}"
        case "customer.delete":
            return f"Deleted {who}"
        case "group.add":
            return f"{who} added to {group}"
        case "group.remove":
            return f"{who} removed from {group}"
        case "group.create":
            return f"New group {group}"
        case "card.add":
            return f"Card added for {who}"
        case "card.disable":
            return f"Card {detail.get('card', '')} of {who} disabled"
    if change.operation.startswith("merge."):
        return f"Merge ({change.operation[6:]}) into {who}"
    return f"{change.operation} {who}"


def why_not(journal: Journal, change: Change) -> str | None:
    """Why ``change`` cannot be undone, or None when it can."""
    if change.operation.startswith("card."):
        return "Square cannot bring a card back or take one off: cards cannot be undone."
    if change.operation not in UNDOABLE:
        return f"A {change.operation} cannot be undone from the desk."
    if change.open and not change.operation.startswith("merge."):
        return "It is not known whether this change landed: it is settled at the next start."
    if not change.landed and not change.operation.startswith("merge."):
        return "This change did not land: there is nothing to undo."
    if change.intent_id in journal.undone():
        return "This change was undone already."
    return None


def last_undoable(journal: Journal) -> Change | None:
    """The last change of this run that can be undone (undos themselves skipped)."""
    for change in journal.changes():
        ours = change.run == journal.run and not change.undoes
        whole = not change.detail.get("merge") or change.operation.startswith("merge.")
        if ours and whole and why_not(journal, change) is None:
            return change
    return None


async def undo(place: Workplace, change: Change) -> UndoResult:
    """Undo ``change`` as the module says."""
    reason = why_not(place.journal, change)
    if reason is not None:
        return CannotUndo(change, reason)
    if change.operation.startswith("merge."):
        return await _undo_merge(place, change)
    refused = refusal(place, *WRITES[change.operation])
    if refused is not None:
        return refused
    with place.journal.tagged(undoes=change.intent_id):
        return await _UNDO[change.operation](place, change)


async def _revert_edit(place: Workplace, change: Change) -> UndoResult:
    customer_id = change.customer_id or ""
    try:
        current = await place.service.retrieve_customer(customer_id)
    except NotFoundError:
        place.directory.remove(customer_id)
        return Gone(customer_id)
    after, before = change.after or {}, change.before or {}
    moved = {
        name: (fields_of(current).get(name), before.get(name))
        for name, value in after.items()
        if not holds(current, {name: value})
    }
    if moved:
        return UndoConflict(change, moved)
    restore = CustomerFields(**{name: before.get(name) for name in after})
    names = list(after)
    journal = place.journal
    intent_id = journal.intent(
        "customer.update",
        customer_id=customer_id,
        name=current.display_name,
        before=only(fields_of(current), names),
        after=restore.to_body(),
        detail={"version": current.version},
    )
    try:
        saved = await place.service.update_customer(customer_id, restore, version=current.version)
    except ConflictError as error:
        journal.failed(intent_id, error)
        latest = await place.service.retrieve_customer(customer_id)
        return UndoConflict(change, {n: (fields_of(latest).get(n), before.get(n)) for n in names})
    except SquareError as error:
        journal.failed(intent_id, error)
        raise
    journal.outcome(intent_id, ok=True, after=only(fields_of(saved), names))
    place.directory.apply(saved)
    return Undone(change, f"Undone: {describe(change)}.", customer_id)


async def _undo_create(place: Workplace, change: Change) -> UndoResult:
    customer_id = change.subject_id or ""
    try:
        current = await place.service.retrieve_customer(customer_id)
    except NotFoundError:
        place.directory.remove(customer_id)
        return Gone(customer_id)
    result = await delete_customer(place, current)
    if isinstance(result, Deleted):
        return Undone(change, f"Undone: {current.display_name} deleted again.")
    if isinstance(result, ChangedMeanwhile):
        return UndoConflict(change, {})
    return result


async def _recreate(place: Workplace, change: Change) -> UndoResult:
    before = {k: v for k, v in (change.before or {}).items() if v is not None}
    fields = CustomerFields(**before)
    place.intents.done(place.intents.customer(fields.to_body()))  # a fresh key: a new customer
    result = await create_customer(place, fields)
    if not isinstance(result, Created):
        return CannotUndo(change, _why_not_made(result))
    customer = result.customer
    place.intents.done(result.intent)
    memberships = Memberships(place, customer.id)
    groups = (await memberships.catalogue()).groups
    wanted = [g for g in change.detail.get("group_ids", []) if isinstance(g, str)]
    for group_id in wanted:
        if group_id in groups:
            await memberships.add(groups[group_id])
    missing = len(wanted) - len([g for g in wanted if g in groups])
    name = customer.display_name
    message = (
        f"{name} was made again under a new id ({customer.id}), "
        f"in {len(wanted) - missing} of {len(wanted)} groups. Cards on file cannot come back."
    )
    return Undone(change, message, customer.id)


def _why_not_made(result: object) -> str:
    message = getattr(result, "message", None) or getattr(result, "reason", None)
    return f"The customer could not be made again: {message or type(result).__name__}."


def _membership(add: bool) -> Callable[[Workplace, Change], Awaitable[UndoResult]]:
    async def revert(place: Workplace, change: Change) -> UndoResult:
        customer_id = change.customer_id or ""
        memberships = Memberships(place, customer_id)
        group_id = str(change.detail.get("group_id", ""))
        try:
            group = await place.service.retrieve_customer_group(group_id)
        except NotFoundError:
            return CannotUndo(change, "That group no longer exists.")
        try:
            if add:
                await memberships.add(group)
            else:
                await memberships.leave(group)
        except NotFoundError:
            place.directory.remove(customer_id)
            return Gone(customer_id)
        return Undone(change, f"Undone: {describe(change)}.", customer_id)

    return revert


_UNDO: dict[str, Callable[[Workplace, Change], Awaitable[UndoResult]]] = {
    "customer.update": _revert_edit,
    "customer.create": _undo_create,
    "customer.delete": _recreate,
    "group.add": _membership(add=False),
    "group.remove": _membership(add=True),
}


async def _undo_merge(place: Workplace, change: Change) -> UndoResult:
    """Undo every landed step of the merge ``change`` belongs to, newest first."""
    merge_id = change.detail.get("merge")
    if not isinstance(merge_id, str):
        return CannotUndo(change, "The journal does not say which merge this was.")
    journal = place.journal
    done = journal.undone()
    steps = [
        c
        for c in journal.changes()
        if c.detail.get("merge") == merge_id
        and c.operation in _UNDO
        and c.landed
        and c.intent_id not in done
    ]
    messages: list[str] = []
    conflicts: dict[str, tuple[Any, Any]] = {}
    survivor: str | None = None
    with journal.tagged(undoes_merge=merge_id):
        for step in steps:
            result = await undo(place, step)
            if isinstance(result, Undone):
                if step.operation == "customer.delete":
                    messages.append(result.message)
                survivor = survivor or (
                    step.customer_id if step.operation == "customer.update" else None
                )
            elif isinstance(result, UndoConflict):
                conflicts.update(result.fields)
            elif isinstance(result, Refused):
                return result
    if conflicts:
        return UndoConflict(change, conflicts)
    with journal.tagged(undoes=change.intent_id, merge=merge_id):
        marker = journal.intent("merge.undo", customer_id=change.customer_id, name=change.name)
        journal.outcome(marker, ok=True)
    text = " ".join(["Merge undone.", *messages]) if messages else "Merge undone."
    return Undone(change, text, survivor or change.customer_id)
