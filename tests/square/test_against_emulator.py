"""Every operation of the service against the emulator, in-process (ASGITransport)."""

from __future__ import annotations

import pytest

from app.emulator import DEMO_READONLY_TOKEN
from app.square import (
    Address,
    BulkUpdateEntry,
    CardDeclinedError,
    ConflictError,
    Customer,
    CustomerFields,
    CustomerFilter,
    CustomerQuery,
    CustomerSort,
    FilterValue,
    ForbiddenError,
    NetworkError,
    NetworkTimeoutError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    SquareService,
    TextFilter,
    UnauthorizedError,
    ValidationError,
)
from tests.conftest import ServiceMaker

DEMO_CUSTOMERS = 300


async def some_customer(service: SquareService) -> Customer:
    page = await service.list_customers(limit=5)
    return page.customers[2]


# --------------------------------------------------------------------------- customers


async def test_list_pages_through_every_customer(service: SquareService) -> None:
    first = await service.list_customers(limit=100, count=True)
    assert len(first.customers) == 100 and first.cursor
    assert first.count == DEMO_CUSTOMERS
    seen = [c.id async for c in service.iter_customers(limit=100)]
    assert len(seen) == len(set(seen)) == DEMO_CUSTOMERS
    pages = [page async for page in service.iter_customer_pages(limit=100)]
    assert len(pages) == 3 and pages[-1].cursor is None


async def test_list_sorted_by_creation(service: SquareService) -> None:
    page = await service.list_customers(limit=20, sort_field="CREATED_AT", sort_order="DESC")
    stamps = [c.created_at for c in page.customers]
    assert all(s is not None for s in stamps)
    assert stamps == sorted(stamps, reverse=True)  # type: ignore[type-var]


async def test_search_by_email_phone_and_group(service: SquareService) -> None:
    everyone = [c async for c in service.iter_customers()]
    target = next(c for c in everyone if c.email_address and c.phone_number)
    assert target.email_address and target.phone_number
    exact = await service.search_customers(
        CustomerQuery(filter=CustomerFilter(email_address=TextFilter(exact=target.email_address)))
    )
    assert target.id in [c.id for c in exact.customers]
    as_dict = await service.search_customers(
        {"filter": {"email_address": {"exact": target.email_address.upper()}}}
    )
    assert target.id in [c.id for c in as_dict.customers]
    digits = "".join(ch for ch in target.phone_number if ch.isdigit())[-7:]
    fuzzy = [
        c.id
        async for c in service.iter_search(
            CustomerQuery(filter=CustomerFilter(phone_number=TextFilter(fuzzy=digits)))
        )
    ]
    assert target.id in fuzzy

    grouped = next(c for c in everyone if c.group_ids)
    members = [
        c
        async for c in service.iter_search(
            CustomerQuery(
                filter=CustomerFilter(group_ids=FilterValue(all=[grouped.group_ids[0]])),
                sort=CustomerSort(field="CREATED_AT", order="ASC"),
            ),
            limit=50,
        )
    ]
    assert grouped.id in [c.id for c in members]
    assert all(grouped.group_ids[0] in c.group_ids for c in members)


async def test_search_everyone_with_count(service: SquareService) -> None:
    pages = [page async for page in service.iter_search_pages(limit=100, count=True)]
    assert pages[0].count == DEMO_CUSTOMERS
    assert sum(len(p.customers) for p in pages) == DEMO_CUSTOMERS


async def test_create_retrieve_update_delete(service: SquareService) -> None:
    created = await service.create_customer(
        CustomerFields(
            given_name="Ada",
            family_name="Lovelace",
            email_address="ada@example.com",
            phone_number="+1 206-222-3333",
            birthday="12-10",
            address=Address(address_line_1="12 St James's Square", locality="London", country="GB"),
            note="prefers email",
        )
    )
    assert created.version == 0 and created.creation_source == "THIRD_PARTY"
    assert created.birthday == "0000-12-10"
    assert created.display_name == "Ada Lovelace"

    fetched = await service.retrieve_customer(created.id)
    assert fetched.email_address == "ada@example.com"
    assert fetched.address is not None and fetched.address.locality == "London"

    updated = await service.update_customer(
        created.id, CustomerFields(nickname="Countess", note=None), version=0
    )
    assert updated.version == 1
    assert updated.nickname == "Countess" and updated.note is None
    assert updated.given_name == "Ada"  # sparse: untouched

    with pytest.raises(ConflictError):
        await service.update_customer(created.id, CustomerFields(nickname="Stale"), version=0)
    with pytest.raises(ConflictError):
        await service.delete_customer(created.id, version=0)

    await service.delete_customer(created.id, version=1)
    with pytest.raises(NotFoundError) as info:
        await service.retrieve_customer(created.id)
    assert info.value.status == 404 and info.value.code == "NOT_FOUND"
    with pytest.raises(NotFoundError):
        await service.delete_customer(created.id)


