"""Customer custom attribute definitions: list, create, retrieve, update and delete.

A definition names a custom field customers may hold: its `key`, `schema` (its type, see
`attribute_types.py`), `name`, `description` and `visibility` (who else sees it, see
`attribute_access.py`). `version` is 1 on create and +1 per update; a stale `version` on
update answers 409 `CONFLICT` (as for customers). **Defaults** where Square is silent: a
key or name already taken is 400 `INVALID_VALUE` on the field; an application may own up
to `limits.DEFINITIONS_PER_APP_MAX` definitions.
"""

from __future__ import annotations

from typing import Any

from . import limits
from .attribute_access import (
    HIDDEN,
    SIMPLE_KEY,
    VISIBILITIES,
    definition_json,
    find_definition,
    forbidden,
    shown_key,
    visible,
    visible_definitions,
)
from .attribute_types import changed_schema, new_schema
from .core import Emulator
from .cursors import offset_page
from .errors import INVALID_REQUEST, ApiError, bad_request
from .routing import Body, Call, Result, Routes
from .shapes import JsonType, check_type
from .validation import check_max, query_int, require

routes = Routes()

PATH = "/v2/customers/custom-attribute-definitions"
FIELD = "custom_attribute_definition"
DEFINITION: JsonType = (
    "object",
    {
        "key": "string",
        "schema": ("object", {}),
        "name": "string",
        "description": "string",
        "visibility": ("enum", VISIBILITIES),
        "version": "integer",
    },
)
DEFINITION_BODY: JsonType = ("object", {"idempotency_key": "string", FIELD: DEFINITION})


def conflict(detail: str, field: str) -> ApiError:
    """A stale `version`: 409 CONFLICT, as for customers (NOTES' default)."""
    return ApiError(409, INVALID_REQUEST, "CONFLICT", detail, field)


def check_idempotency_key(body: Body) -> str | None:
    key = body.get("idempotency_key")
    check_max(key, limits.IDEMPOTENCY_KEY_MAX, "idempotency_key")
    return key or None


def check_read_version(call: Call, current: int) -> None:
    """`?version=N` reads N or newer; N above the current version is 400 BAD_REQUEST."""
    wanted = query_int(call.query, "version")
    if wanted is not None and wanted > current:
        raise bad_request(
            "BAD_REQUEST", f"Version {wanted} is newer than the current version.", "version"
        )


def _definition_body(call: Call) -> tuple[Body, str | None]:
    check_type(call.body, DEFINITION_BODY)
    raw: Body = require(call.body.get(FIELD), FIELD)
    return raw, check_idempotency_key(call.body)


def _texts(record: Body, raw: Body) -> None:
    """`name` and `description` from a request (null or "" clears), then their rules."""
    for name in ("name", "description"):
        if name in raw:
            value = raw[name]
            check_max(value, limits.DEFINITION_TEXT_MAX, f"{FIELD}.{name}")
            record[name] = value if value and value.strip() else None
    if record.get("visibility", HIDDEN) != HIDDEN:
        for name in ("name", "description"):
            if not record.get(name):
                raise bad_request(
                    "MISSING_REQUIRED_PARAMETER",
                    f"`{FIELD}.{name}` is required unless the visibility is {HIDDEN}.",
                    f"{FIELD}.{name}",
                )


def _name_taken(emu: Emulator, app: str, record: Body) -> None:
    """A name is unique (case-sensitive) among the customer definitions the caller sees."""
    name = record.get("name")
    if not name:
        return
    for other in emu.store.list_definitions():
        same = (other["owner"], other["key"]) == (record["owner"], record["key"])
        if not same and other.get("name") == name and visible(other, app):
            raise bad_request(
                "INVALID_VALUE",
                f"A custom attribute definition named `{name}` already exists.",
                f"{FIELD}.name",
            )


@routes.operation("ListCustomerCustomAttributeDefinitions", "GET", PATH, "CUSTOMERS_READ")
def list_definitions(emu: Emulator, call: Call) -> Result:
    app = emu.application(call.headers)
    items = [definition_json(d, app) for d in visible_definitions(emu.store, app)]
    return offset_page(
        call,
        "ListCustomerCustomAttributeDefinitions",
        "custom_attribute_definitions",
        items,
        default=limits.ATTRIBUTE_LIST_DEFAULT,
        maximum=limits.ATTRIBUTE_LIST_MAX,
        query=app,
    )


