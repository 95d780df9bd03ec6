"""Every operation of the spec through the SDK: routed, authenticated, scoped, versioned.

The operation table below must name every operation of Square's spec (checked), so a
bad token is refused by each one, and a read-only token by each write.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from square import Square
from square.core.api_error import ApiError
from square.core.request_options import RequestOptions

from app.emulator import DEMO_TOKEN
from app.emulator.operations import OPERATIONS as EMULATOR_OPERATIONS

from .conftest import SquareFactory, expect_error, new_customer, some
from .openapi import WireChecker, operations

NOBODY = "0" * 26  # a well-formed id that names nothing
NO_CARD = "ccof:nothing-here"
STRING = (
    "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String"
)

OPERATIONS: dict[str, Callable[[Square], object]] = {
    "ListCustomers": lambda sq: sq.customers.list(limit=1),
    "CreateCustomer": lambda sq: sq.customers.create(given_name="Nobody"),
    "RetrieveCustomer": lambda sq: sq.customers.get(customer_id=NOBODY),
    "UpdateCustomer": lambda sq: sq.customers.update(customer_id=NOBODY, note="x"),
    "DeleteCustomer": lambda sq: sq.customers.delete(customer_id=NOBODY),
    "SearchCustomers": lambda sq: sq.customers.search(limit=1),
    "BulkCreateCustomers": lambda sq: sq.customers.batch_create(
        customers={"k": {"given_name": "Nobody"}}
    ),
    "BulkUpdateCustomers": lambda sq: sq.customers.bulk_update_customers(
        customers={NOBODY: {"note": "x"}}
    ),
    "BulkDeleteCustomers": lambda sq: sq.customers.bulk_delete_customers(customer_ids=[NOBODY]),
    "BulkRetrieveCustomers": lambda sq: sq.customers.bulk_retrieve_customers(customer_ids=[NOBODY]),
    "CreateCustomerCard": lambda sq: sq.customers.cards.create(
        customer_id=NOBODY, card_nonce="cnon:card-nonce-ok-auth"
    ),
    "DeleteCustomerCard": lambda sq: sq.customers.cards.delete(customer_id=NOBODY, card_id=NO_CARD),
    "ListCustomerGroups": lambda sq: sq.customers.groups.list(limit=1),
    "CreateCustomerGroup": lambda sq: sq.customers.groups.create(group={"name": "Nobody"}),
    "RetrieveCustomerGroup": lambda sq: sq.customers.groups.get(group_id=NOBODY),
    "UpdateCustomerGroup": lambda sq: sq.customers.groups.update(
        group_id=NOBODY, group={"name": "Nobody"}
    ),
    "DeleteCustomerGroup": lambda sq: sq.customers.groups.delete(group_id=NOBODY),
    "AddGroupToCustomer": lambda sq: sq.customers.groups.add(customer_id=NOBODY, group_id=NOBODY),
    "RemoveGroupFromCustomer": lambda sq: sq.customers.groups.remove(
        customer_id=NOBODY, group_id=NOBODY
    ),
    "ListCustomerSegments": lambda sq: sq.customers.segments.list(limit=1),
    "RetrieveCustomerSegment": lambda sq: sq.customers.segments.get(segment_id=NOBODY),
    "ListCards": lambda sq: sq.cards.list(),
    "CreateCard": lambda sq: sq.cards.create(
        idempotency_key="auth", source_id="cnon:card-nonce-ok-auth", card={"customer_id": NOBODY}
    ),
    "RetrieveCard": lambda sq: sq.cards.get(card_id=NO_CARD),
    "DisableCard": lambda sq: sq.cards.disable(card_id=NO_CARD),
    "RetrieveTokenStatus": lambda sq: sq.o_auth.retrieve_token_status(),
    "ListCustomerCustomAttributeDefinitions": lambda sq: (
        sq.customers.custom_attribute_definitions.list(limit=1)
    ),
    "CreateCustomerCustomAttributeDefinition": (
        lambda sq: sq.customers.custom_attribute_definitions.create(
            custom_attribute_definition={"key": "auth", "schema": {"$ref": STRING}}
        )
    ),
    "RetrieveCustomerCustomAttributeDefinition": (
        lambda sq: sq.customers.custom_attribute_definitions.get(key="nothing")
    ),
    "UpdateCustomerCustomAttributeDefinition": (
        lambda sq: sq.customers.custom_attribute_definitions.update(
            key="nothing", custom_attribute_definition={"description": "x"}
        )
    ),
    "DeleteCustomerCustomAttributeDefinition": (
        lambda sq: sq.customers.custom_attribute_definitions.delete(key="nothing")
    ),
    "BulkUpsertCustomerCustomAttributes": (
        lambda sq: sq.customers.custom_attribute_definitions.batch_upsert(
            values={"a": {"customer_id": NOBODY, "custom_attribute": {"key": "x", "value": "y"}}}
        )
    ),
    "ListCustomerCustomAttributes": lambda sq: sq.customers.custom_attributes.list(
        customer_id=NOBODY
    ),
    "RetrieveCustomerCustomAttribute": lambda sq: sq.customers.custom_attributes.get(
        customer_id=NOBODY, key="nothing"
    ),
    "UpsertCustomerCustomAttribute": lambda sq: sq.customers.custom_attributes.upsert(
        customer_id=NOBODY, key="nothing", custom_attribute={"value": "x"}
    ),
    "DeleteCustomerCustomAttribute": lambda sq: sq.customers.custom_attributes.delete(
        customer_id=NOBODY, key="nothing"
    ),
}

# The spec leaves the Cards API's scopes blank; NOTES.md: PAYMENTS_READ / PAYMENTS_WRITE.
CARD_SCOPES = {
    "ListCards": "PAYMENTS_READ",
    "RetrieveCard": "PAYMENTS_READ",
    "CreateCard": "PAYMENTS_WRITE",
    "DisableCard": "PAYMENTS_WRITE",
}


# The spec's RetrieveTokenStatus needs a valid token but no scope (`oauth2: []`).
SCOPELESS = {"RetrieveTokenStatus"}


def _scope(operation_id: str) -> str:
    op = next(o for o in operations() if o.operation_id == operation_id)
    if operation_id in SCOPELESS:
        return ""
    return op.scopes[0] if op.scopes else CARD_SCOPES[operation_id]


WRITES = sorted(name for name in OPERATIONS if _scope(name).endswith("_WRITE"))


def test_the_table_names_every_operation_of_the_spec() -> None:
    assert set(OPERATIONS) == {op.operation_id for op in operations()}
    assert len(OPERATIONS) == 36 and len(WRITES) == 21


def test_the_emulator_routes_exactly_the_spec() -> None:
    """Same operations, methods, paths and scopes as the spec (the emulator's own table)."""
    mine = {op.name: op for op in EMULATOR_OPERATIONS}
    assert set(mine) == {op.operation_id for op in operations()}
    for spec_op in operations():
        emu = mine[spec_op.operation_id]
        assert emu.method == spec_op.method, spec_op.operation_id
        sample = spec_op.path.replace("{", "").replace("}", "")
        assert emu.pattern.match(sample), (spec_op.operation_id, spec_op.path)
        assert emu.scope == _scope(spec_op.operation_id), spec_op.operation_id


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_a_bad_token_is_refused_everywhere(
    make_square: SquareFactory, checker: WireChecker, operation_id: str
) -> None:
    stranger = make_square("not-a-token")
    err = expect_error(
        lambda: OPERATIONS[operation_id](stranger),
        401,
        "UNAUTHORIZED",
        category="AUTHENTICATION_ERROR",
        field=None,
    )
    assert some(err.errors[0].detail) == "This request could not be authorized."
    assert operation_id in checker.seen


@pytest.mark.parametrize("operation_id", WRITES)
def test_a_read_only_token_cannot_write(readonly: Square, operation_id: str) -> None:
    err = expect_error(
        lambda: OPERATIONS[operation_id](readonly),
        403,
        "INSUFFICIENT_SCOPES",
        category="AUTHENTICATION_ERROR",
    )
    assert _scope(operation_id) in some(err.errors[0].detail)


def test_a_read_only_token_reads(readonly: Square, square: Square) -> None:
    customer = new_customer(square)
    assert some(readonly.customers.get(customer_id=some(customer.id)).customer).id == customer.id
    assert readonly.customers.list(limit=2).items
    assert readonly.customers.groups.list().items
    assert readonly.customers.segments.list().items
    assert readonly.cards.list().items


def test_only_a_bearer_token_is_accepted(square: Square) -> None:
    basic: RequestOptions = {"additional_headers": {"Authorization": f"Basic {DEMO_TOKEN}"}}
    expect_error(
        lambda: square.customers.list(request_options=basic),
        401,
        "UNAUTHORIZED",
        category="AUTHENTICATION_ERROR",
    )


def test_square_version_is_echoed(make_square: SquareFactory) -> None:
    """Whatever Square-Version the client sends comes back, on answers and on errors
    (the wire checker also checks it on every answer of the suite)."""
    pinned = make_square(DEMO_TOKEN, version="2024-01-18")
    segment_id = some(some(pinned.customers.segments.list(limit=1).items)[0].id)
    answer = pinned.customers.segments.with_raw_response.get(segment_id=segment_id)
    assert answer.headers["square-version"] == "2024-01-18"
    with pytest.raises(ApiError) as info:
        pinned.customers.get(customer_id=NOBODY)
    assert some(info.value.headers)["square-version"] == "2024-01-18"
    default = make_square().customers.segments.with_raw_response.get(segment_id=segment_id)
    assert default.headers["square-version"]  # the SDK's own release date, echoed
