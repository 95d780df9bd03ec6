"""Customer custom attribute values: list, retrieve, upsert and delete; bulk upsert.

A value belongs to one customer and one definition, and must fit the definition's schema
(`attribute_types.check_value`). `version` is 1 when a value is first set and +1 per
change; a stale `version` on upsert answers 409 `CONFLICT`. **Defaults** where Square is
silent: an upsert that changes nothing keeps the version; deleting a value that is not
set is 404 `NOT_FOUND`; a deleted customer's values go with it; a customer's values are
listed in their definitions' order (oldest first). Setting a value changes nothing of
the customer itself (its `version` stays).
"""

from __future__ import annotations

from . import limits
from .attribute_access import (
    attribute_json,
    find_definition,
    forbidden,
    shown_key,
    values_writable,
    visible_definitions,
)
from .attribute_definitions import check_idempotency_key, check_read_version, conflict
from .attribute_types import check_value
from .bulk import check_map_keys, entry_result
from .core import Emulator
from .cursors import offset_page
from .customers import require_customer
from .errors import bad_request, not_found
from .routing import Body, Call, Result, Routes
from .shapes import JsonType, check_type
from .validation import check_max, query_bool, require

routes = Routes()

VALUES_PATH = "/v2/customers/{customer_id}/custom-attributes"
ATTRIBUTE: JsonType = ("object", {"key": "string", "version": "integer"})
UPSERT_BODY: JsonType = ("object", {"idempotency_key": "string", "custom_attribute": ATTRIBUTE})
BULK_ENTRY: JsonType = (
    "object",
    {"customer_id": "string", "idempotency_key": "string", "custom_attribute": ATTRIBUTE},
)


def _value_not_found(customer_id: str, text: str) -> Exception:
    return not_found(
        f"Custom attribute `{text[:100]}` is not set on customer `{customer_id[:100]}`.", "key"
    )


def upsert(
    emu: Emulator, app: str, customer_id: str, text: str, attribute: Body, path: str
) -> Body:
    """Set one value (checked against its definition and `version`); the new attribute."""
    require_customer(emu, customer_id)
    definition = find_definition(emu.store, app, text, f"{path}.key" if path else "key")
    if not values_writable(definition, app):
        raise forbidden(f"Custom attribute `{text[:100]}` is read-only for this application.")
    where = f"{path}.value" if path else "custom_attribute.value"
    value = check_value(definition["schema"], attribute.get("value"), where)
    owner, key = definition["owner"], definition["key"]
    current = emu.store.get_value(customer_id, owner, key)
    version = attribute.get("version")
    if version is not None and version != (current["version"] if current else 0):
        raise conflict(
            f"The version of custom attribute `{text[:100]}` on customer `{customer_id}` "
            "does not match the expected version.",
            f"{path}.version" if path else "custom_attribute.version",
        )
    now = emu.now()
    if current is None:
        current = {"customer_id": customer_id, "owner": owner, "key": key, "version": 0}
        current["created_at"] = now
    if current.get("value") != value or current["version"] == 0:
        current.update(value=value, version=current["version"] + 1, updated_at=now)
        emu.store.put_value(current)
    return attribute_json(current, definition, app)


def _flag(call: Call, name: str) -> bool:
    return query_bool(call.query, name) or False


@routes.operation("ListCustomerCustomAttributes", "GET", VALUES_PATH, "CUSTOMERS_READ")
def list_attributes(emu: Emulator, call: Call) -> Result:
    app = emu.application(call.headers)
    customer_id = call.params["customer_id"]
    with_definitions = _flag(call, "with_definitions")
    require_customer(emu, customer_id)
    held = {(v["owner"], v["key"]): v for v in emu.store.values_of(customer_id)}
    items = [
        attribute_json(held[(d["owner"], d["key"])], d, app, with_definition=with_definitions)
        for d in visible_definitions(emu.store, app)
        if (d["owner"], d["key"]) in held
    ]
    return offset_page(
        call,
        "ListCustomerCustomAttributes",
        "custom_attributes",
        items,
        default=limits.ATTRIBUTE_LIST_DEFAULT,
        maximum=limits.ATTRIBUTE_LIST_MAX,
        query=[app, customer_id, with_definitions],
    )


