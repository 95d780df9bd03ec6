"""Square's own Python SDK (squareup) against the emulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from square import Square
from square.core.api_error import ApiError

from app.emulator import DEMO_TOKEN
from app.emulator.serve import RunningEmulator, open_demo_store, start_background


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    path = tmp_path_factory.mktemp("sdk") / "sdk.sqlite3"
    open_demo_store(path, customers=120, seed=5).close()
    emulator = start_background(path)
    yield emulator
    emulator.stop()


@pytest.fixture
def square(running: RunningEmulator) -> Square:
    return Square(token=DEMO_TOKEN, base_url=running.base_url)


def test_customers_round_trip(square: Square) -> None:
    first_page = square.customers.list(limit=5)
    assert len(first_page.items) == 5
    created = square.customers.create(
        given_name="Amelia",
        family_name="Earhart",
        phone_number="1-212-555-4240",
        birthday="12-10",
        idempotency_key="sdk-1",
    ).customer
    assert created is not None and created.id
    assert (created.version, created.birthday, created.creation_source) == (
        0,
        "0000-12-10",
        "THIRD_PARTY",
    )
    updated = square.customers.update(customer_id=created.id, nickname="Mel", version=0).customer
    assert updated is not None and updated.version == 1
    with pytest.raises(ApiError) as stale:
        square.customers.update(customer_id=created.id, nickname="X", version=0)
    assert stale.value.status_code == 400
    assert stale.value.errors[0].code == "VERSION_MISMATCH"
    found = square.customers.search(
        query={"filter": {"phone_number": {"exact": "+12125554240"}}}
    ).customers
    assert found is not None and [c.id for c in found] == [created.id]
    square.customers.delete(customer_id=created.id, version=1)
    with pytest.raises(ApiError) as missing:
        square.customers.get(customer_id=created.id)
    assert missing.value.status_code == 404


def test_bulk_groups_segments_cards(square: Square) -> None:
    made = square.customers.batch_create(
        customers={"a": {"given_name": "Bulk"}, "b": {"note": "nobody"}}
    ).responses
    assert made is not None and made["a"].customer is not None and made["b"].errors
    cid = made["a"].customer.id
    assert cid is not None
    group = square.customers.groups.create(group={"name": "SDK"}).group
    assert group is not None and group.id
    square.customers.groups.add(customer_id=cid, group_id=group.id)
    after = square.customers.get(customer_id=cid).customer
    assert after is not None and after.group_ids == [group.id]
    segments = list(square.customers.segments.list().items)
    assert segments and square.customers.segments.get(segment_id=segments[0].id).segment
    card = square.cards.create(
        idempotency_key="sdk-card", source_id="cnon:card-nonce-ok", card={"customer_id": cid}
    ).card
    assert card is not None and card.last4 == "5858" and card.enabled
    assert card.id is not None
    assert square.cards.disable(card_id=card.id).card.enabled is False  # type: ignore[union-attr]
    legacy = square.customers.cards.create(customer_id=cid, card_nonce="cnon:card-nonce-ok-9").card
    assert legacy is not None and legacy.id
    square.customers.cards.delete(customer_id=cid, card_id=legacy.id)
    retrieved = square.customers.bulk_retrieve_customers(customer_ids=[cid, "NOPE"]).responses
    assert retrieved is not None and retrieved["NOPE"].errors
    square.customers.groups.delete(group_id=group.id)
    deleted = square.customers.bulk_delete_customers(customer_ids=[cid]).responses
    assert deleted is not None and deleted[cid].errors is None


def test_unauthorized(running: RunningEmulator) -> None:
    with pytest.raises(ApiError) as denied:
        Square(token="bad", base_url=running.base_url).customers.get(customer_id="x")
    assert denied.value.status_code == 401
    assert denied.value.errors[0].code == "UNAUTHORIZED"
