"""Create (once, a lost answer told) and delete (at the version seen), against the emulator.

With the emulator's `lost_answer_rate` fault a write commits and its answer is lost. The
emulator's clock is near now where the client's look-up of a lost create should find it,
and days back where the look-up must miss and only the idempotency key can help.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.desk.create import Created, create_customer
from app.desk.delete import ChangedMeanwhile, Deleted, delete_customer
from app.desk.outcomes import Gone, Lost, Rejected
from app.emulator.faults import Faults
from app.square import CustomerFields, NotFoundError, SquareService
from tests.conftest import FrozenClock
from tests.desk.conftest import CountedSession, SessionMaker

GRACE = CustomerFields(given_name="Grace", family_name="Hopper", email_address="grace@desk.test")


async def with_email(service: SquareService, email: str) -> int:
    """Customers with ``email``, by SearchCustomers (the session's own emulator: another
    emulator on the same store keeps its own search index)."""
    query = {"filter": {"email_address": {"exact": email}}}
    return len([c async for c in service.iter_search(query)])


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC))


async def test_create_makes_the_customer_searchable_at_once(
    session: CountedSession, elsewhere: SquareService
) -> None:
    result = await create_customer(session, GRACE)
    assert isinstance(result, Created)
    stored = await elsewhere.retrieve_customer(result.customer.id)
    assert (stored.given_name, stored.family_name) == ("Grace", "Hopper")
    assert session.directory.get(stored.id) is not None
    assert result.intent in session.intents  # open until the agent has seen it
    session.intents.done(result.intent)
    assert result.intent not in session.intents


async def test_a_lost_answer_the_look_up_finds_is_created(
    make_session: SessionMaker, elsewhere: SquareService
) -> None:
    session = await make_session(faults=Faults(lost_answer_rate=1.0))
    result = await create_customer(session, GRACE)
    assert isinstance(result, Created) and result.customer.email_address == GRACE.email_address
    assert await with_email(session.service, "grace@desk.test") == 1


async def test_a_lost_answer_nobody_can_confirm_is_lost_and_asking_again_makes_one(
    make_session: SessionMaker, elsewhere: SquareService, clock: FrozenClock
) -> None:
    clock.now -= timedelta(days=3)  # the look-up misses: only the key can tell
    faults = Faults(lost_answer_rate=1.0)
    session = await make_session(faults=faults)
    lost = await create_customer(session, GRACE)
    assert isinstance(lost, Lost) and lost.key
    again = await create_customer(session, GRACE)  # still lost: the same key again
    assert again == lost
    faults.lost_answer_rate = 0.0
    created = await create_customer(session, GRACE)
    assert isinstance(created, Created) and created.intent.key == lost.key
    assert await with_email(session.service, "grace@desk.test") == 1
    session.intents.done(created.intent)  # seen: the same data again is a second customer
    second = await create_customer(session, GRACE)
    assert isinstance(second, Created) and second.intent.key != lost.key
    assert await with_email(session.service, "grace@desk.test") == 2


async def test_create_with_a_refused_value_is_rejected(session: CountedSession) -> None:
    result = await create_customer(session, CustomerFields(given_name="X", email_address="@@"))
    assert isinstance(result, Rejected) and "email_address" in result.field_errors


async def test_delete_at_the_version_seen(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer = (await elsewhere.list_customers(limit=1)).customers[0]
    session.directory.apply(customer)
    assert await delete_customer(session, customer) == Deleted(customer)
    assert session.directory.get(customer.id) is None
    with pytest.raises(NotFoundError):
        await elsewhere.retrieve_customer(customer.id)


async def test_delete_after_a_change_elsewhere_deletes_nothing(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer = (await elsewhere.list_customers(limit=1)).customers[0]
    await elsewhere.update_customer(
        customer.id, CustomerFields(note="Look first"), version=customer.version
    )
    assert await delete_customer(session, customer) == ChangedMeanwhile(customer)
    assert (await elsewhere.retrieve_customer(customer.id)).note == "Look first"


async def test_delete_of_a_customer_deleted_elsewhere_is_gone(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer = (await elsewhere.list_customers(limit=1)).customers[0]
    session.directory.apply(customer)
    await elsewhere.delete_customer(customer.id)
    assert await delete_customer(session, customer) == Gone(customer.id)
    assert session.directory.get(customer.id) is None