@routes.operation(
    "RetrieveCustomerCustomAttribute", "GET", VALUES_PATH + "/{key}", "CUSTOMERS_READ"
)
def retrieve_attribute(emu: Emulator, call: Call) -> Result:
    app = emu.application(call.headers)
    customer_id, text = call.params["customer_id"], call.params["key"]
    with_definition = _flag(call, "with_definition")
    require_customer(emu, customer_id)
    definition = find_definition(emu.store, app, text)
    value = emu.store.get_value(customer_id, definition["owner"], definition["key"])
    if value is None:
        raise _value_not_found(customer_id, text)
    check_read_version(call, value["version"])
    attribute = attribute_json(value, definition, app, with_definition=with_definition)
    return 200, {"custom_attribute": attribute}


@routes.operation(
    "UpsertCustomerCustomAttribute", "POST", VALUES_PATH + "/{key}", "CUSTOMERS_WRITE"
)
def upsert_attribute(emu: Emulator, call: Call) -> Result:
    check_type(call.body, UPSERT_BODY)
    idempotency_key = check_idempotency_key(call.body)
    attribute: Body = require(call.body.get("custom_attribute"), "custom_attribute")
    app = emu.application(call.headers)
    customer_id, text = call.params["customer_id"], call.params["key"]
    given = attribute.get("key")
    if given is not None and given != text:
        raise bad_request(
            "INVALID_VALUE", "`custom_attribute.key` differs from the path's key.", "key"
        )

    def produce() -> Result:
        return 200, {"custom_attribute": upsert(emu, app, customer_id, text, attribute, "")}

    request = {"customer_id": customer_id, "key": text, **call.body}
    scope = f"UpsertCustomerCustomAttribute:{app}"
    return emu.idempotent(scope, idempotency_key, request, produce)


@routes.operation(
    "DeleteCustomerCustomAttribute", "DELETE", VALUES_PATH + "/{key}", "CUSTOMERS_WRITE"
)
def delete_attribute(emu: Emulator, call: Call) -> Result:
    app = emu.application(call.headers)
    customer_id, text = call.params["customer_id"], call.params["key"]
    require_customer(emu, customer_id)
    definition = find_definition(emu.store, app, text)
    if not values_writable(definition, app):
        raise forbidden(f"Custom attribute `{shown_key(definition, app)}` is read-only here.")
    if not emu.store.delete_value(customer_id, definition["owner"], definition["key"]):
        raise _value_not_found(customer_id, text)
    return 200, {}


@routes.operation(
    "BulkUpsertCustomerCustomAttributes",
    "POST",
    "/v2/customers/custom-attributes/bulk-upsert",
    "CUSTOMERS_WRITE",
)
def bulk_upsert(emu: Emulator, call: Call) -> Result:
    """1–25 upserts, each answered on its own (`values.<id>`: the attribute or `errors`)."""
    values = require(call.body.get("values"), "values")
    check_type(values, ("map", ("object", {})), "values")
    if len(values) > limits.BULK_UPSERT_MAX:
        raise bad_request(
            "TOO_MANY_MAP_ENTRIES",
            f"`values` may hold at most {limits.BULK_UPSERT_MAX} entries.",
            "values",
        )
    if not values:
        raise bad_request(
            "ARRAY_LENGTH_TOO_SHORT", "`values` must hold at least 1 entry.", "values"
        )
    check_map_keys(values, "values", limits.OTHER_KEY_MAX)
    app = emu.application(call.headers)
    answers: Body = {}
    for entry_id, entry in values.items():

        def one(entry_id: str = entry_id, entry: Body = entry) -> Body:
            path = f"values.{entry_id}"
            check_type(entry, BULK_ENTRY, path)
            customer_id = require(entry.get("customer_id"), f"{path}.customer_id")
            attribute = require(entry.get("custom_attribute"), f"{path}.custom_attribute")
            text = require(attribute.get("key"), f"{path}.custom_attribute.key")
            key = entry.get("idempotency_key")
            check_max(key, limits.IDEMPOTENCY_KEY_MAX, f"{path}.idempotency_key")

            def produce() -> Result:
                where = f"{path}.custom_attribute"
                made = upsert(emu, app, customer_id, text, attribute, where)
                return 200, {"customer_id": customer_id, "custom_attribute": made}

            scope = f"BulkUpsertCustomerCustomAttributes:{app}"
            return emu.idempotent(scope, key or None, entry, produce)[1]

        answers[entry_id] = entry_result(one)
    return 200, {"values": answers}
