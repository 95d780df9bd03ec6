"""The bulk customer operations: create, update, delete and retrieve up to 100 at once.

Each entry succeeds or fails on its own: a failed entry carries its `errors` and the
batch goes on (a bulk call answers 200 unless the request itself is malformed).
"""

from __future__ import annotations

from collections.abc import Callable

from . import limits, shapes, validation
from .core import Emulator
from .customers import create_customer, delete_customer, require_customer, update_customer
from .errors import ApiError, bad_request
from .routing import Body, Call, Result, Routes

routes = Routes()


def _bulk_size(count: int, field_name: str, is_map: bool) -> None:
    if count < limits.BULK_MIN:
        raise bad_request(
            "ARRAY_LENGTH_TOO_SHORT",
            f"`{field_name}` must hold at least {limits.BULK_MIN} entry.",
            field_name,
        )
    if count > limits.BULK_MAX:
        raise bad_request(
            "TOO_MANY_MAP_ENTRIES" if is_map else "ARRAY_LENGTH_TOO_LONG",
            f"`{field_name}` may hold at most {limits.BULK_MAX} entries.",
            field_name,
        )


def check_map_keys(entries: Body, field_name: str, limit: int) -> None:
    """Keys of a bulk map: 1 to `limit` characters (MAP_KEY_LENGTH_TOO_SHORT / _LONG)."""
    for key in entries:
        if not key or len(key) > limit:
            code = "MAP_KEY_LENGTH_TOO_LONG" if key else "MAP_KEY_LENGTH_TOO_SHORT"
            raise bad_request(
                code, f"Keys of `{field_name}` must have 1 to {limit} characters.", field_name
            )


def entry_result(run: Callable[[], Body]) -> Body:
    """One entry of a bulk call: its result, or its errors (the batch goes on)."""
    try:
        return run()
    except ApiError as exc:
        return {"errors": exc.errors}


@routes.operation("BulkCreateCustomers", "POST", "/v2/customers/bulk-create", "CUSTOMERS_WRITE")
def bulk_create(emu: Emulator, call: Call) -> Result:
    body = call.body
    customers = validation.require(body.get("customers"), "customers")
    shapes.check_type(customers, ("map", ("object", {})), "customers")
    _bulk_size(len(customers), "customers", True)
    check_map_keys(customers, "customers", limits.OTHER_KEY_MAX)
    responses: Body = {}
    for key, data in customers.items():

        def one(key: str = key, data: Body = data) -> Body:
            shapes.check_type(data, ("object", shapes.CUSTOMER_FIELDS))
            changes = validation.customer_changes(data)

            def produce() -> Result:
                return 200, {"customer": create_customer(emu, changes)}

            return emu.idempotent("BulkCreateCustomers", key, data, produce)[1]

        responses[key] = entry_result(one)
    return 200, {"responses": responses}


@routes.operation("BulkUpdateCustomers", "POST", "/v2/customers/bulk-update", "CUSTOMERS_WRITE")
def bulk_update(emu: Emulator, call: Call) -> Result:
    customers = validation.require(call.body.get("customers"), "customers")
    shapes.check_type(customers, ("map", ("object", {})), "customers")
    _bulk_size(len(customers), "customers", True)
    check_map_keys(customers, "customers", limits.ID_MAX)
    responses: Body = {}
    for customer_id, data in customers.items():

        def one(customer_id: str = customer_id, data: Body = data) -> Body:
            shapes.check_type(data, shapes.UPDATE_CUSTOMER)
            return {"customer": update_customer(emu, customer_id, data)}

        responses[customer_id] = entry_result(one)
    return 200, {"responses": responses}


def _bulk_ids(body: Body) -> list[str]:
    ids = validation.require(body.get("customer_ids"), "customer_ids")
    shapes.check_type(body, shapes.BULK_IDS)
    _bulk_size(len(ids), "customer_ids", False)
    for i, customer_id in enumerate(ids):
        validation.check_max(customer_id, limits.ID_MAX, f"customer_ids[{i}]")
    return list(dict.fromkeys(ids))  # one response per id


@routes.operation("BulkDeleteCustomers", "POST", "/v2/customers/bulk-delete", "CUSTOMERS_WRITE")
def bulk_delete(emu: Emulator, call: Call) -> Result:
    responses: Body = {}
    for customer_id in _bulk_ids(call.body):

        def one(customer_id: str = customer_id) -> Body:
            delete_customer(emu, customer_id, None)
            return {}

        responses[customer_id] = entry_result(one)
    return 200, {"responses": responses}


@routes.operation("BulkRetrieveCustomers", "POST", "/v2/customers/bulk-retrieve", "CUSTOMERS_READ")
def bulk_retrieve(emu: Emulator, call: Call) -> Result:
    responses: Body = {}
    for customer_id in _bulk_ids(call.body):

        def one(customer_id: str = customer_id) -> Body:
            return {"customer": require_customer(emu, customer_id)}

        responses[customer_id] = entry_result(one)
    return 200, {"responses": responses}
