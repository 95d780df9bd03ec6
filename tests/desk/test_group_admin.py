"""Groups managed against the emulator: the member count, rename (a taken name refused), delete."""

from __future__ import annotations

from app.config import Settings
from app.desk.groups import GroupAdmin, GroupDeleted, NameTaken, Renamed
from app.desk.outcomes import Refused
from app.square import CustomerGroup, SquareService
from tests.desk.conftest import CountedSession, SessionMaker


async def group_named(service: SquareService, name: str) -> CustomerGroup:
    found = [g async for g in service.iter_customer_groups() if g.name == name]
    assert found, name
    return found[0]


async def test_the_member_count_is_squares(
    session: CountedSession, elsewhere: SquareService
) -> None:
    vip = await group_named(elsewhere, "VIP")
    query = {"filter": {"group_ids": {"all": [vip.id]}}}
    members = [c async for c in elsewhere.iter_search(query)]
    assert await GroupAdmin(session).member_count(vip) == len(members) > 0


async def test_rename_and_a_taken_name(session: CountedSession, elsewhere: SquareService) -> None:
    vip = await group_named(elsewhere, "VIP")
    taken = await GroupAdmin(session).rename(vip, "  newsletter ")
    assert isinstance(taken, NameTaken) and taken.existing.name == "Newsletter"
    assert (await elsewhere.retrieve_customer_group(vip.id)).name == "VIP"
    renamed = await GroupAdmin(session).rename(vip, "Very  Important")
    assert isinstance(renamed, Renamed) and renamed.group.name == "Very Important"
    assert (await elsewhere.retrieve_customer_group(vip.id)).name == "Very Important"


async def test_delete_leaves_the_customers(
    session: CountedSession, elsewhere: SquareService
) -> None:
    vip = await group_named(elsewhere, "VIP")
    query = {"filter": {"group_ids": {"all": [vip.id]}}}
    members = [c async for c in elsewhere.iter_search(query)]
    member = members[0]
    deleted = await GroupAdmin(session).delete(vip)
    assert isinstance(deleted, GroupDeleted)
    assert vip.id not in {g.id async for g in elsewhere.iter_customer_groups()}
    still = await elsewhere.retrieve_customer(member.id)
    assert vip.id not in still.group_ids


async def test_read_only_refuses_both(make_session: SessionMaker, elsewhere: SquareService) -> None:
    session = await make_session(Settings(read_only=True))
    vip = await group_named(elsewhere, "VIP")
    before = session.requests
    assert isinstance(await GroupAdmin(session).rename(vip, "X"), Refused)
    assert isinstance(await GroupAdmin(session).delete(vip), Refused)
    assert session.requests == before