async def test_create_with_the_same_idempotency_key_makes_one_customer(
    service: SquareService,
) -> None:
    fields = CustomerFields(given_name="Grace", family_name="Hopper")
    first = await service.create_customer(fields, idempotency_key="grace-1")
    again = await service.create_customer(fields, idempotency_key="grace-1")
    assert first.id == again.id
    with pytest.raises(ValidationError) as info:
        await service.create_customer(CustomerFields(given_name="Other"), idempotency_key="grace-1")
    assert info.value.code == "IDEMPOTENCY_KEY_REUSED"


async def test_validation_errors_name_the_field(service: SquareService) -> None:
    with pytest.raises(ValidationError) as info:
        await service.create_customer(
            CustomerFields(given_name="Ada", email_address="not-an-email")
        )
    assert info.value.status == 400
    assert "email_address" in info.value.field_errors
    customer = await some_customer(service)
    with pytest.raises(ValidationError) as info:
        await service.update_customer(customer.id, CustomerFields(phone_number="+1 555 000"))
    assert set(info.value.field_errors) == {"phone_number"}
    with pytest.raises(ValidationError) as info:
        await service.update_customer(customer.id, CustomerFields(nickname="x" * 101))
    assert info.value.code == "VALUE_TOO_LONG"
    with pytest.raises(ValidationError):
        await service.list_customers(limit=500)


async def test_a_wrong_token_is_unauthorized(make_service: ServiceMaker) -> None:
    service = make_service(token="not-the-token")
    with pytest.raises(UnauthorizedError) as info:
        await service.list_customers()
    assert info.value.status == 401 and info.value.attempts == 1
    assert "not-the-token" not in str(info.value) + repr(info.value)
    assert "access token" in str(info.value)


async def test_a_read_only_token_may_read_but_not_write(make_service: ServiceMaker) -> None:
    service = make_service(token=DEMO_READONLY_TOKEN)
    customer = await some_customer(service)
    with pytest.raises(ForbiddenError) as info:
        await service.update_customer(customer.id, CustomerFields(nickname="X"))
    assert info.value.status == 403 and info.value.code == "INSUFFICIENT_SCOPES"
    assert "read-only" in str(info.value)


# --------------------------------------------------------------------------- bulk


async def test_bulk_create_update_retrieve_delete(service: SquareService) -> None:
    created = await service.bulk_create_customers(
        {
            "k1": CustomerFields(given_name="Bulk", family_name="One"),
            "k2": CustomerFields(given_name="Bulk", family_name="Two"),
            "bad": CustomerFields(email_address="nope"),
        }
    )
    assert list(created) == ["k1", "k2", "bad"]
    one, two, bad = created["k1"], created["k2"], created["bad"]
    assert isinstance(one, Customer) and isinstance(two, Customer)
    assert isinstance(bad, ValidationError) and "email_address" in bad.field_errors

    updated = await service.bulk_update_customers(
        {
            one.id: CustomerFields(nickname="Uno"),
            two.id: BulkUpdateEntry(fields=CustomerFields(nickname="Dos"), version=0),
            "MISSING": CustomerFields(nickname="?"),
        }
    )
    uno = updated[one.id]
    assert isinstance(uno, Customer) and uno.nickname == "Uno"
    assert isinstance(updated[two.id], Customer)
    assert isinstance(updated["MISSING"], NotFoundError)
    stale = await service.bulk_update_customers(
        {two.id: BulkUpdateEntry(fields=CustomerFields(nickname="Stale"), version=0)}
    )
    assert isinstance(stale[two.id], ConflictError)

    fetched = await service.bulk_retrieve_customers([one.id, "MISSING"])
    assert isinstance(fetched[one.id], Customer)
    assert isinstance(fetched["MISSING"], NotFoundError)

    deleted = await service.bulk_delete_customers([one.id, two.id, "MISSING"])
    assert deleted[one.id] is None and deleted[two.id] is None
    assert isinstance(deleted["MISSING"], NotFoundError)
    with pytest.raises(NotFoundError):
        await service.retrieve_customer(one.id)


# --------------------------------------------------------------------------- groups and segments


async def test_groups_lifecycle_and_membership(service: SquareService) -> None:
    before = [g async for g in service.iter_customer_groups()]
    assert before, "the demo has groups"
    page = await service.list_customer_groups(limit=1)
    assert len(page.groups) == 1

    group = await service.create_customer_group("Support VIPs")
    assert (await service.retrieve_customer_group(group.id)).name == "Support VIPs"
    renamed = await service.update_customer_group(group.id, "Support VIP")
    assert renamed.name == "Support VIP"

    customer = await some_customer(service)
    await service.add_group_to_customer(customer.id, group.id)
    await service.add_group_to_customer(customer.id, group.id)  # again: no-op
    member = await service.retrieve_customer(customer.id)
    assert group.id in member.group_ids and member.version == customer.version + 1

    await service.remove_group_from_customer(customer.id, group.id)
    assert group.id not in (await service.retrieve_customer(customer.id)).group_ids

    await service.add_group_to_customer(customer.id, group.id)
    await service.delete_customer_group(group.id)
    assert group.id not in (await service.retrieve_customer(customer.id)).group_ids
    with pytest.raises(NotFoundError):
        await service.retrieve_customer_group(group.id)
    with pytest.raises(NotFoundError):
        await service.add_group_to_customer(customer.id, group.id)
    with pytest.raises(ValidationError):
        await service.create_customer_group("")


