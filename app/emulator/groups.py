"""The Customer Groups resource: groups (list, create, retrieve, rename, delete) and membership.

A membership change, and the deletion of a group a customer was in, is a committed update
of that customer: its `version` goes up.
"""

from __future__ import annotations

from . import limits, shapes, validation
from .core import Emulator
from .cursors import offset_page
from .customers import bump_customer, require_customer
from .errors import bad_request, not_found
from .routing import Body, Call, Result, Routes

routes = Routes()


def _require_group(emu: Emulator, group_id: str) -> Body:
    group = emu.store.get_group(group_id)
    if group is None:
        raise not_found(f"Customer group with ID `{group_id}` not found.", "group_id")
    return group


def _group_name(body: Body) -> str:
    shapes.check_type(body, shapes.GROUP_BODY)
    group = body.get("group")
    if group is None:
        raise bad_request("MISSING_REQUIRED_PARAMETER", "Field `group` is required.", "group")
    name = group.get("name")
    if name is None:
        raise bad_request(
            "MISSING_REQUIRED_PARAMETER", "Field `group.name` is required.", "group.name"
        )
    if not name.strip():
        raise bad_request("INVALID_VALUE", "`group.name` must not be empty.", "group.name")
    validation.check_max(name, limits.GROUP_NAME_MAX, "group.name")
    validation.check_max(body.get("idempotency_key"), limits.OTHER_KEY_MAX, "idempotency_key")
    return str(name)


@routes.operation("ListCustomerGroups", "GET", "/v2/customers/groups", "CUSTOMERS_READ")
def list_groups(emu: Emulator, call: Call) -> Result:
    return offset_page(call, "ListCustomerGroups", "groups", emu.store.list_groups())


@routes.operation("CreateCustomerGroup", "POST", "/v2/customers/groups", "CUSTOMERS_WRITE")
def create_group(emu: Emulator, call: Call) -> Result:
    name = _group_name(call.body)

    def produce() -> Result:
        now = emu.now()
        group = {
            "id": emu.new_id(emu.store.get_group),
            "name": name,
            "created_at": now,
            "updated_at": now,
        }
        emu.store.put_group(group)
        return 200, {"group": group}

    return emu.idempotent(
        "CreateCustomerGroup", call.body.get("idempotency_key"), call.body, produce
    )


@routes.operation(
    "RetrieveCustomerGroup", "GET", "/v2/customers/groups/{group_id}", "CUSTOMERS_READ"
)
def retrieve_group(emu: Emulator, call: Call) -> Result:
    return 200, {"group": _require_group(emu, call.params["group_id"])}


@routes.operation(
    "UpdateCustomerGroup", "PUT", "/v2/customers/groups/{group_id}", "CUSTOMERS_WRITE"
)
def update_group(emu: Emulator, call: Call) -> Result:
    group = _require_group(emu, call.params["group_id"])
    group["name"] = _group_name(call.body)
    group["updated_at"] = emu.now()
    emu.store.put_group(group)
    return 200, {"group": group}


@routes.operation(
    "DeleteCustomerGroup", "DELETE", "/v2/customers/groups/{group_id}", "CUSTOMERS_WRITE"
)
def delete_group(emu: Emulator, call: Call) -> Result:
    group_id = call.params["group_id"]
    _require_group(emu, group_id)
    for customer_id in emu.store.delete_group(group_id):
        bump_customer(emu, customer_id)  # a membership change is a committed update
    return 200, {}


def _set_membership(emu: Emulator, call: Call, member: bool) -> Result:
    customer_id, group_id = call.params["customer_id"], call.params["group_id"]
    require_customer(emu, customer_id)
    _require_group(emu, group_id)
    if emu.store.set_membership(customer_id, group_id, member):
        bump_customer(emu, customer_id)
    return 200, {}


@routes.operation(
    "AddGroupToCustomer", "PUT", "/v2/customers/{customer_id}/groups/{group_id}", "CUSTOMERS_WRITE"
)
def add_group(emu: Emulator, call: Call) -> Result:
    return _set_membership(emu, call, True)


@routes.operation(
    "RemoveGroupFromCustomer",
    "DELETE",
    "/v2/customers/{customer_id}/groups/{group_id}",
    "CUSTOMERS_WRITE",
)
def remove_group(emu: Emulator, call: Call) -> Result:
    return _set_membership(emu, call, False)