@routes.operation("CreateCustomerCustomAttributeDefinition", "POST", PATH, "CUSTOMERS_WRITE")
def create_definition(emu: Emulator, call: Call) -> Result:
    raw, idempotency_key = _definition_body(call)
    app = emu.application(call.headers)
    key = require(raw.get("key"), f"{FIELD}.key")
    check_max(key, limits.ATTRIBUTE_KEY_MAX, f"{FIELD}.key")
    if not SIMPLE_KEY.fullmatch(key):
        raise bad_request(
            "INVALID_VALUE",
            f"`{FIELD}.key` may hold only letters, digits, `.`, `_` and `-`.",
            f"{FIELD}.key",
        )

    def produce() -> Result:
        if emu.store.get_definition(app, key) is not None:
            raise bad_request(
                "INVALID_VALUE",
                f"A custom attribute definition with key `{key}` already exists.",
                f"{FIELD}.key",
            )
        if emu.store.definition_count(app) >= limits.DEFINITIONS_PER_APP_MAX:
            raise bad_request(
                "BAD_REQUEST",
                f"An application may define at most {limits.DEFINITIONS_PER_APP_MAX} "
                "customer custom attributes.",
                FIELD,
            )
        schema = new_schema(
            require(raw.get("schema"), f"{FIELD}.schema"), f"{FIELD}.schema", emu.rng
        )
        now = emu.now()
        record: Body = {
            "owner": app,
            "key": key,
            "schema": schema,
            "visibility": raw.get("visibility") or HIDDEN,
        }
        _texts(record, raw)
        _name_taken(emu, app, record)
        record.update(version=1, created_at=now, updated_at=now)
        emu.store.put_definition(record)
        return 200, {FIELD: definition_json(record, app)}

    scope = f"CreateCustomerCustomAttributeDefinition:{app}"
    return emu.idempotent(scope, idempotency_key, call.body, produce)


@routes.operation(
    "RetrieveCustomerCustomAttributeDefinition", "GET", PATH + "/{key}", "CUSTOMERS_READ"
)
def retrieve_definition(emu: Emulator, call: Call) -> Result:
    app = emu.application(call.headers)
    definition = find_definition(emu.store, app, call.params["key"])
    check_read_version(call, definition["version"])
    return 200, {FIELD: definition_json(definition, app)}


def _owned(emu: Emulator, app: str, text: str, doing: str) -> Body:
    definition = find_definition(emu.store, app, text)
    if definition["owner"] != app:
        raise forbidden(
            f"Only the application that created custom attribute definition `{text[:100]}` "
            f"may {doing} it."
        )
    return definition


@routes.operation(
    "UpdateCustomerCustomAttributeDefinition", "PUT", PATH + "/{key}", "CUSTOMERS_WRITE"
)
def update_definition(emu: Emulator, call: Call) -> Result:
    raw, idempotency_key = _definition_body(call)
    app = emu.application(call.headers)
    text = call.params["key"]

    def produce() -> Result:
        record = _owned(emu, app, text, "update")
        version = raw.get("version")
        if version is not None and version != record["version"]:
            raise conflict(
                f"The version of custom attribute definition `{text[:100]}` does not match "
                "the expected version.",
                f"{FIELD}.version",
            )
        given_key = raw.get("key")
        if given_key is not None and given_key not in (record["key"], shown_key(record, app)):
            raise bad_request("INVALID_VALUE", "A definition's key cannot change.", f"{FIELD}.key")
        if raw.get("visibility") is not None:
            record["visibility"] = raw["visibility"]
        if raw.get("schema") is not None:
            record["schema"], removed = changed_schema(
                record["schema"], raw["schema"], f"{FIELD}.schema", emu.rng
            )
            _drop_options(emu, record, removed)
        _texts(record, raw)
        _name_taken(emu, app, record)
        record["version"] += 1
        record["updated_at"] = emu.now()
        emu.store.put_definition(record)
        return 200, {FIELD: definition_json(record, app)}

    scope = f"UpdateCustomerCustomAttributeDefinition:{app}"
    return emu.idempotent(scope, idempotency_key, {"key": text, **call.body}, produce)


def _drop_options(emu: Emulator, definition: Body, removed: set[str]) -> None:
    """Options taken out of a Selection leave every value that held them (a new version);
    a value left with none is deleted."""
    if not removed:
        return
    owner, key = definition["owner"], definition["key"]
    for value in emu.store.values_for(owner, key):
        kept: list[Any] = [v for v in value["value"] if v not in removed]
        if kept == value["value"]:
            continue
        if not kept:
            emu.store.delete_value(value["customer_id"], owner, key)
            continue
        value.update(value=kept, version=value["version"] + 1, updated_at=emu.now())
        emu.store.put_value(value)


@routes.operation(
    "DeleteCustomerCustomAttributeDefinition", "DELETE", PATH + "/{key}", "CUSTOMERS_WRITE"
)
def delete_definition(emu: Emulator, call: Call) -> Result:
    app = emu.application(call.headers)
    record = _owned(emu, app, call.params["key"], "delete")
    emu.store.delete_definition(record["owner"], record["key"])
    return 200, {}
