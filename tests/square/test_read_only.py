"""Read-only, decided once and enforced by the service for every write in every mode.

Against the emulator in-process: the settings' wish and a read-only token (found at
connect through RetrieveTokenStatus, or at the first refused write) both stop every write
before a request is sent, and the emulator's database is byte-for-byte unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.config import Environment, Secret, Settings
from app.emulator import DEMO_READONLY_TOKEN, DEMO_TOKEN
from app.emulator.asgi import create_app
from app.emulator.operations import OPERATIONS
from app.emulator.store import Store
from app.square import (
    WRITE_OPERATIONS,
    Address,
    BulkUpdateEntry,
    CustomAttributeDefinitionFields,
    CustomAttributeUpsert,
    CustomerFields,
    ForbiddenError,
    ReadOnlyError,
    SquareService,
    type_schema,
)
from tests.conftest import CountingTransport, FrozenClock

MODES = {
    Environment.LOCAL: "http://127.0.0.1:8765",
    Environment.SANDBOX: "https://connect.squareupsandbox.com",
    Environment.CUSTOM: "http://square-proxy.internal:8080",
    Environment.PRODUCTION: "https://connect.squareup.com",
}


def dump(store: Store) -> list[str]:
    """The whole database as SQL: equal dumps, unchanged data."""
    return list(store.conn.iterdump())


def writes(requests: list[tuple[str, str, bytes]]) -> list[tuple[str, str]]:
    reads = {"/v2/customers/search", "/v2/customers/bulk-retrieve", "/oauth2/token/status"}
    return [(m, p) for m, p, _ in requests if m != "GET" and p not in reads]


@dataclass
class Target:
    """A customer with a card on file and a group, and a group they are not in."""

    customer_id: str
    version: int
    card_id: str
    member_of: str
    not_in: str


async def make_target(store: Store, clock: FrozenClock) -> Target:
    """Found (and completed) with a writable token, before anything is compared."""
    app = create_app(store, clock=clock)
    async with SquareService(
        "http://setup.test", DEMO_TOKEN, transport=httpx.ASGITransport(app=app)
    ) as service:
        card = (await service.list_cards()).cards[0]
        assert card.customer_id
        groups = [g async for g in service.iter_customer_groups()]
        customer = await service.retrieve_customer(card.customer_id)
        if not customer.group_ids:
            await service.add_group_to_customer(customer.id, groups[0].id)
            customer = await service.retrieve_customer(customer.id)
        member_of = customer.group_ids[0]
        not_in = next(g.id for g in groups if g.id not in customer.group_ids)
        return Target(customer.id, customer.version, card.id, member_of, not_in)


def seven_write_paths(service: SquareService, t: Target) -> dict[str, Callable[[], Awaitable[Any]]]:
    """What the desk writes: the seven paths an agent can take."""

    async def join_new_group() -> None:
        group = await service.create_customer_group("Read-only VIP")
        await service.add_group_to_customer(t.customer_id, group.id)

    return {
        "save an edit": lambda: service.update_customer(
            t.customer_id, CustomerFields(note="changed"), version=t.version
        ),
        "create": lambda: service.create_customer(CustomerFields(given_name="Nobody")),
        "delete": lambda: service.delete_customer(t.customer_id, version=t.version),
        "add card": lambda: service.create_card("cnon:card-nonce-ok", customer_id=t.customer_id),
        "remove card": lambda: service.disable_card(t.card_id),
        "add to group": lambda: service.add_group_to_customer(t.customer_id, t.not_in),
        "add to a new group": join_new_group,
        "remove from group": lambda: service.remove_group_from_customer(t.customer_id, t.member_of),
    }


@pytest.mark.parametrize("environment", list(MODES), ids=lambda e: e.value)
async def test_the_settings_wish_stops_every_write_in_every_mode(
    store: Store, clock: FrozenClock, environment: Environment
) -> None:
    target = await make_target(store, clock)
    settings = Settings(
        environment=environment,
        base_url=None if environment is Environment.LOCAL else MODES[environment],
        token=None if environment is Environment.LOCAL else Secret(DEMO_TOKEN),
        read_only=True,
    )
    transport = CountingTransport(httpx.ASGITransport(app=create_app(store, clock=clock)))
    service = SquareService.from_settings(
        settings, base_url=MODES[environment], token=DEMO_TOKEN, transport=transport
    )
    before = dump(store)
    async with service:
        assert service.read_only and await service.check_token() is not None
        assert service.read_only  # a token that may write does not lift the wish
        for path, write in seven_write_paths(service, target).items():
            sent = len(transport.requests)
            with pytest.raises(ReadOnlyError) as info:
                await write()
            assert len(transport.requests) == sent, f"{path}: a request went out"
            assert "CUSTOMER_DESK_READ_ONLY=1" in str(info.value), path
        # Reads still work, POST or not.
        assert (await service.retrieve_customer(target.customer_id)).id == target.customer_id
        assert (await service.search_customers(limit=1)).customers
        assert target.customer_id in await service.bulk_retrieve_customers([target.customer_id])
    assert writes(transport.requests) == []
    assert dump(store) == before


def every_write(service: SquareService, t: Target) -> dict[str, Callable[[], Awaitable[Any]]]:
    """Every write method of the service, by the Square operation it sends."""
    fields = CustomerFields(note="x")
    return {
        "CreateCustomer": lambda: service.create_customer(CustomerFields(given_name="N")),
        "UpdateCustomer": lambda: service.update_customer(t.customer_id, fields),
        "DeleteCustomer": lambda: service.delete_customer(t.customer_id),
        "BulkCreateCustomers": lambda: service.bulk_create_customers([fields]),
        "BulkUpdateCustomers": lambda: service.bulk_update_customers(
            {t.customer_id: BulkUpdateEntry(fields=fields)}
        ),
        "BulkDeleteCustomers": lambda: service.bulk_delete_customers([t.customer_id]),
        "CreateCustomerCard": lambda: service.create_customer_card(
            t.customer_id, "cnon:card-nonce-ok", billing_address=Address(postal_code="94103")
        ),
        "DeleteCustomerCard": lambda: service.delete_customer_card(t.customer_id, t.card_id),
        "AddGroupToCustomer": lambda: service.add_group_to_customer(t.customer_id, t.not_in),
        "RemoveGroupFromCustomer": lambda: service.remove_group_from_customer(
            t.customer_id, t.member_of
        ),
        "CreateCustomerGroup": lambda: service.create_customer_group("G"),
        "UpdateCustomerGroup": lambda: service.update_customer_group(t.member_of, "G"),
        "DeleteCustomerGroup": lambda: service.delete_customer_group(t.member_of),
        "CreateCard": lambda: service.create_card("cnon:card-nonce-ok", customer_id=t.customer_id),
        "DisableCard": lambda: service.disable_card(t.card_id),
        "CreateCustomerCustomAttributeDefinition": lambda: (
            service.create_custom_attribute_definition(
                CustomAttributeDefinitionFields(key="k", schema_=type_schema("String"))
            )
        ),
        "UpdateCustomerCustomAttributeDefinition": lambda: (
            service.update_custom_attribute_definition(
                "k", CustomAttributeDefinitionFields(description="d")
            )
        ),
        "DeleteCustomerCustomAttributeDefinition": lambda: (
            service.delete_custom_attribute_definition("k")
        ),
        "UpsertCustomerCustomAttribute": lambda: service.upsert_custom_attribute(
            t.customer_id, "k", "v"
        ),
        "DeleteCustomerCustomAttribute": lambda: service.delete_custom_attribute(
            t.customer_id, "k"
        ),
        "BulkUpsertCustomerCustomAttributes": lambda: service.bulk_upsert_custom_attributes(
            [CustomAttributeUpsert(customer_id=t.customer_id, key="k", value="v")]
        ),
    }


def test_the_write_list_is_exactly_square_s_writes() -> None:
    """The service's explicit list matches the emulator's route table (Square's scopes)."""
    emulator_writes = {op.name: op.scope for op in OPERATIONS if op.write}
    assert dict(WRITE_OPERATIONS) == emulator_writes


async def test_every_write_method_is_refused_before_sending(
    store: Store, clock: FrozenClock
) -> None:
    target = await make_target(store, clock)
    transport = CountingTransport(httpx.ASGITransport(app=create_app(store, clock=clock)))
    before = dump(store)
    async with SquareService(
        "http://emulator.test", DEMO_TOKEN, transport=transport, read_only=True
    ) as service:
        table = every_write(service, target)
        assert set(table) == set(WRITE_OPERATIONS)
        for operation, write in table.items():
            with pytest.raises(ReadOnlyError):
                await write()
            assert transport.requests == [], operation
    assert dump(store) == before


async def test_a_read_only_token_is_found_at_connect(store: Store, clock: FrozenClock) -> None:
    target = await make_target(store, clock)
    transport = CountingTransport(httpx.ASGITransport(app=create_app(store, clock=clock)))
    before = dump(store)
    async with SquareService(
        "http://emulator.test", DEMO_READONLY_TOKEN, transport=transport
    ) as service:
        assert not service.read_only  # not known yet
        status = await service.check_token()
        assert status is not None and "CUSTOMERS_WRITE" not in status.scopes
        assert service.read_only and service.access.token_checked
        for operation, write in every_write(service, target).items():
            with pytest.raises(ReadOnlyError) as info:
                await write()
            assert "access token" in str(info.value), operation
        assert "cards on file" in service.access.reason("CreateCard")
    assert [p for _, p, _ in transport.requests] == ["/oauth2/token/status"]
    assert dump(store) == before


async def test_a_token_that_may_write_customers_but_not_cards(
    store: Store, clock: FrozenClock
) -> None:
    target = await make_target(store, clock)
    tokens = {"t": frozenset({"CUSTOMERS_READ", "CUSTOMERS_WRITE", "PAYMENTS_READ"})}
    app = create_app(store, clock=clock, tokens=tokens)
    async with SquareService("http://e.test", "t", transport=httpx.ASGITransport(app=app)) as svc:
        await svc.check_token()
        assert not svc.read_only
        assert svc.access.allows("UpdateCustomer") and not svc.access.allows("CreateCard")
        with pytest.raises(ReadOnlyError, match="cards on file"):
            await svc.disable_card(target.card_id)
        saved = await svc.update_customer(target.customer_id, CustomerFields(note="ok"))
        assert saved.note == "ok"


class NoTokenStatus(httpx.AsyncBaseTransport):
    """A server that predates RetrieveTokenStatus (404), otherwise the emulator."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.path}")
        if request.url.path == "/oauth2/token/status":
            body = {"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "NOT_FOUND"}]}
            return httpx.Response(404, json=body)
        return await self.inner.handle_async_request(request)


async def test_unknown_token_status_then_a_refused_write_flips_to_read_only(
    store: Store, clock: FrozenClock
) -> None:
    target = await make_target(store, clock)
    transport = NoTokenStatus(httpx.ASGITransport(app=create_app(store, clock=clock)))
    before = dump(store)
    told: list[bool] = []
    async with SquareService(
        "http://old.test", DEMO_READONLY_TOKEN, transport=transport
    ) as service:
        service.access.subscribe(lambda: told.append(service.read_only))
        assert await service.check_token() is None  # connecting is not blocked
        assert not service.read_only and not service.access.token_checked
        with pytest.raises(ForbiddenError) as info:
            await service.update_customer(target.customer_id, CustomerFields(note="x"))
        assert not isinstance(info.value, ReadOnlyError)  # this one Square refused
        assert service.read_only and told == [True]
        sent = len(transport.sent)
        with pytest.raises(ReadOnlyError):
            await service.delete_customer(target.customer_id)
        assert len(transport.sent) == sent  # now refused before sending
    assert dump(store) == before


async def test_a_network_failure_of_token_status_leaves_it_unknown() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    async with SquareService(
        "http://down.test", DEMO_TOKEN, transport=httpx.MockTransport(refuse), max_retries=0
    ) as service:
        assert await service.check_token() is None
        assert not service.read_only and service.access.allows("CreateCustomer")
