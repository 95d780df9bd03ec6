"""The guided merge of duplicate profiles: plan it, run it step by step, finish an interrupted one.

Square has no merge: the desk keeps one profile (the *survivor*), gives it the values the
agent picked field by field (notes joined by default, each text once), adds it to every
group of the others, then deletes the others at the versions the agent saw. Square cannot
move a card on file between customers: a deleted profile's cards go with it, and the
plan says which (the survivor by default is the profile holding cards).

Every step is journalled under ``journal.tagged(merge=<id>)``: a ``merge.start`` intent
first (its ``detail`` holds the whole plan: the survivor, the fields sent, the groups to
add, the others and their versions), then the steps (``customer.update``, ``group.add``,
``customer.delete``), then ``merge.finish``, and only then ``merge.start``'s outcome. A
desk killed midway leaves ``merge.start`` open: :func:`open_merges` finds it at the next
start and :func:`finish_merge` runs what is left (a step that landed is skipped), or
:func:`app.desk.undo.undo` reverts the steps that landed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.desk.cards import CardsOnFile
from app.desk.delete import ChangedMeanwhile, Deleted, delete_customer
from app.desk.edits import ADDRESS_PARTS, PROFILE_FIELDS, ProfileEdit, shown_value
from app.desk.groups import Memberships
from app.desk.journal import Change
from app.desk.outcomes import Gone, Refused, refusal
from app.desk.settle import holds
from app.desk.snapshot import fields_of, only
from app.desk.workplace import Workplace
from app.square import (
    Card,
    ConflictError,
    Customer,
    CustomerFields,
    CustomerGroup,
    NotFoundError,
    SquareError,
)

__all__ = [
    "MERGE_ROWS",
    "MergeFinished",
    "MergePlan",
    "MergeResult",
    "MergeStopped",
    "execute_merge",
    "finish_merge",
    "open_merges",
    "plan_merge",
]

MERGE_ROWS = (*PROFILE_FIELDS, "address", "note")
"""The rows the agent picks a value for (the address as a whole)."""
WRITES = ("UpdateCustomer", "AddGroupToCustomer", "DeleteCustomer")

Progress = Callable[[str], None]


def _address_text(customer: Customer) -> str:
    parts = [shown_value(customer, part) for part in ADDRESS_PARTS]
    return ", ".join(p for p in parts if p)


def row_value(customer: Customer, row: str) -> str:
    """One profile's value of a merge row, as the agent reads it."""
    return _address_text(customer) if row == "address" else shown_value(customer, row)


def joined_notes(notes: Sequence[str]) -> str:
    """The notes joined with a blank line, each text once (spacing aside)."""
    seen: list[str] = []
    for note in notes:
        text = note.strip()
        if text and not any(" ".join(text.split()) == " ".join(s.split()) for s in seen):
            seen.append(text)
    return "\n\n".join(seen)


def _completeness(customer: Customer) -> int:
    return sum(1 for row in MERGE_ROWS if row_value(customer, row))


def default_survivor(profiles: Sequence[Customer], cards: Mapping[str, Sequence[Card]]) -> str:
    """The profile holding cards (the most), then the most complete, then the oldest."""

    def rank(c: Customer) -> tuple[int, int, float]:
        created = c.created_at.timestamp() if c.created_at else float("inf")
        return (-len(cards.get(c.id, ())), -_completeness(c), created)

    return min(profiles, key=rank).id


