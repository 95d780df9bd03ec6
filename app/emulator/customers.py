"""The Customers resource: list, search, create, retrieve, update and delete a customer.

Besides its handlers, this module owns how a customer record changes (`create_customer`,
`update_customer`, `delete_customer`, `bump_customer`): the bulk, groups and cards
handlers change customers through these functions.
"""

from __future__ import annotations

from typing import Any

from . import limits, shapes, validation
from .core import Emulator
from .cursors import encode_cursor, fingerprint, key_cursor
from .errors import customer_not_found, version_mismatch
from .routing import Body, Call, Result, Routes
from .search_query import Key, Query, parse_search_query

routes = Routes()

# --- a customer record ----------------------------------------------------------------------


def require_customer(emu: Emulator, customer_id: str) -> Body:
    """The customer (consistent read), else 404 NOT_FOUND."""
    customer = emu.store.get_customer(customer_id)
    if customer is None:
        raise customer_not_found(customer_id)
    return customer


def create_customer(emu: Emulator, changes: Body, source: str = "THIRD_PARTY") -> Body:
    customer: Body = {}
    apply_changes(customer, changes)
    if not validation.has_identity(customer):
        raise validation.missing_identity()
    now = emu.now()
    customer.update(
        id=emu.new_id(emu.store.get_customer),
        created_at=now,
        updated_at=now,
        creation_source=source,
        preferences={"email_unsubscribed": False},
        version=0,
    )
    emu.store.put_customer(customer)
    return require_customer(emu, customer["id"])


def update_customer(emu: Emulator, customer_id: str, body: Body, prefix: str = "") -> Body:
    customer = require_customer(emu, customer_id)
    changes = validation.customer_changes(body, prefix)
    version = body.get("version")
    if version is not None and version != customer["version"]:
        raise version_mismatch(customer_id)
    apply_changes(customer, changes)
    _touch(emu, customer)
    emu.store.put_customer(customer)
    return require_customer(emu, customer_id)


def _touch(emu: Emulator, customer: Body) -> None:
    customer["version"] = int(customer["version"]) + 1
    customer["updated_at"] = emu.now()


def delete_customer(emu: Emulator, customer_id: str, version: int | None) -> None:
    customer = require_customer(emu, customer_id)
    if version is not None and version != customer["version"]:
        raise version_mismatch(customer_id)
    emu.store.delete_customer(customer_id)


def bump_customer(emu: Emulator, customer_id: str) -> None:
    """A new version of the customer (a membership change is a committed update)."""
    customer = require_customer(emu, customer_id)
    _touch(emu, customer)
    emu.store.put_customer(customer)


def apply_changes(customer: Body, changes: Body) -> None:
    """Apply validated sparse changes: None clears; address and tax ids merge part-wise."""
    for name, value in changes.items():
        if name in ("address", "tax_ids"):
            if value is None:
                customer.pop(name, None)
                continue
            merged = {**(customer.get(name) or {}), **value}
            merged = {k: v for k, v in merged.items() if v is not None}
            if name == "address":
                merged = {k: merged[k] for k in shapes.ADDRESS_FIELDS if k in merged}
            if merged:
                customer[name] = merged
            else:
                customer.pop(name, None)
        elif value is None:
            customer.pop(name, None)
        else:
            customer[name] = value


# --- list and search ------------------------------------------------------------------------


@routes.operation("ListCustomers", "GET", "/v2/customers", "CUSTOMERS_READ")
def list_customers(emu: Emulator, call: Call) -> Result:
    q = call.query
    limit = validation.check_limit(
        validation.query_int(q, "limit"), limits.LIST_LIMIT_DEFAULT, limits.LIST_LIMIT_MAX
    )
    sort_field = validation.query_enum(q, "sort_field", limits.SORT_FIELDS) or "DEFAULT"
    sort_order = validation.query_enum(q, "sort_order", limits.SORT_ORDERS) or "ASC"
    count = validation.query_bool(q, "count") or False
    query = Query(sort_field=sort_field, descending=sort_order == "DESC")
    query_id = fingerprint(["ListCustomers", sort_field, sort_order])
    after = key_cursor(q.get("cursor"), query_id)
    page = emu.store.search(query, after=after, limit=limit)
    return 200, _page_body(page.customers, page.last_key, query_id, page.total if count else None)


def _page_body(customers: list[Body], last: Key | None, query_id: str, count: int | None) -> Body:
    body: Body = {}
    if customers:
        body["customers"] = customers
    if last is not None:
        body["cursor"] = encode_cursor(query_id, list(last))
    if count is not None:
        body["count"] = count
    return body


@routes.operation("SearchCustomers", "POST", "/v2/customers/search", "CUSTOMERS_READ")
def search_customers(emu: Emulator, call: Call) -> Result:
    body = call.body
    shapes.check_type(body, shapes.SEARCH_CUSTOMERS)
    limit = validation.check_limit(
        body.get("limit"), limits.LIST_LIMIT_DEFAULT, limits.LIST_LIMIT_MAX
    )
    raw_query: dict[str, Any] = body.get("query") or {}
    query = parse_search_query(emu.store, raw_query, emu.application(call.headers))
    query_id = fingerprint(
        ["SearchCustomers", raw_query.get("filter") or {}, query.sort_field, query.descending]
    )
    after = key_cursor(body.get("cursor"), query_id)
    page = emu.store.search(query, after=after, limit=limit)
    count = page.total if body.get("count") else None
    return 200, _page_body(page.customers, page.last_key, query_id, count)


# --- one customer ---------------------------------------------------------------------------


@routes.operation("CreateCustomer", "POST", "/v2/customers", "CUSTOMERS_WRITE")
def create(emu: Emulator, call: Call) -> Result:
    body = call.body
    shapes.check_type(body, shapes.CREATE_CUSTOMER)
    validation.check_max(body.get("idempotency_key"), limits.OTHER_KEY_MAX, "idempotency_key")
    changes = validation.customer_changes(body)

    def produce() -> Result:
        return 200, {"customer": create_customer(emu, changes)}

    return emu.idempotent("CreateCustomer", body.get("idempotency_key"), body, produce)


@routes.operation("RetrieveCustomer", "GET", "/v2/customers/{customer_id}", "CUSTOMERS_READ")
def retrieve(emu: Emulator, call: Call) -> Result:
    return 200, {"customer": require_customer(emu, call.params["customer_id"])}


@routes.operation("UpdateCustomer", "PUT", "/v2/customers/{customer_id}", "CUSTOMERS_WRITE")
def update(emu: Emulator, call: Call) -> Result:
    shapes.check_type(call.body, shapes.UPDATE_CUSTOMER)
    return 200, {"customer": update_customer(emu, call.params["customer_id"], call.body)}


@routes.operation("DeleteCustomer", "DELETE", "/v2/customers/{customer_id}", "CUSTOMERS_WRITE")
def delete(emu: Emulator, call: Call) -> Result:
    version = validation.query_int(call.query, "version")
    delete_customer(emu, call.params["customer_id"], version)
    return 200, {}
