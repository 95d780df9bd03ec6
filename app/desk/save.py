"""Saving an edit of a profile, merged with a change saved elsewhere meanwhile.

Every save carries the version the agent started from. When someone saved first
(Square answers ``VERSION_MISMATCH``), the latest version is read and compared field by
field — the address part by part — with what the agent changed:

* a field changed elsewhere that the agent did not touch is merged: the save goes on
  over the latest version, their change kept;
* a field both changed (to different values) is a clash: nothing is saved, and the
  result names each one with their value; the agent's text is kept, and saving the
  edit again — now over the latest version — overwrites theirs;
* deleted elsewhere: :class:`~app.desk.outcomes.Gone`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.desk.edits import ProfileEdit, shown_value
from app.desk.outcomes import Gone, Refused, Rejected, refusal
from app.desk.snapshot import fields_of, only
from app.desk.workplace import Workplace
from app.square import ConflictError, Customer, NotFoundError, SquareError, ValidationError

__all__ = ["Clashes", "SaveResult", "Saved", "save_customer"]


@dataclass(frozen=True)
class Saved:
    """Saved; ``merged`` when a change saved elsewhere meanwhile was merged in."""

    customer: Customer
    merged: bool = False


@dataclass(frozen=True)
class Clashes:
    """Both the agent and someone else changed these fields: nothing was saved."""

    latest: Customer
    """The version saved elsewhere: the edit now stands on it."""
    theirs: Mapping[str, str]
    """Each clashing field → its value saved elsewhere (as the form shows it)."""
    kept: frozenset[str]
    """The fields the agent changed: their text stays as typed."""


SaveResult = Saved | Clashes | Gone | Rejected | Refused


async def save_customer(place: Workplace, edit: ProfileEdit) -> SaveResult:
    """Save ``edit`` over its base's version, merging as the module says."""
    refused = refusal(place, "UpdateCustomer")
    if refused is not None:
        return refused
    customer_id = edit.base.id
    merged = False
    while True:
        try:
            saved = await _update(place, edit)
        except ConflictError:
            if merged:
                raise  # changed again while merging: the agent looks at it first
            try:
                latest = await place.service.retrieve_customer(customer_id)
            except NotFoundError:
                return _gone(place, customer_id)
            place.directory.apply(latest)
            theirs = clashes(edit, latest)
            mine = frozenset(edit.changed())
            edit = edit.rebased(latest, keep=mine)
            if theirs:
                return Clashes(latest=latest, theirs=theirs, kept=mine)
            merged = True
            continue
        except ValidationError as error:
            return Rejected.of(error, base=edit.base if merged else None)
        except NotFoundError:
            return _gone(place, customer_id)
        place.directory.apply(saved)
        return Saved(saved, merged=merged)


async def _update(place: Workplace, edit: ProfileEdit) -> Customer:
    """Send the edit over its base's version, journalled (before: the base's values of the
    fields sent; after: what Square holds once saved)."""
    fields = edit.fields()
    names = list(fields.to_body())
    journal = place.journal
    intent_id = journal.intent(
        "customer.update",
        customer_id=edit.base.id,
        name=edit.base.display_name,
        before=only(fields_of(edit.base), names),
        after=fields.to_body(),
        detail={"version": edit.base.version},
    )
    try:
        saved = await place.service.update_customer(edit.base.id, fields, version=edit.base.version)
    except SquareError as error:
        journal.failed(intent_id, error)
        raise
    journal.outcome(intent_id, ok=True, after=only(fields_of(saved), names))
    return saved


def clashes(edit: ProfileEdit, latest: Customer) -> dict[str, str]:
    """The fields the agent changed that ``latest`` changed too, to another value
    (field → their value). A field both set to the same value is no clash."""
    return {
        name: shown_value(latest, name)
        for name, typed in edit.changed().items()
        if shown_value(latest, name) not in (shown_value(edit.base, name), typed.strip())
    }


def _gone(place: Workplace, customer_id: str) -> Gone:
    place.directory.remove(customer_id)
    return Gone(customer_id)
