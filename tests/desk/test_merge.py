"""The guided merge against the emulator: a seeded family with cards and groups (the store
afterwards), an interrupted merge finished at the next start, a conflict, undo."""

from __future__ import annotations

import pytest

from app.desk.cards import CardAdded, CardsOnFile, NewCard
from app.desk.duplicates import all_customers, group_duplicates
from app.desk.journal import Journal
from app.desk.merge import (
    MergeFinished,
    MergePlan,
    MergeStopped,
    execute_merge,
    finish_merge,
    joined_notes,
    open_merges,
    plan_merge,
)
from app.desk.settle import settle
from app.desk.undo import Undone, last_undoable, undo
from app.emulator.faults import Faults
from app.square import Customer, CustomerFields, NotFoundError, ServerError, SquareService
from tests.desk.conftest import CountedSession, SessionMaker

OK = "cnon:card-nonce-ok"


async def family(session: CountedSession, name: str) -> list[Customer]:
    await session.directory.load()
    groups = group_duplicates(await all_customers(session.directory))
    found = next(g for g in groups if g.customers[0].display_name == name)
    return list(found.customers)


async def prepared(session: CountedSession, elsewhere: SquareService) -> MergePlan:
    """Margaret Whitfield's family: the second holds a card, each is in another group."""
    first, second = (await family(session, "Margaret Whitfield"))[:2]
    added = await CardsOnFile(session, second.id).add(NewCard(OK, cardholder_name="M W"))
    assert isinstance(added, CardAdded)
    groups = sorted([g async for g in elsewhere.iter_customer_groups()], key=lambda g: g.id)
    await elsewhere.add_group_to_customer(first.id, groups[0].id)
    await elsewhere.add_group_to_customer(second.id, groups[1].id)
    await elsewhere.update_customer(
        first.id,
        CustomerFields(note="Prefers email"),
        version=(await elsewhere.retrieve_customer(first.id)).version,
    )
    await elsewhere.update_customer(
        second.id,
        CustomerFields(note="VIP since 2019\n"),
        version=(await elsewhere.retrieve_customer(second.id)).version,
    )
    return await plan_merge(session, [first, second])


def test_notes_are_joined_each_text_once() -> None:
    assert joined_notes(["Prefers email", "", "VIP", " Prefers  email "]) == "Prefers email\n\nVIP"


async def test_a_merge_keeps_the_carded_profile_unions_groups_and_deletes_the_other(
    session: CountedSession, elsewhere: SquareService
) -> None:
    plan = await prepared(session, elsewhere)
    first, second = plan.profiles
    assert plan.survivor_id == second.id  # the one with a card on file
    assert plan.lost_cards() == {}
    assert plan.value("note") == "VIP since 2019\n\nPrefers email"
    steps: list[str] = []

    result = await execute_merge(session, plan, steps.append)

    assert isinstance(result, MergeFinished), result
    stored = await elsewhere.retrieve_customer(second.id)
    assert stored.note == "VIP since 2019\n\nPrefers email"
    assert set(stored.group_ids) >= set(first.group_ids) | set(second.group_ids)
    assert [c.id async for c in elsewhere.iter_cards(customer_id=second.id)] == [
        c.id for c in plan.cards[second.id]
    ]
    try:
        await elsewhere.retrieve_customer(first.id)
        raise AssertionError("the other profile is still there")
    except NotFoundError:
        pass
    assert steps[-1] == "Merge finished." and any("Deleting" in s for s in steps)
    operations = [c.operation for c in session.journal.changes() if c.detail.get("merge")]
    assert operations[0] == "merge.finish" and operations[-1] == "merge.start"
    assert "customer.delete" in operations and "group.add" in operations
    assert open_merges(session) == []


async def test_keeping_the_other_profile_says_which_cards_go(
    session: CountedSession, elsewhere: SquareService
) -> None:
    plan = await prepared(session, elsewhere)
    first, second = plan.profiles
    kept_first = plan.with_survivor(first.id)
    assert [c.id for c in kept_first.lost_cards()[second.id]] == [
        c.id for c in plan.cards[second.id]
    ]
    assert kept_first.record()["lost_cards"][second.id][0].endswith(
        plan.cards[second.id][0].label[-5:]
    )


async def test_an_interrupted_merge_is_found_at_the_next_start_and_finished(
    make_session: SessionMaker, elsewhere: SquareService
) -> None:
    journal = Journal(None)
    faults = Faults(latency_ms=0.001)
    session = await make_session(journal=journal, faults=faults, max_retries=0)
    plan = await prepared(session, elsewhere)
    first, second = plan.profiles

    def kill_after_update(step: str) -> None:
        if step.endswith("updated."):
            faults.error_rate = 1.0  # Square stops answering: the desk dies midway

    with pytest.raises(ServerError):  # the desk dies of it midway
        await execute_merge(session, plan, kill_after_update)
    faults.error_rate = 0.0
    assert (await elsewhere.retrieve_customer(first.id)).id == first.id  # not deleted

    again = await make_session(journal=journal)  # the next start
    await settle(again)
    [open_one] = open_merges(again)
    assert open_one.customer_id == second.id

    result = await finish_merge(again, open_one)

    assert isinstance(result, MergeFinished), result
    assert result.deleted == (first.display_name,)
    try:
        await elsewhere.retrieve_customer(first.id)
        raise AssertionError("the other profile is still there")
    except NotFoundError:
        pass
    stored = await elsewhere.retrieve_customer(second.id)
    assert stored.note == "VIP since 2019\n\nPrefers email"
    assert open_merges(again) == []
    updates = [c for c in journal.changes() if c.operation == "customer.update" and c.landed]
    assert len(updates) == 1  # the update that landed was not sent twice


async def test_a_profile_changed_meanwhile_stops_the_merge_and_says_so(
    session: CountedSession, elsewhere: SquareService
) -> None:
    plan = await prepared(session, elsewhere)
    first, second = plan.profiles
    await elsewhere.update_customer(
        second.id, CustomerFields(nickname="Peg"), version=second.version
    )

    result = await execute_merge(session, plan)

    assert isinstance(result, MergeStopped) and "changed elsewhere" in result.reason
    assert (await elsewhere.retrieve_customer(first.id)).id == first.id
    assert (await elsewhere.retrieve_customer(second.id)).nickname == "Peg"
    assert len(open_merges(session)) == 1


async def test_undo_of_a_finished_merge_remakes_the_other_and_restores_the_survivor(
    session: CountedSession, elsewhere: SquareService
) -> None:
    plan = await prepared(session, elsewhere)
    first, second = plan.profiles
    assert isinstance(await execute_merge(session, plan), MergeFinished)
    change = last_undoable(session.journal)
    assert change is not None and change.operation.startswith("merge.")

    result = await undo(session, change)

    assert isinstance(result, Undone) and "new id" in result.message
    restored = await elsewhere.retrieve_customer(second.id)
    assert restored.note == "VIP since 2019\n"  # as it was, to the byte
    assert set(restored.group_ids) == set(second.group_ids)
    made = next(c for c in session.journal.changes() if c.operation == "customer.create")
    assert made.landed and made.subject_id not in (first.id, second.id)
    remade = await elsewhere.retrieve_customer(made.subject_id or "")
    assert remade.email_address == first.email_address
    assert remade.note == "Prefers email"
    assert open_merges(session) == []
