"""Cards on file and group memberships, against the emulator: once each, whatever is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.desk.cards import CardAdded, CardDisabled, CardsOnFile, NewCard
from app.desk.groups import Joined, Left, Memberships, same_name
from app.desk.outcomes import Lost
from app.emulator.faults import Faults
from app.square import CardDeclinedError, Customer, CustomerGroup, NetworkError, SquareService
from tests.conftest import FrozenClock
from tests.desk.conftest import CountedSession, SessionMaker

OK = "cnon:card-nonce-ok"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC) - timedelta(days=3))  # look-ups of lost creates miss


async def first_customer(service: SquareService) -> Customer:
    return (await service.list_customers(limit=1)).customers[0]


async def groups_named(service: SquareService, name: str) -> list[CustomerGroup]:
    return [g async for g in service.iter_customer_groups() if g.name == name]


# --------------------------------------------------------------------------- cards


async def test_add_a_card_then_disable_it(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer = await first_customer(elsewhere)
    cards = CardsOnFile(session, customer.id)
    before = {c.id for c in await cards.list()}
    added = await cards.add(NewCard(f" {OK} ", cardholder_name="Ada L", postal_code="94103"))
    assert isinstance(added, CardAdded)
    assert added.card.customer_id == customer.id and added.card.cardholder_name == "Ada L"
    assert {c.id for c in await cards.list()} == before | {added.card.id}
    cards.shown(added)
    assert added.intent not in session.intents
    disabled = await cards.disable(added.card)
    assert isinstance(disabled, CardDisabled) and not disabled.card.enabled
    assert {c.id for c in await cards.list()} == before
    assert not (await elsewhere.retrieve_card(added.card.id)).enabled


async def test_a_card_asked_for_again_after_a_lost_answer_is_added_once(
    make_session: SessionMaker, elsewhere: SquareService
) -> None:
    faults = Faults(lost_answer_rate=1.0)
    session = await make_session(faults=faults)
    customer = await first_customer(elsewhere)
    before = {c.id async for c in elsewhere.iter_cards(customer_id=customer.id)}
    lost = await CardsOnFile(session, customer.id).add(NewCard(OK))
    assert isinstance(lost, Lost)
    faults.lost_answer_rate = 0.0
    added = await CardsOnFile(session, customer.id).add(NewCard(OK))  # a new dialog
    assert isinstance(added, CardAdded) and added.intent.key == lost.key
    after = {c.id async for c in elsewhere.iter_cards(customer_id=customer.id)}
    assert after - before == {added.card.id}


async def test_a_declined_card_is_an_error_for_the_screen(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer = await first_customer(elsewhere)
    with pytest.raises(CardDeclinedError):
        await CardsOnFile(session, customer.id).add(NewCard("cnon:card-nonce-declined"))


# --------------------------------------------------------------------------- groups


def test_names_match_case_and_spacing_aside() -> None:
    groups = [CustomerGroup(id="1", name="VIP"), CustomerGroup(id="2", name="VIP Gold")]
    assert [g.id for g in same_name(groups, "  vip ")] == ["1"]
    assert same_name(groups, "vip  gold")[0].id == "2"
    assert same_name(groups, "") == [] and same_name(groups, "gold") == []


async def test_join_an_existing_group_and_leave_it(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer = await first_customer(elsewhere)
    memberships = Memberships(session, customer.id)
    catalogue = await memberships.catalogue()
    group = next(g for g in catalogue.groups.values() if g.id not in customer.group_ids)
    joined = await memberships.join(group)
    assert joined == Joined(group)
    assert group.id in (await elsewhere.retrieve_customer(customer.id)).group_ids
    assert await memberships.leave(group) == Left(group)
    assert group.id not in (await elsewhere.retrieve_customer(customer.id)).group_ids


async def test_a_new_name_makes_the_group_and_an_exact_name_joins_the_one_there(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer = await first_customer(elsewhere)
    memberships = Memberships(session, customer.id)
    joined = await memberships.join("Wholesale  [EU]")
    assert isinstance(joined, Joined) and joined.created
    assert joined.group.name == "Wholesale [EU]"
    memberships.shown(joined)
    other = (await elsewhere.list_customers(limit=2)).customers[1]
    again = await Memberships(session, other.id).join("Wholesale [EU]")
    assert isinstance(again, Joined) and not again.created
    assert again.group.id == joined.group.id
    assert len(await groups_named(elsewhere, "Wholesale [EU]")) == 1
    for member in (customer, other):
        stored = await elsewhere.retrieve_customer(member.id)
        assert joined.group.id in stored.group_ids


async def test_three_tries_at_a_new_group_under_lost_answers_make_one_group(
    make_session: SessionMaker, elsewhere: SquareService
) -> None:
    faults = Faults(lost_answer_rate=1.0)
    session = await make_session(faults=faults)
    customer = await first_customer(elsewhere)
    lost = await Memberships(session, customer.id).join("Dup VIP")
    assert isinstance(lost, Lost) and lost.name == "Dup VIP"
    with pytest.raises(NetworkError):  # the group made by then is found: joining it is lost
        await Memberships(session, customer.id).join("dup  vip")
    faults.lost_answer_rate = 0.0
    joined = await Memberships(session, customer.id).join("DUP VIP")
    assert isinstance(joined, Joined) and joined.group.name == "Dup VIP"
    named = [g async for g in elsewhere.iter_customer_groups() if g.name.casefold() == "dup vip"]
    assert [g.id for g in named] == [joined.group.id]
    assert joined.group.id in (await elsewhere.retrieve_customer(customer.id)).group_ids