@dataclass(frozen=True)
class MergePlan:
    """What a merge will do; the agent changes the survivor and the values before it runs."""

    profiles: tuple[Customer, ...]
    cards: Mapping[str, tuple[Card, ...]]
    groups: Mapping[str, CustomerGroup]
    """Every group of the seller by id (names for the screen, objects for the step)."""
    survivor_id: str
    chosen: Mapping[str, str] = field(default_factory=dict)
    """Row → the value the survivor will hold (a row missing: its default)."""

    @property
    def survivor(self) -> Customer:
        return next(c for c in self.profiles if c.id == self.survivor_id)

    @property
    def others(self) -> list[Customer]:
        return [c for c in self.profiles if c.id != self.survivor_id]

    def options(self, row: str) -> list[str]:
        """The values the agent may keep for ``row``, the default first: the survivor's
        (else the first other's) value; for the note, the notes joined."""
        ordered = [self.survivor, *self.others]
        values: list[str] = []
        if row == "note":
            joined = joined_notes([row_value(c, row) for c in ordered])
            if joined:
                values.append(joined)
        for customer in ordered:
            value = row_value(customer, row)
            if value and value not in values:
                values.append(value)
        return values or [""]

    def value(self, row: str) -> str:
        chosen = self.chosen.get(row)
        options = self.options(row)
        return chosen if chosen in options else options[0]

    def cycle(self, row: str, step: int = 1) -> MergePlan:
        """The next (or previous) value kept for ``row``."""
        options = self.options(row)
        index = (options.index(self.value(row)) + step) % len(options)
        return replace(self, chosen={**self.chosen, row: options[index]})

    def with_survivor(self, customer_id: str) -> MergePlan:
        """Keep another profile (the values picked stay picked where they still exist)."""
        return replace(self, survivor_id=customer_id)

    def next_survivor(self) -> MergePlan:
        ids = [c.id for c in self.profiles]
        return self.with_survivor(ids[(ids.index(self.survivor_id) + 1) % len(ids)])

    def _source(self, row: str) -> Customer | None:
        wanted = self.value(row)
        for customer in (self.survivor, *self.others):
            if row_value(customer, row) == wanted:
                return customer
        return None

    def edit(self) -> ProfileEdit:
        """The survivor's update: each row's kept value over its version."""
        typed: dict[str, str] = {}
        for row in MERGE_ROWS:
            if row == "address":
                source = self._source(row) or self.survivor
                typed.update({p: shown_value(source, p) for p in ADDRESS_PARTS})
            else:
                typed[row] = self.value(row)
        return ProfileEdit.of(self.survivor, typed)

    def update(self) -> dict[str, Any]:
        """The fields sent to the survivor (Square's JSON; empty when nothing changes)."""
        return self.edit().fields().to_body()

    def groups_to_add(self) -> list[str]:
        """The group ids of the others the survivor is not in yet (segments aside)."""
        have = set(self.survivor.group_ids)
        wanted: list[str] = []
        for other in self.others:
            for group_id in other.group_ids:
                if group_id in self.groups and group_id not in have and group_id not in wanted:
                    wanted.append(group_id)
        return wanted

    def lost_cards(self) -> dict[str, tuple[Card, ...]]:
        """Each deleted profile's cards: they go with it (Square cannot move a card)."""
        return {c.id: self.cards[c.id] for c in self.others if self.cards.get(c.id)}

    def record(self) -> dict[str, Any]:
        """The plan as ``merge.start``'s detail: enough to finish it at a later start."""
        return {
            "survivor_id": self.survivor_id,
            "survivor_version": self.survivor.version,
            "update": self.update(),
            "add_groups": [{"id": g, "name": self.groups[g].name} for g in self.groups_to_add()],
            "delete": [
                {"id": c.id, "version": c.version, "name": c.display_name} for c in self.others
            ],
            "lost_cards": {i: [c.label for c in cards] for i, cards in self.lost_cards().items()},
        }


async def plan_merge(place: Workplace, customers: Sequence[Customer]) -> MergePlan:
    """Read each profile as Square holds it now, its cards and the seller's groups; the
    default plan (:func:`default_survivor`, each row's default value)."""
    profiles = tuple([await place.service.retrieve_customer(c.id) for c in customers])
    cards = {c.id: tuple(await CardsOnFile(place, c.id).list()) for c in profiles}
    groups = (await Memberships(place, profiles[0].id).catalogue()).groups
    return MergePlan(profiles, cards, groups, default_survivor(profiles, cards))


@dataclass(frozen=True)
class MergeFinished:
    """Merged: the survivor as Square holds it now, the profiles deleted."""

    merge_id: str
    survivor: Customer
    deleted: tuple[str, ...]
    """The deleted profiles' names."""

    @property
    def message(self) -> str:
        gone = ", ".join(self.deleted) or "nothing"
        return f"Merged into {self.survivor.display_name}; deleted: {gone}."


@dataclass(frozen=True)
class MergeStopped:
    """Stopped at a step (a profile changed meanwhile): the steps before it landed, and
    the merge stays open (finish it once looked at, or undo it)."""

    merge_id: str
    reason: str


MergeResult = MergeFinished | MergeStopped | Refused | Gone


async def execute_merge(
    place: Workplace, plan: MergePlan, progress: Progress | None = None
) -> MergeResult:
    """Run ``plan`` as the module says; ``progress`` hears each step as a sentence."""
    refused = refusal(place, *WRITES)
    if refused is not None:
        return refused
    merge_id = uuid.uuid4().hex[:12]
    journal = place.journal
    with journal.tagged(merge=merge_id):
        start = journal.intent(
            "merge.start",
            customer_id=plan.survivor_id,
            name=plan.survivor.display_name,
            before=fields_of(plan.survivor),
            after=plan.update(),
            detail=plan.record(),
        )
    change = journal.change(start)
    assert change is not None
    return await _run(place, change, progress or (lambda _s: None))


