"""A workflow asked to write when the desk may not: the typed refusal, before any request.

Read-only by the settings' wish (the connector passes nothing on: the session applies
it), or by a token without the write scope (found at connect). Nothing is sent, and
the store is unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from app.config import Settings
from app.desk.cards import CardsOnFile, NewCard
from app.desk.create import create_customer
from app.desk.delete import delete_customer
from app.desk.edits import ProfileEdit
from app.desk.groups import Memberships
from app.desk.outcomes import Refused, refusal
from app.desk.save import save_customer
from app.emulator import DEMO_READONLY_TOKEN
from app.session import Session
from app.square import Card, CustomerFields, CustomerGroup, SquareService
from tests.desk.conftest import SessionMaker

Write = Callable[[Session], Awaitable[object]]


def dump(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


async def every_write(elsewhere: SquareService) -> dict[str, Write]:
    """One call of each write workflow, on a real customer, card and group."""
    customer = (await elsewhere.list_customers(limit=1)).customers[0]
    group = CustomerGroup(id="G1", name="VIP")
    card = Card(id="CARD1", customer_id=customer.id)
    return {
        "UpdateCustomer": lambda s: save_customer(s, ProfileEdit.of(customer, {"note": "x"})),
        "CreateCustomer": lambda s: create_customer(s, CustomerFields(given_name="New")),
        "DeleteCustomer": lambda s: delete_customer(s, customer),
        "CreateCard": lambda s: CardsOnFile(s, customer.id).add(NewCard("cnon:card-nonce-ok")),
        "DisableCard": lambda s: CardsOnFile(s, customer.id).disable(card),
        "AddGroupToCustomer": lambda s: Memberships(s, customer.id).join(group),
        "CreateCustomerGroup": lambda s: Memberships(s, customer.id).join("Brand new"),
        "RemoveGroupFromCustomer": lambda s: Memberships(s, customer.id).leave(group),
    }


@pytest.mark.parametrize(
    ("settings", "token", "why"),
    [
        (Settings(read_only=True), None, "CUSTOMER_DESK_READ_ONLY=1"),
        (Settings(), DEMO_READONLY_TOKEN, "this access token cannot change"),
    ],
    ids=["wish", "token"],
)
async def test_every_write_workflow_refuses_before_any_request(
    make_session: SessionMaker,
    elsewhere: SquareService,
    demo_db: Path,
    settings: Settings,
    token: str | None,
    why: str,
) -> None:
    session = await make_session(settings, token=token)
    assert session.read_only
    writes = await every_write(elsewhere)
    before = dump(demo_db)
    sent = session.requests
    for operation, write in writes.items():
        result = await write(session)
        assert isinstance(result, Refused), operation
        assert result.operation == operation and why in result.reason
    assert session.requests == sent
    assert dump(demo_db) == before


async def test_a_token_that_may_change_customers_but_not_cards(make_session: SessionMaker) -> None:
    """Only the card workflows are refused; the reason names what is missing."""
    session = await make_session()
    session.access.learn_token_scopes(["CUSTOMERS_READ", "CUSTOMERS_WRITE"])
    assert refusal(session, "UpdateCustomer", "AddGroupToCustomer") is None
    refused = refusal(session, "CreateCard")
    assert refused is not None and "PAYMENTS_WRITE" in refused.reason
