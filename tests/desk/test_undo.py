"""Undo from the journal, against the emulator: an edit (and one that changed again since),
a group joined or left, a new customer, a deleted customer remade, a merge."""

from __future__ import annotations

import pytest

from app.desk.create import Created, create_customer
from app.desk.delete import Deleted, delete_customer
from app.desk.edits import ProfileEdit
from app.desk.groups import Memberships
from app.desk.journal import Change
from app.desk.save import Saved, save_customer
from app.desk.undo import CannotUndo, UndoConflict, Undone, last_undoable, undo
from app.square import Customer, CustomerFields, CustomerGroup, NotFoundError, SquareService
from tests.desk.conftest import CountedSession

GRACE = CustomerFields(
    given_name="Grace", family_name="Hopper", email_address="grace@desk.test", note="Admiral"
)


async def grace(session: CountedSession) -> Customer:
    created = await create_customer(session, GRACE)
    assert isinstance(created, Created)
    session.intents.done(created.intent)
    return created.customer


async def two_groups(session: CountedSession, customer_id: str) -> list[CustomerGroup]:
    groups = (await Memberships(session, customer_id).catalogue()).groups
    return sorted(groups.values(), key=lambda g: g.id)[:2]


def last(session: CountedSession) -> Change:
    change = last_undoable(session.journal)
    assert change is not None
    return change


async def test_undo_of_an_edit_restores_the_old_values_in_the_store(
    session: CountedSession, elsewhere: SquareService
) -> None:
    ada = await grace(session)
    edit = ProfileEdit.of(ada, {"nickname": "Amazing", "note": "Rear admiral"})
    assert isinstance(await save_customer(session, edit), Saved)
    change = last(session)
    assert change.operation == "customer.update"

    result = await undo(session, change)

    assert isinstance(result, Undone)
    stored = await elsewhere.retrieve_customer(ada.id)
    assert (stored.nickname, stored.note) == (None, "Admiral")
    assert last_undoable(session.journal) == session.journal.changes()[-1]  # the create
    again = await undo(session, change)
    assert isinstance(again, CannotUndo) and "already" in again.reason


async def test_undo_of_an_edit_changed_again_since_is_a_conflict_and_overwrites_nothing(
    session: CountedSession, elsewhere: SquareService
) -> None:
    ada = await grace(session)
    assert isinstance(await save_customer(session, ProfileEdit.of(ada, {"nickname": "A"})), Saved)
    change = last(session)
    now = await elsewhere.retrieve_customer(ada.id)
    await elsewhere.update_customer(ada.id, CustomerFields(nickname="Theirs"), version=now.version)

    result = await undo(session, change)

    assert isinstance(result, UndoConflict)
    assert result.fields == {"nickname": ("Theirs", None)}
    assert (await elsewhere.retrieve_customer(ada.id)).nickname == "Theirs"
    assert "nickname" in result.message and "overwritten" in result.message


@pytest.mark.parametrize("joined", [True, False])
async def test_undo_of_a_group_joined_or_left(
    session: CountedSession, elsewhere: SquareService, joined: bool
) -> None:
    ada = await grace(session)
    memberships = Memberships(session, ada.id)
    group = (await two_groups(session, ada.id))[0]
    await memberships.join(group)
    if not joined:
        await memberships.leave(group)
    change = last(session)
    assert change.operation == ("group.add" if joined else "group.remove")

    assert isinstance(await undo(session, change), Undone)

    in_group = group.id in (await elsewhere.retrieve_customer(ada.id)).group_ids
    assert in_group is (not joined)


async def test_undo_of_a_new_customer_deletes_it(
    session: CountedSession, elsewhere: SquareService
) -> None:
    ada = await grace(session)
    assert isinstance(await undo(session, last(session)), Undone)
    with pytest.raises(NotFoundError):
        await elsewhere.retrieve_customer(ada.id)


async def test_a_deleted_customer_is_made_again_under_a_new_id_with_its_groups(
    session: CountedSession, elsewhere: SquareService
) -> None:
    ada = await grace(session)
    memberships = Memberships(session, ada.id)
    groups = await two_groups(session, ada.id)
    for group in groups:
        await memberships.join(group)
    latest = await elsewhere.retrieve_customer(ada.id)
    assert isinstance(await delete_customer(session, latest), Deleted)
    change = last(session)
    assert change.operation == "customer.delete"

    result = await undo(session, change)

    assert isinstance(result, Undone) and result.customer_id not in (None, ada.id)
    assert "new id" in result.message and "Cards on file cannot come back" in result.message
    remade = await elsewhere.retrieve_customer(result.customer_id or "")
    assert (remade.given_name, remade.email_address, remade.note) == (
        "Grace",
        "grace@desk.test",
        "Admiral",
    )
    assert sorted(remade.group_ids) == sorted(g.id for g in groups)
    assert session.directory.get(remade.id) is not None


async def test_undo_of_a_merge_remakes_the_deleted_profile_and_restores_the_survivor(
    session: CountedSession, elsewhere: SquareService
) -> None:
    keep = await grace(session)
    other = await create_customer(
        session, CustomerFields(given_name="G.", family_name="Hopper", phone_number="+14155550100")
    )
    assert isinstance(other, Created)
    group = (await two_groups(session, keep.id))[0]
    await Memberships(session, other.customer.id).join(group)
    journal = session.journal
    # a merge as the merge screen records it: a marker, then its steps tagged with its id
    with journal.tagged(merge="m1"):
        start = journal.intent("merge.start", customer_id=keep.id, name="Grace Hopper")
        edit = ProfileEdit.of(keep, {"phone_number": "+14155550100"})
        assert isinstance(await save_customer(session, edit), Saved)
        await Memberships(session, keep.id).join(group)
        loser = await elsewhere.retrieve_customer(other.customer.id)
        assert isinstance(await delete_customer(session, loser), Deleted)
        journal.outcome(start, ok=True)
    merge = last(session)
    assert merge.intent_id == start

    result = await undo(session, merge)

    assert isinstance(result, Undone) and "new id" in result.message
    survivor = await elsewhere.retrieve_customer(keep.id)
    assert survivor.phone_number is None and group.id not in survivor.group_ids
    [remade] = [
        c
        async for c in session.service.iter_search(
            {"filter": {"phone_number": {"exact": "+14155550100"}}}
        )
    ]
    assert remade.id != other.customer.id and group.id in remade.group_ids
    assert isinstance(await undo(session, merge), CannotUndo)
