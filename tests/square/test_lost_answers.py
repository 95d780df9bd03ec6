"""No duplicate from a retry: creates whose answer was lost, against the emulator.

The emulator's `lost_answer_rate` fault commits a write and then drops the connection.
Every test counts what the store holds afterwards. The emulator's clock is near real
time here (the service looks a lost customer up among those created in the last
minutes); where a test needs the look-up to miss, its emulator's clock lies days back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.desk.intents import Intents
from app.emulator.faults import Faults
from app.square import CustomerFields, LostAnswerError, NetworkError, SquareService, ValidationError
from tests.conftest import FrozenClock, ServiceMaker

LOST = Faults(lost_answer_rate=1.0)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC))


def posts(service: SquareService, path: str) -> int:
    requests = service.transport.requests  # type: ignore[attr-defined]
    return sum(1 for method, p, _ in requests if method == "POST" and p == path)


async def groups_named(service: SquareService, name: str) -> int:
    return sum(1 for g in [g async for g in service.iter_customer_groups()] if g.name == name)


async def customers_with_email(service: SquareService, email: str) -> int:
    query = {"filter": {"email_address": {"exact": email}}}
    return len([c async for c in service.iter_search(query)])


# --------------------------------------------------------------------------- groups


async def test_three_attempts_at_a_new_group_under_lost_answers_make_one_group(
    make_service: ServiceMaker, clock: FrozenClock
) -> None:
    clock.now -= timedelta(days=3)  # the look-up misses: only the key can prevent a duplicate
    lossy, healthy = make_service(faults=LOST), make_service()
    intents = Intents()
    for _ in range(2):  # the agent tries twice; every answer is lost
        intent = intents.group("Dup VIP")
        with pytest.raises(LostAnswerError):
            await lossy.create_customer_group(intent.name, idempotency_key=intent.key)
    assert posts(lossy, "/v2/customers/groups") == 2 * 2 * 5  # twice re-sent, 5 attempts each
    intent = intents.group("dup  vip")  # third try, typed a little differently
    group = await healthy.create_customer_group(intent.name, idempotency_key=intent.key)
    assert group.name == "Dup VIP"
    assert await groups_named(healthy, "Dup VIP") == 1
    assert await groups_named(healthy, "dup vip") == 0
    # A fresh key is what the desk used to send: it makes a second group.
    await healthy.create_customer_group("Dup VIP")
    assert await groups_named(healthy, "Dup VIP") == 2


async def test_a_group_whose_answer_was_lost_is_found_and_returned(
    make_service: ServiceMaker,
) -> None:
    lossy = make_service(faults=LOST)
    group = await lossy.create_customer_group("Night shift")
    assert group.id and group.name == "Night shift"
    assert await groups_named(lossy, "Night shift") == 1
    assert (await lossy.retrieve_customer_group(group.id)).name == "Night shift"


# --------------------------------------------------------------------------- customers


async def test_a_customer_whose_answer_was_lost_is_found_by_email(
    make_service: ServiceMaker,
) -> None:
    lossy = make_service(faults=LOST)
    fields = CustomerFields(given_name="Lost", family_name="Answer", email_address="la@x.test")
    created = await lossy.create_customer(fields, idempotency_key="k-lost-1")
    assert (created.given_name, created.email_address) == ("Lost", "la@x.test")
    assert (await lossy.retrieve_customer(created.id)).id == created.id
    assert await customers_with_email(lossy, "la@x.test") == 1
    assert posts(lossy, "/v2/customers") == 2 * 5  # the answer never came back


async def test_a_customer_with_only_a_name_is_found_by_its_creation_time(
    make_service: ServiceMaker,
) -> None:
    lossy = make_service(faults=LOST)
    fields = CustomerFields(given_name="Only", family_name="Names")
    created = await lossy.create_customer(fields)
    assert (created.given_name, created.family_name) == ("Only", "Names")
    named = [c async for c in lossy.iter_customers() if c.family_name == "Names"]
    assert [c.id for c in named] == [created.id]


async def test_an_older_look_alike_is_not_taken_for_the_lost_create(
    make_service: ServiceMaker, clock: FrozenClock
) -> None:
    healthy, lossy = make_service(), make_service(faults=LOST)
    fields = CustomerFields(given_name="Twin", email_address="twin@x.test")
    clock.now -= timedelta(hours=1)
    older = await healthy.create_customer(fields)
    clock.now += timedelta(hours=1)  # an hour later the agent creates the same again
    created = await lossy.create_customer(fields)
    assert created.id != older.id
    assert await customers_with_email(healthy, "twin@x.test") == 2


async def test_when_the_look_up_cannot_tell_the_same_key_still_makes_one_customer(
    make_service: ServiceMaker, clock: FrozenClock
) -> None:
    clock.now -= timedelta(days=3)
    lossy, healthy = make_service(faults=LOST), make_service()
    intents = Intents()
    fields = CustomerFields(given_name="Retry", email_address="retry@x.test")
    with pytest.raises(LostAnswerError) as info:
        await lossy.create_customer(fields, idempotency_key=intents.customer(fields.to_body()).key)
    assert isinstance(info.value, NetworkError) and info.value.after_ambiguous_attempt
    assert "will not be created twice" in str(info.value)
    # Discarded and typed again: an equal body is the same intent, so the same key.
    retyped = CustomerFields(email_address="retry@x.test", given_name="Retry")
    key = intents.customer(retyped.to_body()).key
    created = await healthy.create_customer(retyped, idempotency_key=key)
    assert created.email_address == "retry@x.test"
    assert await customers_with_email(healthy, "retry@x.test") == 1


async def test_a_refused_create_is_not_looked_up(make_service: ServiceMaker) -> None:
    lossy = make_service(faults=LOST)
    with pytest.raises(ValidationError):
        await lossy.create_customer(CustomerFields(given_name="X", email_address="not an email"))
    assert posts(lossy, "/v2/customers") == 1
    assert posts(lossy, "/v2/customers/search") == 0


async def test_a_create_that_never_left_is_not_looked_up() -> None:
    sent: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        raise httpx.ConnectError("refused")

    async def no_sleep(seconds: float) -> None:
        return None

    service = SquareService(
        "https://square.test", "t", transport=httpx.MockTransport(refuse), sleep=no_sleep
    )
    async with service:
        with pytest.raises(NetworkError) as info:
            await service.create_customer(CustomerFields(given_name="Never"))
    assert not isinstance(info.value, LostAnswerError)
    assert sent == ["/v2/customers"] * 5  # no second round, no look-up


# --------------------------------------------------------------------------- cards


async def test_a_card_retried_with_its_intent_key_is_added_once(
    make_service: ServiceMaker,
) -> None:
    lossy, healthy = make_service(faults=LOST), make_service()
    customer = (await healthy.list_customers(limit=1)).customers[0]
    before = [c.id async for c in healthy.iter_cards(customer_id=customer.id)]
    intents = Intents()
    intent = intents.card(customer.id, "cnon:card-nonce-ok", cardholder_name="Ada")
    card_args: dict[str, Any] = {"customer_id": customer.id, "cardholder_name": "Ada"}
    with pytest.raises(LostAnswerError):
        await lossy.create_card("cnon:card-nonce-ok", idempotency_key=intent.key, **card_args)
    again = intents.card(customer.id, " cnon:card-nonce-ok", cardholder_name="Ada")
    assert again.key == intent.key
    card = await healthy.create_card("cnon:card-nonce-ok", idempotency_key=again.key, **card_args)
    after = [c.id async for c in healthy.iter_cards(customer_id=customer.id)]
    assert sorted(after) == sorted([*before, card.id])