async def test_segments(service: SquareService) -> None:
    segments = [s async for s in service.iter_customer_segments(limit=1)]
    assert segments
    first = await service.retrieve_customer_segment(segments[0].id)
    assert first.name == segments[0].name
    with pytest.raises(NotFoundError):
        await service.retrieve_customer_segment("NOPE")


# --------------------------------------------------------------------------- cards


async def test_cards_lifecycle(service: SquareService) -> None:
    customer = await service.create_customer(
        CustomerFields(given_name="Card", family_name="Holder")
    )
    card = await service.create_card(
        "cnon:card-nonce-ok", customer_id=customer.id, cardholder_name="Card Holder"
    )
    assert card.id.startswith("ccof:") and card.enabled and card.last_4 == "5858"
    assert card.card_brand == "VISA" and card.customer_id == customer.id

    listed = [c.id async for c in service.iter_cards(customer_id=customer.id)]
    assert listed == [card.id]
    assert (await service.retrieve_card(card.id)).cardholder_name == "Card Holder"

    disabled = await service.disable_card(card.id)
    assert not disabled.enabled
    assert (await service.list_cards(customer_id=customer.id)).cards == []
    with_disabled = await service.list_cards(customer_id=customer.id, include_disabled=True)
    assert [c.id for c in with_disabled.cards] == [card.id]

    with pytest.raises(CardDeclinedError):
        await service.create_card("cnon:card-nonce-declined", customer_id=customer.id)
    with pytest.raises(ValidationError) as info:
        await service.create_card("cnon:garbage", customer_id=customer.id)
    assert "source_id" in info.value.field_errors
    with pytest.raises(NotFoundError):
        await service.retrieve_card("ccof:missing")


async def test_deprecated_customer_cards(service: SquareService) -> None:
    customer = await service.create_customer(CustomerFields(company_name="Old Integrations Ltd"))
    card = await service.create_customer_card(
        customer.id, "cnon:card-nonce-ok", cardholder_name="Old Way"
    )
    assert card.enabled and card.customer_id in (None, customer.id)
    await service.delete_customer_card(customer.id, card.id)
    assert (await service.list_cards(customer_id=customer.id)).cards == []


async def test_all_cards_pages(service: SquareService) -> None:
    cards = [c async for c in service.iter_cards()]
    assert len({c.id for c in cards}) == len(cards)
    first = await service.list_cards()
    assert len(first.cards) <= 25


# --------------------------------------------------------------------------- faults


async def test_rate_limited_by_the_emulator(make_service: ServiceMaker) -> None:
    from app.emulator.faults import Faults

    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    # the frozen clock never refills the bucket: after the burst, every call is a 429
    service = make_service(faults=Faults(rate_limit=1.0, burst=2), max_retries=2, sleep=sleep)
    await service.list_customers(limit=1)
    await service.list_customers(limit=1)
    with pytest.raises(RateLimitedError) as info:
        await service.list_customers(limit=1)
    assert info.value.status == 429 and info.value.retry_after == 1
    assert info.value.attempts == 3 and len(sleeps) == 2 and min(sleeps) >= 1
    assert "try again in 1 s" in str(info.value)


async def test_server_errors_from_the_emulator(make_service: ServiceMaker) -> None:
    from app.emulator.faults import Faults

    service = make_service(faults=Faults(error_rate=1.0, seed=2), max_retries=3)
    with pytest.raises(ServerError) as info:
        await service.retrieve_customer("ANY")
    assert info.value.status in (500, 503) and info.value.attempts == 4


async def test_dropped_connections_from_the_emulator(make_service: ServiceMaker) -> None:
    from app.emulator.faults import Faults

    service = make_service(faults=Faults(drop_rate=1.0), max_retries=1)
    with pytest.raises(NetworkError) as info:
        await service.list_customers()
    assert info.value.sent and info.value.status is None and info.value.attempts == 2


async def test_a_slow_emulator_times_out(make_service: ServiceMaker) -> None:
    from app.emulator.faults import Faults

    service = make_service(faults=Faults(latency_ms=500), timeout=0.05, max_retries=0)
    with pytest.raises(NetworkTimeoutError) as info:
        await service.list_customers()
    assert isinstance(info.value, TimeoutError)
