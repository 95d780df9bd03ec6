"""Bulk actions against the emulator: exactly the marked customers change, each row told."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.desk.bulk import BulkDone, RowStatus, add_to_group, delete_customers, remove_from_group
from app.desk.bulk import shown as bulk_shown
from app.desk.outcomes import Refused
from app.square import Customer, CustomerFields, CustomerGroup, NotFoundError, SquareService
from tests.desk.conftest import CountedSession, SessionMaker


async def all_customers(service: SquareService) -> list[Customer]:
    """Every customer as listed before the test's writes (lists lag writes made through
    another server, so read-backs retrieve)."""
    return [c async for c in service.iter_customers()]


async def read_back(service: SquareService, customers: list[Customer]) -> dict[str, Customer]:
    """Those of ``customers`` still in the store, as the store holds them now."""
    out: dict[str, Customer] = {}
    for start in range(0, len(customers), 100):
        found = await service.bulk_retrieve_customers(
            [c.id for c in customers[start : start + 100]]
        )
        out.update({cid: c for cid, c in found.items() if isinstance(c, Customer)})
    return out


async def members(service: SquareService, group_id: str, among: list[Customer]) -> set[str]:
    return {cid for cid, c in (await read_back(service, among)).items() if group_id in c.group_ids}


async def groups_named(service: SquareService, name: str) -> list[CustomerGroup]:
    return [g async for g in service.iter_customer_groups() if g.name == name]


async def test_ten_marked_join_a_new_group_and_only_they_are_in_it(
    session: CountedSession, elsewhere: SquareService
) -> None:
    everyone = await all_customers(elsewhere)
    marked = everyone[20:30]
    seen: list[tuple[int, int]] = []
    done = await add_to_group(session, marked, "Bulk Ten", lambda d, t: seen.append((d, t)))
    assert isinstance(done, BulkDone)
    assert [r.customer_id for r in done.rows] == [c.id for c in marked]
    assert done.count(RowStatus.DONE) == 10 and done.summary == "10 done"
    assert seen[-1] == (10, 10) and len(seen) == 10
    [group] = await groups_named(elsewhere, "Bulk Ten")
    assert await members(elsewhere, group.id, everyone) == {c.id for c in marked}
    # the directory holds the new versions: a later delete at those versions is no clash
    for customer in marked:
        assert group.id in session.directory.get(customer.id).group_ids  # type: ignore[union-attr]
    bulk_shown(session, done)
    assert done.intent not in session.intents


async def test_join_again_says_already_and_then_leave_empties_the_group(
    session: CountedSession, elsewhere: SquareService
) -> None:
    everyone = await all_customers(elsewhere)
    group = await elsewhere.create_customer_group("Leavers")
    first = await add_to_group(session, everyone[:4], group)
    assert isinstance(first, BulkDone) and first.count(RowStatus.DONE) == 4
    fresh = [session.directory.get(c.id) or c for c in everyone[:6]]
    again = await add_to_group(session, fresh, group)
    assert isinstance(again, BulkDone)
    assert [r.status for r in again.rows] == [RowStatus.ALREADY] * 4 + [RowStatus.DONE] * 2
    assert await members(elsewhere, group.id, everyone) == {c.id for c in everyone[:6]}

    fresh = [session.directory.get(c.id) or c for c in everyone[:8]]
    left = await remove_from_group(session, fresh, group)
    assert isinstance(left, BulkDone)
    assert [r.status for r in left.rows] == [RowStatus.DONE] * 6 + [RowStatus.ALREADY] * 2
    assert await members(elsewhere, group.id, everyone) == set()


async def test_a_customer_deleted_meanwhile_is_told_and_the_others_join(
    session: CountedSession, elsewhere: SquareService
) -> None:
    everyone = await all_customers(elsewhere)
    marked = everyone[:3]
    await elsewhere.delete_customer(marked[1].id)
    group = await elsewhere.create_customer_group("Survivors")
    done = await add_to_group(session, marked, group)
    assert isinstance(done, BulkDone)
    assert [r.status for r in done.rows] == [RowStatus.DONE, RowStatus.GONE, RowStatus.DONE]
    assert await members(elsewhere, group.id, everyone) == {marked[0].id, marked[2].id}


async def test_delete_checks_versions_and_spares_a_customer_changed_meanwhile(
    session: CountedSession, elsewhere: SquareService
) -> None:
    everyone = await all_customers(elsewhere)
    marked = everyone[40:45]
    stale = marked[2]
    await elsewhere.update_customer(stale.id, CustomerFields(note="changed elsewhere"))
    await elsewhere.delete_customer(marked[4].id)
    done = await delete_customers(session, marked)
    assert isinstance(done, BulkDone)
    statuses = [r.status for r in done.rows]
    assert statuses == [
        RowStatus.DONE,
        RowStatus.DONE,
        RowStatus.CHANGED,
        RowStatus.DONE,
        RowStatus.GONE,
    ]
    assert "changed since you marked it" in done.rows[2].detail
    assert (await elsewhere.retrieve_customer(stale.id)).note == "changed elsewhere"
    left = set(await read_back(elsewhere, everyone))
    assert not {marked[i].id for i in (0, 1, 3, 4)} & left
    assert stale.id in left
    assert session.directory.get(marked[0].id) is None


async def test_delete_goes_in_batches_of_a_hundred(
    session: CountedSession, elsewhere: SquareService
) -> None:
    everyone = await all_customers(elsewhere)
    marked = everyone[:130]
    progress: list[tuple[int, int]] = []
    before = session.requests
    done = await delete_customers(session, marked, lambda d, t: progress.append((d, t)))
    assert isinstance(done, BulkDone) and done.count(RowStatus.DONE) == 130
    assert progress == [(100, 130), (130, 130)]
    assert session.requests - before == 4  # two reads, two deletes
    assert set(await read_back(elsewhere, everyone)) == {c.id for c in everyone[130:]}
    with pytest.raises(NotFoundError):
        await elsewhere.retrieve_customer(marked[129].id)


async def test_read_only_refuses_each_bulk_action_before_any_request(
    make_session: SessionMaker, elsewhere: SquareService
) -> None:
    session = await make_session(Settings(read_only=True))
    everyone = await all_customers(elsewhere)
    marked = everyone[:3]
    group = await elsewhere.create_customer_group("Never")
    before = session.requests
    for result in (
        await add_to_group(session, marked, group),
        await add_to_group(session, marked, "Brand new"),
        await remove_from_group(session, marked, group),
        await delete_customers(session, marked),
    ):
        assert isinstance(result, Refused)
    assert session.requests == before
    assert await members(elsewhere, group.id, everyone) == set()
    assert len(await read_back(elsewhere, everyone)) == len(everyone)