def open_merges(place: Workplace) -> list[Change]:
    """The merges begun and neither finished nor undone (oldest first)."""
    undone_merges = {
        c.detail.get("merge") for c in place.journal.changes() if c.operation == "merge.undo"
    }
    return [
        c
        for c in place.journal.open_intents()
        if c.operation == "merge.start" and c.detail.get("merge") not in undone_merges
    ]


async def finish_merge(
    place: Workplace, start: Change, progress: Progress | None = None
) -> MergeResult:
    """Run what is left of the open merge ``start`` (steps that landed are skipped)."""
    refused = refusal(place, *WRITES)
    if refused is not None:
        return refused
    return await _run(place, start, progress or (lambda _s: None))


async def _run(place: Workplace, start: Change, progress: Progress) -> MergeResult:
    detail = start.detail
    merge_id = str(detail.get("merge", ""))
    journal = place.journal
    with journal.tagged(merge=merge_id):
        survivor_id = str(detail.get("survivor_id", ""))
        try:
            survivor = await place.service.retrieve_customer(survivor_id)
        except NotFoundError:
            place.directory.remove(survivor_id)
            return Gone(survivor_id)
        update: dict[str, Any] = dict(detail.get("update") or {})
        if update and not holds(survivor, update):
            progress(f"Updating {survivor.display_name}…")
            stopped = await _update(place, survivor, update, detail.get("survivor_version"))
            if isinstance(stopped, str):
                return MergeStopped(merge_id, stopped)
            survivor = stopped
        progress(f"{survivor.display_name} updated.")
        memberships = Memberships(place, survivor_id)
        for group in detail.get("add_groups") or []:
            if group["id"] not in survivor.group_ids:
                progress(f"Adding to the group {group['name']}…")
                await memberships.add(CustomerGroup(id=group["id"], name=group["name"]))
        deleted: list[str] = []
        for other in detail.get("delete") or []:
            name = str(other.get("name", ""))
            try:
                current = await place.service.retrieve_customer(str(other["id"]))
            except NotFoundError:
                place.directory.remove(str(other["id"]))
                deleted.append(name)  # deleted already (an earlier run of this merge)
                continue
            if current.version != other.get("version"):
                return MergeStopped(merge_id, _changed(current.display_name))
            progress(f"Deleting {name}…")
            result = await delete_customer(place, current)
            if isinstance(result, ChangedMeanwhile):
                return MergeStopped(merge_id, _changed(current.display_name))
            if isinstance(result, Refused):
                return result
            if isinstance(result, Deleted | Gone):
                deleted.append(name)
        survivor = await place.service.retrieve_customer(survivor_id)
        place.directory.apply(survivor)
        finish = journal.intent("merge.finish", customer_id=survivor_id, name=start.name)
        journal.outcome(finish, ok=True)
    journal.outcome(start.intent_id, ok=True, after=fields_of(survivor))
    progress("Merge finished.")
    return MergeFinished(merge_id, survivor, tuple(deleted))


def _changed(name: str) -> str:
    return (
        f"Stopped: {name} was changed elsewhere since the merge was planned. Nothing more "
        "was sent; look at it, then finish the merge or undo it from history."
    )


async def _update(
    place: Workplace, survivor: Customer, update: dict[str, Any], version: object
) -> Customer | str:
    """The survivor's update at the planned version (journalled); a conflict → its reason."""
    if isinstance(version, int) and survivor.version != version:
        return _changed(survivor.display_name)
    fields = CustomerFields.model_validate(update)
    names = list(update)
    journal = place.journal
    intent_id = journal.intent(
        "customer.update",
        customer_id=survivor.id,
        name=survivor.display_name,
        before=only(fields_of(survivor), names),
        after=update,
        detail={"version": survivor.version},
    )
    try:
        saved = await place.service.update_customer(survivor.id, fields, version=survivor.version)
    except ConflictError as error:
        journal.failed(intent_id, error)
        return _changed(survivor.display_name)
    except SquareError as error:
        journal.failed(intent_id, error)
        raise
    journal.outcome(intent_id, ok=True, after=only(fields_of(saved), names))
    place.directory.apply(saved)
    return saved
