"""ASGI routes of the emulator: Square's paths, auth, error envelope, idempotency.

`create_app(store, *, tokens=None, faults=None, clock=None)` returns a Starlette app that
answers like Square's Customers, Customer Groups, Customer Segments and Cards APIs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from . import ALL_SCOPES, DEMO_READONLY_TOKEN, DEMO_TOKEN, READ_SCOPES, SQUARE_VERSION, guard, rules
from .errors import (
    API,
    INVALID_REQUEST,
    PAYMENT_METHOD,
    ApiError,
    bad_request,
    customer_not_found,
    insufficient_scopes,
    not_found,
    unauthorized,
    version_mismatch,
)
from .faults import Faults, FaultsMiddleware
from .oauth import retrieve_token_status
from .search import Key, Query, TextFilter
from .store import Store

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Body = dict[str, Any]
Result = tuple[int, Body]
DEFAULT_TOKENS: dict[str, frozenset[str]] = {
    DEMO_TOKEN: ALL_SCOPES,
    DEMO_READONLY_TOKEN: READ_SCOPES,
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Call:
    """One request as the handlers see it."""

    params: dict[str, str]
    query: Mapping[str, str]
    body: Body
    headers: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[["Emulator", Call], Result]


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    scope: str
    write: bool
    literals: int


_OPERATIONS: list[Operation] = []


def operation(name: str, method: str, path: str, scope: str) -> Callable[[Handler], Handler]:
    """Register a handler for `method path` (path parameters in braces)."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)

    def register(handler: Handler) -> Handler:
        write = scope.endswith("_WRITE")
        literals = sum(1 for part in path.split("/") if part and not part.startswith("{"))
        _OPERATIONS.append(
            Operation(name, method, re.compile(f"{regex}/?"), handler, scope, write, literals)
        )
        return handler

    return register


def _routes(path: str) -> list[tuple[Operation, re.Match[str]]]:
    """The operations at `path` (any method). The most literal path wins:
    /v2/customers/search is never customer "search"."""
    found = [(op, m) for op in _OPERATIONS if (m := op.pattern.fullmatch(path)) is not None]
    if not found:
        return []
    best = max(op.literals for op, _ in found)
    return [(op, m) for op, m in found if op.literals == best]


# --- cursors --------------------------------------------------------------------------------


def _fingerprint(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def encode_cursor(query_id: str, position: Any) -> str:
    raw = json.dumps({"q": query_id[:16], "p": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, query_id: str) -> Any:
    """The position stored in a cursor made for this query, else 400 INVALID_CURSOR."""
    try:
        if len(cursor) > rules.CURSOR_MAX:
            raise ValueError("cursor too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(data, dict) or data.get("q") != query_id[:16]:
            raise ValueError("cursor of another query")
        return data["p"]
    except (ValueError, KeyError, binascii.Error, UnicodeDecodeError):
        raise bad_request(
            "INVALID_CURSOR", "The pagination cursor is not valid for this query.", "cursor"
        ) from None


def _key_cursor(cursor: str | None, query_id: str) -> Key | None:
    if not cursor:
        return None
    position = decode_cursor(cursor, query_id)
    if (
        not isinstance(position, list)
        or len(position) != 2
        or not all(isinstance(p, str) for p in position)
    ):
        raise bad_request("INVALID_CURSOR", "The pagination cursor is not valid.", "cursor")
    return (position[0], position[1])


def _offset_cursor(cursor: str | None, query_id: str) -> int:
    if not cursor:
        return 0
    position = decode_cursor(cursor, query_id)
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise bad_request("INVALID_CURSOR", "The pagination cursor is not valid.", "cursor")
    return position


# --- the emulator ---------------------------------------------------------------------------


class Emulator:
    """The state and behaviour behind the routes."""

    def __init__(
        self,
        store: Store,
        tokens: Mapping[str, frozenset[str]],
        clock: Clock,
        rng: random.Random,
        *,
        body_max: int = guard.BODY_MAX,
        body_timeout: float = guard.BODY_TIMEOUT,
    ) -> None:
        self.store = store
        self.tokens = dict(tokens)
        self.clock = clock
        self.rng = rng
        self.body_max = body_max
        self.body_timeout = body_timeout

    def now(self) -> str:
        return rules.format_ts(self.clock())

    def new_id(self, exists: Callable[[str], object]) -> str:
        while True:
            candidate = rules.new_id(self.rng)
            if not exists(candidate):
                return candidate

    # --- dispatch -------------------------------------------------------------------

    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Every request, whatever its method and path: the body read under `guard`'s bounds."""
        if scope["type"] != "http":  # websockets: refused; lifespan: nothing to do
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        bounded = guard.bounded_receive(receive, limit=self.body_max, timeout=self.body_timeout)
        response = await self.dispatch(Request(scope, bounded))
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> Response:
        started = time.perf_counter()
        version = request.headers.get("square-version") or SQUARE_VERSION
        try:
            status, body = await self._handle(request)
            headers: Mapping[str, str] = {}
        except ApiError as exc:
            status, body, headers = exc.status, exc.body(), exc.headers
        except Exception:  # a bug of ours: still answer in Square's envelope
            log.exception("emulator error on %s %r", request.method, request.scope.get("path"))
            status, headers = 500, {}
            body = _internal_error().body()
        elapsed = (time.perf_counter() - started) * 1000
        # Server-Timing: how long the emulator itself took (benchmarks read it).
        return _json(status, body, version, {**headers, "Server-Timing": f"app;dur={elapsed:.3f}"})

    async def _handle(self, request: Request) -> Result:
        path = request.scope.get("path", "")
        method = request.method.upper()
        guard.declared_length(request.headers, self.body_max)
        found = [] if guard.bad_path(path) else _routes(path)
        if not found:
            raise not_found(f"The path `{path[:200]}` was not found.")
        chosen = next(((op, m) for op, m in found if op.method == method), None)
        if chosen is None:
            raise ApiError(
                405,
                INVALID_REQUEST,
                "METHOD_NOT_ALLOWED",
                f"Method {method[:20]} is not allowed on `{path[:200]}`.",
            )
        op, match = chosen
        scopes = self._authenticate(request)
        if op.scope and op.scope not in scopes:  # no scope: any valid token
            raise insufficient_scopes(op.scope)
        body: Body = {}
        if method in ("POST", "PUT"):
            body = await _read_json(request)
        call = Call(
            params={k: v for k, v in match.groupdict().items()},
            query=request.query_params,
            body=body,
            headers=request.headers,
        )
        if op.write:
            with self.store.transaction():
                return op.handler(self, call)
        return op.handler(self, call)

    def _authenticate(self, request: Request) -> frozenset[str]:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized()
        scopes = self.tokens.get(token.strip())
        if scopes is None:
            raise unauthorized()
        return scopes

    # --- idempotency ----------------------------------------------------------------

    def idempotent(
        self, scope: str, key: str | None, request_body: Any, produce: Callable[[], Result]
    ) -> Result:
        """Replay the first response for a key and body; a key reused with another body: 400."""
        if not key:
            return produce()
        fingerprint = _fingerprint(request_body)
        seen = self.store.idempotent_get(scope, key)
        if seen is not None:
            if seen[0] != fingerprint:
                raise bad_request(
                    "IDEMPOTENCY_KEY_REUSED",
                    f"The idempotency key `{key}` was used before with a different request.",
                    "idempotency_key",
                )
            replay: Body = json.loads(seen[2])
            return seen[1], replay
        status, body = produce()
        if status < 300:
            self.store.idempotent_put(
                scope, key, fingerprint, status, json.dumps(body, ensure_ascii=False)
            )
        return status, body

    # --- customers ------------------------------------------------------------------

    def require_customer(self, customer_id: str) -> Body:
        customer = self.store.get_customer(customer_id)
        if customer is None:
            raise customer_not_found(customer_id)
        return customer

    def create_customer(self, changes: Body, source: str = "THIRD_PARTY") -> Body:
        customer: Body = {}
        apply_changes(customer, changes)
        if not rules.has_identity(customer):
            raise rules.missing_identity()
        now = self.now()
        customer.update(
            id=self.new_id(self.store.get_customer),
            created_at=now,
            updated_at=now,
            creation_source=source,
            preferences={"email_unsubscribed": False},
            version=0,
        )
        self.store.put_customer(customer)
        return self.require_customer(customer["id"])

    def update_customer(self, customer_id: str, body: Body, prefix: str = "") -> Body:
        customer = self.require_customer(customer_id)
        changes = rules.customer_changes(body, prefix)
        version = body.get("version")
        if version is not None and version != customer["version"]:
            raise version_mismatch(customer_id)
        apply_changes(customer, changes)
        self.touch(customer)
        self.store.put_customer(customer)
        return self.require_customer(customer_id)

    def touch(self, customer: Body) -> None:
        customer["version"] = int(customer["version"]) + 1
        customer["updated_at"] = self.now()

    def delete_customer(self, customer_id: str, version: int | None) -> None:
        customer = self.require_customer(customer_id)
        if version is not None and version != customer["version"]:
            raise version_mismatch(customer_id)
        self.store.delete_customer(customer_id)

    def bump_customer(self, customer_id: str) -> None:
        customer = self.require_customer(customer_id)
        self.touch(customer)
        self.store.put_customer(customer)


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
                merged = {k: merged[k] for k in rules.ADDRESS_FIELDS if k in merged}
            if merged:
                customer[name] = merged
            else:
                customer.pop(name, None)
        elif value is None:
            customer.pop(name, None)
        else:
            customer[name] = value


async def _read_json(request: Request) -> Body:
    raw = await request.body()
    if not raw.strip():
        return {}
    value = guard.parse_json(raw)
    if not isinstance(value, dict):
        raise bad_request("EXPECTED_OBJECT", "The request body must be a JSON object.")
    return value


def _json(
    status: int, body: Body, version: str, headers: Mapping[str, str] | None = None
) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    all_headers = {"Square-Version": version, **(headers or {})}
    return Response(content, status, headers=all_headers, media_type="application/json")


def _present(body: Body) -> Body:
    """Drop empty values from a response body (Square omits them)."""
    return {k: v for k, v in body.items() if v not in (None, "", [], {})}


def _require(value: Any, field_name: str) -> Any:
    if value is None or value == "":
        raise bad_request(
            "MISSING_REQUIRED_PARAMETER", f"Field `{field_name}` is required.", field_name
        )
    return value


# --- customers: list, search, CRUD --------------------------------------------------------


@operation("ListCustomers", "GET", "/v2/customers", "CUSTOMERS_READ")
def list_customers(emu: Emulator, call: Call) -> Result:
    q = call.query
    limit = rules.check_limit(
        rules.query_int(q, "limit"), rules.LIST_LIMIT_DEFAULT, rules.LIST_LIMIT_MAX
    )
    sort_field = rules.query_enum(q, "sort_field", rules.SORT_FIELDS) or "DEFAULT"
    sort_order = rules.query_enum(q, "sort_order", rules.SORT_ORDERS) or "ASC"
    count = rules.query_bool(q, "count") or False
    query = Query(sort_field=sort_field, descending=sort_order == "DESC")
    query_id = _fingerprint(["ListCustomers", sort_field, sort_order])
    after = _key_cursor(q.get("cursor"), query_id)
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


@operation("SearchCustomers", "POST", "/v2/customers/search", "CUSTOMERS_READ")
def search_customers(emu: Emulator, call: Call) -> Result:
    body = call.body
    rules.check_type(body, rules.SEARCH_CUSTOMERS)
    limit = rules.check_limit(body.get("limit"), rules.LIST_LIMIT_DEFAULT, rules.LIST_LIMIT_MAX)
    raw_query = body.get("query") or {}
    query = parse_search_query(emu.store, raw_query)
    query_id = _fingerprint(
        ["SearchCustomers", raw_query.get("filter") or {}, query.sort_field, query.descending]
    )
    after = _key_cursor(body.get("cursor"), query_id)
    page = emu.store.search(query, after=after, limit=limit)
    count = page.total if body.get("count") else None
    return 200, _page_body(page.customers, page.last_key, query_id, count)


def _text_filter(raw: Body | None, path: str) -> TextFilter | None:
    if not raw:
        return None
    exact, fuzzy = raw.get("exact"), raw.get("fuzzy")
    if exact is not None and fuzzy is not None:
        raise bad_request(
            "BAD_REQUEST", f"Only one of `exact` and `fuzzy` may be set in `{path}`.", path
        )
    if exact is None and fuzzy is None:
        return None
    rules.check_max(exact, rules.FILTER_TEXT_MAX, f"{path}.exact")
    rules.check_max(fuzzy, rules.FILTER_TEXT_MAX, f"{path}.fuzzy")
    return TextFilter(exact=exact, fuzzy=fuzzy)


def _time_range(raw: Body | None, path: str) -> tuple[str | None, str | None] | None:
    if not raw:
        return None
    start = raw.get("start_at")
    end = raw.get("end_at")
    lo = rules.parse_time(start, f"{path}.start_at") if start else None
    hi = rules.parse_time(end, f"{path}.end_at") if end else None
    if lo is not None and hi is not None and hi < lo:
        raise bad_request(
            "INVALID_TIME_RANGE", f"`{path}.end_at` is before `{path}.start_at`.", path
        )
    if lo is None and hi is None:
        return None
    return (lo, hi)


def parse_search_query(store: Store, raw: Body) -> Query:
    """Validate SearchCustomers' `query` (already type-checked) into a `Query`."""
    flt: Body = raw.get("filter") or {}
    sort: Body = raw.get("sort") or {}
    base = "query.filter"
    query = Query(
        email=_text_filter(flt.get("email_address"), f"{base}.email_address"),
        phone=_text_filter(flt.get("phone_number"), f"{base}.phone_number"),
        reference=_text_filter(flt.get("reference_id"), f"{base}.reference_id"),
        created=_time_range(flt.get("created_at"), f"{base}.created_at"),
        updated=_time_range(flt.get("updated_at"), f"{base}.updated_at"),
        sort_field=sort.get("field") or "DEFAULT",
        descending=(sort.get("order") or "ASC") == "DESC",
    )
    source = flt.get("creation_source")
    if source and source.get("values"):
        query.sources = frozenset(source["values"])
        query.source_rule = source.get("rule") or "INCLUDE"
    if flt.get("custom_attribute"):
        raise bad_request(
            "BAD_REQUEST",
            "Custom attribute filters are not supported by the emulator.",
            f"{base}.custom_attribute",
        )
    groups = flt.get("group_ids")
    if groups:
        known = {g["id"] for g in store.list_groups()}
        for part in ("any", "all", "none"):
            ids = groups.get(part)
            if ids is None:
                continue
            if any(i not in known for i in ids):
                query.empty = True  # unknown group ids: an empty result, not an error
            setattr(query, f"groups_{part}", frozenset(ids))
    segments = flt.get("segment_ids")
    if segments:
        # Up to three segment ids in the whole filter, in any mix of all / any / none.
        given = sum(len(segments.get(part) or ()) for part in ("any", "all", "none"))
        if given > rules.SEGMENT_FILTER_MAX:
            raise bad_request(
                "ARRAY_LENGTH_TOO_LONG",
                f"`{base}.segment_ids` may hold at most {rules.SEGMENT_FILTER_MAX} segment "
                f"ids in all, `any`, `all` and `none` together ({given} given).",
                f"{base}.segment_ids",
            )
        for part in ("any", "all", "none"):
            ids = segments.get(part)
            if ids is None:
                continue
            path = f"{base}.segment_ids.{part}"
            for segment_id in ids:
                if store.get_segment(segment_id) is None:
                    raise bad_request(
                        "BAD_REQUEST", f"Segment with ID `{segment_id}` was not found.", path
                    )
            setattr(query, f"segments_{part}", frozenset(ids))
    if query.email and query.email.exact is not None and not query.email.exact.strip():
        query.empty = True
    return query


@operation("CreateCustomer", "POST", "/v2/customers", "CUSTOMERS_WRITE")
def create_customer(emu: Emulator, call: Call) -> Result:
    body = call.body
    rules.check_type(body, rules.CREATE_CUSTOMER)
    rules.check_max(body.get("idempotency_key"), rules.OTHER_KEY_MAX, "idempotency_key")
    changes = rules.customer_changes(body)

    def produce() -> Result:
        return 200, {"customer": emu.create_customer(changes)}

    return emu.idempotent("CreateCustomer", body.get("idempotency_key"), body, produce)


@operation("RetrieveCustomer", "GET", "/v2/customers/{customer_id}", "CUSTOMERS_READ")
def retrieve_customer(emu: Emulator, call: Call) -> Result:
    return 200, {"customer": emu.require_customer(call.params["customer_id"])}


@operation("UpdateCustomer", "PUT", "/v2/customers/{customer_id}", "CUSTOMERS_WRITE")
def update_customer(emu: Emulator, call: Call) -> Result:
    rules.check_type(call.body, rules.UPDATE_CUSTOMER)
    return 200, {"customer": emu.update_customer(call.params["customer_id"], call.body)}


@operation("DeleteCustomer", "DELETE", "/v2/customers/{customer_id}", "CUSTOMERS_WRITE")
def delete_customer(emu: Emulator, call: Call) -> Result:
    version = rules.query_int(call.query, "version")
    emu.delete_customer(call.params["customer_id"], version)
    return 200, {}


# --- bulk -----------------------------------------------------------------------------------


def _bulk_size(count: int, field_name: str, is_map: bool) -> None:
    if count < rules.BULK_MIN:
        raise bad_request(
            "ARRAY_LENGTH_TOO_SHORT",
            f"`{field_name}` must hold at least {rules.BULK_MIN} entry.",
            field_name,
        )
    if count > rules.BULK_MAX:
        raise bad_request(
            "TOO_MANY_MAP_ENTRIES" if is_map else "ARRAY_LENGTH_TOO_LONG",
            f"`{field_name}` may hold at most {rules.BULK_MAX} entries.",
            field_name,
        )


def _map_keys(entries: Body, field_name: str, limit: int) -> None:
    """Keys of a bulk map: 1 to `limit` characters (MAP_KEY_LENGTH_TOO_SHORT / _LONG)."""
    for key in entries:
        if not key or len(key) > limit:
            code = "MAP_KEY_LENGTH_TOO_LONG" if key else "MAP_KEY_LENGTH_TOO_SHORT"
            raise bad_request(
                code, f"Keys of `{field_name}` must have 1 to {limit} characters.", field_name
            )


def _entry(run: Callable[[], Body]) -> Body:
    """One entry of a bulk call: its result, or its errors (the batch goes on)."""
    try:
        return run()
    except ApiError as exc:
        return {"errors": exc.errors}


@operation("BulkCreateCustomers", "POST", "/v2/customers/bulk-create", "CUSTOMERS_WRITE")
def bulk_create(emu: Emulator, call: Call) -> Result:
    body = call.body
    customers = _require(body.get("customers"), "customers")
    rules.check_type(customers, ("map", ("object", {})), "customers")
    _bulk_size(len(customers), "customers", True)
    _map_keys(customers, "customers", rules.OTHER_KEY_MAX)
    responses: Body = {}
    for key, data in customers.items():

        def one(key: str = key, data: Body = data) -> Body:
            rules.check_type(data, ("object", rules.CUSTOMER_FIELDS))
            changes = rules.customer_changes(data)

            def produce() -> Result:
                return 200, {"customer": emu.create_customer(changes)}

            return emu.idempotent("BulkCreateCustomers", key, data, produce)[1]

        responses[key] = _entry(one)
    return 200, {"responses": responses}


@operation("BulkUpdateCustomers", "POST", "/v2/customers/bulk-update", "CUSTOMERS_WRITE")
def bulk_update(emu: Emulator, call: Call) -> Result:
    customers = _require(call.body.get("customers"), "customers")
    rules.check_type(customers, ("map", ("object", {})), "customers")
    _bulk_size(len(customers), "customers", True)
    _map_keys(customers, "customers", rules.ID_MAX)
    responses: Body = {}
    for customer_id, data in customers.items():

        def one(customer_id: str = customer_id, data: Body = data) -> Body:
            rules.check_type(data, rules.UPDATE_CUSTOMER)
            return {"customer": emu.update_customer(customer_id, data)}

        responses[customer_id] = _entry(one)
    return 200, {"responses": responses}


def _bulk_ids(body: Body) -> list[str]:
    ids = _require(body.get("customer_ids"), "customer_ids")
    rules.check_type(body, rules.BULK_IDS)
    _bulk_size(len(ids), "customer_ids", False)
    for i, customer_id in enumerate(ids):
        rules.check_max(customer_id, rules.ID_MAX, f"customer_ids[{i}]")
    return list(dict.fromkeys(ids))  # one response per id


@operation("BulkDeleteCustomers", "POST", "/v2/customers/bulk-delete", "CUSTOMERS_WRITE")
def bulk_delete(emu: Emulator, call: Call) -> Result:
    responses: Body = {}
    for customer_id in _bulk_ids(call.body):

        def one(customer_id: str = customer_id) -> Body:
            emu.delete_customer(customer_id, None)
            return {}

        responses[customer_id] = _entry(one)
    return 200, {"responses": responses}


@operation("BulkRetrieveCustomers", "POST", "/v2/customers/bulk-retrieve", "CUSTOMERS_READ")
def bulk_retrieve(emu: Emulator, call: Call) -> Result:
    responses: Body = {}
    for customer_id in _bulk_ids(call.body):

        def one(customer_id: str = customer_id) -> Body:
            return {"customer": emu.require_customer(customer_id)}

        responses[customer_id] = _entry(one)
    return 200, {"responses": responses}


# --- groups ---------------------------------------------------------------------------------


def _group_not_found(group_id: str) -> ApiError:
    return not_found(f"Customer group with ID `{group_id}` not found.", "group_id")


def _require_group(emu: Emulator, group_id: str) -> Body:
    group = emu.store.get_group(group_id)
    if group is None:
        raise _group_not_found(group_id)
    return group


def _group_name(body: Body) -> str:
    rules.check_type(body, rules.GROUP_BODY)
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
    rules.check_max(name, rules.GROUP_NAME_MAX, "group.name")
    rules.check_max(body.get("idempotency_key"), rules.OTHER_KEY_MAX, "idempotency_key")
    return str(name)


@operation("ListCustomerGroups", "GET", "/v2/customers/groups", "CUSTOMERS_READ")
def list_groups(emu: Emulator, call: Call) -> Result:
    return _offset_page(call, "ListCustomerGroups", "groups", emu.store.list_groups())


def _offset_page(call: Call, operation: str, key: str, items: list[Any]) -> Result:
    """A page of a short list (groups, segments): `limit` 1–50, an offset cursor."""
    limit = rules.check_limit(
        rules.query_int(call.query, "limit"), rules.GROUPS_LIMIT_DEFAULT, rules.GROUPS_LIMIT_MAX
    )
    query_id = _fingerprint([operation])
    start = _offset_cursor(call.query.get("cursor"), query_id)
    chunk = items[start : start + limit]
    body: Body = {}
    if chunk:
        body[key] = chunk
    if start + limit < len(items):
        body["cursor"] = encode_cursor(query_id, start + limit)
    return 200, body


@operation("CreateCustomerGroup", "POST", "/v2/customers/groups", "CUSTOMERS_WRITE")
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


@operation("RetrieveCustomerGroup", "GET", "/v2/customers/groups/{group_id}", "CUSTOMERS_READ")
def retrieve_group(emu: Emulator, call: Call) -> Result:
    return 200, {"group": _require_group(emu, call.params["group_id"])}


@operation("UpdateCustomerGroup", "PUT", "/v2/customers/groups/{group_id}", "CUSTOMERS_WRITE")
def update_group(emu: Emulator, call: Call) -> Result:
    group = _require_group(emu, call.params["group_id"])
    group["name"] = _group_name(call.body)
    group["updated_at"] = emu.now()
    emu.store.put_group(group)
    return 200, {"group": group}


@operation("DeleteCustomerGroup", "DELETE", "/v2/customers/groups/{group_id}", "CUSTOMERS_WRITE")
def delete_group(emu: Emulator, call: Call) -> Result:
    group_id = call.params["group_id"]
    _require_group(emu, group_id)
    for customer_id in emu.store.delete_group(group_id):
        emu.bump_customer(customer_id)  # a membership change is a committed update
    return 200, {}


@operation(
    "AddGroupToCustomer", "PUT", "/v2/customers/{customer_id}/groups/{group_id}", "CUSTOMERS_WRITE"
)
def add_group(emu: Emulator, call: Call) -> Result:
    customer_id, group_id = call.params["customer_id"], call.params["group_id"]
    emu.require_customer(customer_id)
    _require_group(emu, group_id)
    if emu.store.set_membership(customer_id, group_id, True):
        emu.bump_customer(customer_id)
    return 200, {}


@operation(
    "RemoveGroupFromCustomer",
    "DELETE",
    "/v2/customers/{customer_id}/groups/{group_id}",
    "CUSTOMERS_WRITE",
)
def remove_group(emu: Emulator, call: Call) -> Result:
    customer_id, group_id = call.params["customer_id"], call.params["group_id"]
    emu.require_customer(customer_id)
    _require_group(emu, group_id)
    if emu.store.set_membership(customer_id, group_id, False):
        emu.bump_customer(customer_id)
    return 200, {}


# --- segments -------------------------------------------------------------------------------


@operation("ListCustomerSegments", "GET", "/v2/customers/segments", "CUSTOMERS_READ")
def list_segments(emu: Emulator, call: Call) -> Result:
    return _offset_page(call, "ListCustomerSegments", "segments", emu.store.list_segments())


@operation(
    "RetrieveCustomerSegment", "GET", "/v2/customers/segments/{segment_id}", "CUSTOMERS_READ"
)
def retrieve_segment(emu: Emulator, call: Call) -> Result:
    segment_id = call.params["segment_id"]
    segment = emu.store.get_segment(segment_id)
    if segment is None:
        raise not_found(f"Customer segment with ID `{segment_id}` not found.", "segment_id")
    return 200, {"segment": segment}


# --- cards ----------------------------------------------------------------------------------

# Sandbox test values: nonce -> (status, category, code) for the refused ones.
_REFUSED_NONCES: dict[str, tuple[int, str, str]] = {
    "cnon:card-nonce-declined": (402, PAYMENT_METHOD, "CARD_DECLINED"),
    "cnon:card-nonce-rejected-cvv": (402, PAYMENT_METHOD, "VERIFY_CVV_FAILURE"),
    "cnon:card-nonce-rejected-postalcode": (402, PAYMENT_METHOD, "VERIFY_AVS_FAILURE"),
    "cnon:card-nonce-rejected-expiration": (400, PAYMENT_METHOD, "INVALID_EXPIRATION"),
    "cnon:card-nonce-already-used": (400, INVALID_REQUEST, "CARD_TOKEN_USED"),
}
OK_NONCE = "cnon:card-nonce-ok"
_PAYMENT_ID = re.compile(r"[A-Za-z0-9]{20,40}")


def _source_kind(source: str) -> str:
    """'ok' for a usable test nonce, 'payment' for a payment id, else 'invalid'.

    Besides `cnon:card-nonce-ok` itself, any `cnon:card-nonce-ok-<suffix>` is an
    emulator-only fresh nonce, so that a demo can keep adding cards.
    """
    if source == OK_NONCE or source.startswith(OK_NONCE + "-"):
        return "ok"
    if _PAYMENT_ID.fullmatch(source):
        return "payment"
    return "invalid"


def _refuse_source(source: str, field_name: str) -> None:
    refused = _REFUSED_NONCES.get(source)
    if refused is not None:
        status, category, code = refused
        raise ApiError(status, category, code, f"The card was refused ({code}).", field_name)
    if _source_kind(source) == "invalid":
        raise bad_request("INVALID_CARD_DATA", "Invalid card data.", field_name)


def _make_card(
    emu: Emulator,
    source: str,
    customer_id: str,
    cardholder_name: str | None,
    billing_address: Body | None,
    reference_id: str | None,
) -> Body:
    now = emu.clock()
    is_payment = _source_kind(source) == "payment"
    address = {"postal_code": "94103", **(rules.clean_address(billing_address or {}))}
    address = {k: address[k] for k in rules.ADDRESS_FIELDS if address.get(k)}
    card_id = ""
    while not card_id or emu.store.get_card(card_id) is not None:
        card_id = rules.new_card_id(emu.rng)
    card: Body = {
        "id": card_id,
        "card_brand": "VISA",
        "last_4": "1111" if is_payment else "5858",
        "exp_month": now.month,
        "exp_year": now.year + 2,
        "cardholder_name": cardholder_name,
        "billing_address": address,
        "fingerprint": "sq-1-" + hashlib.sha256(source.encode()).hexdigest()[:40],
        "customer_id": customer_id,
        "merchant_id": rules.MERCHANT_ID,
        "reference_id": reference_id,
        "enabled": True,
        "card_type": "CREDIT",
        "prepaid_type": "NOT_PREPAID",
        "bin": "411111" if is_payment else "453275",
        "version": 1,
        "hsa_fsa": False,
    }
    card = {k: v for k, v in card.items() if v not in (None, "", {})}
    emu.store.put_card(card, rules.format_ts(now))
    emu.store.use_source(source, card_id)
    return card


def _require_card(emu: Emulator, card_id: str) -> Body:
    card = emu.store.get_card(card_id)
    if card is None:
        raise not_found(f"Card with ID `{card_id}` not found.", "card_id")
    return card


@operation("ListCards", "GET", "/v2/cards", "PAYMENTS_READ")
def list_cards(emu: Emulator, call: Call) -> Result:
    q = call.query
    include_disabled = rules.query_bool(q, "include_disabled") or False
    sort_order = rules.query_enum(q, "sort_order", rules.SORT_ORDERS) or "ASC"
    customer_id = q.get("customer_id") or None
    reference_id = q.get("reference_id") or None
    query_id = _fingerprint(["ListCards", customer_id, reference_id, include_disabled, sort_order])
    start = _offset_cursor(q.get("cursor"), query_id)
    cards = emu.store.list_cards(
        customer_id=customer_id,
        reference_id=reference_id,
        include_disabled=include_disabled,
        descending=sort_order == "DESC",
    )
    size = rules.CARDS_PAGE_SIZE
    body: Body = {}
    if cards[start : start + size]:
        body["cards"] = cards[start : start + size]
    if start + size < len(cards):
        body["cursor"] = encode_cursor(query_id, start + size)
    return 200, body


@operation("CreateCard", "POST", "/v2/cards", "PAYMENTS_WRITE")
def create_card(emu: Emulator, call: Call) -> Result:
    body = call.body
    rules.check_type(body, rules.CREATE_CARD)
    key = _require(body.get("idempotency_key"), "idempotency_key")
    if len(key) > rules.IDEMPOTENCY_KEY_MAX:
        raise bad_request(
            "VALUE_TOO_LONG",
            f"`idempotency_key` must be at most {rules.IDEMPOTENCY_KEY_MAX} characters.",
            "idempotency_key",
        )
    source = _require(body.get("source_id"), "source_id")
    rules.check_max(source, rules.SOURCE_ID_MAX, "source_id")
    card_in: Body = _require(body.get("card"), "card")
    customer_id = _require(card_in.get("customer_id"), "card.customer_id")
    name = card_in.get("cardholder_name")
    if name and len(name) > rules.CARDHOLDER_NAME_MAX:
        raise bad_request(
            "VALUE_TOO_LONG",
            f"`card.cardholder_name` must be at most {rules.CARDHOLDER_NAME_MAX} characters.",
            "card.cardholder_name",
        )
    ref = card_in.get("reference_id")
    if ref and len(ref) > rules.CARD_REFERENCE_ID_MAX:
        raise bad_request(
            "VALUE_TOO_LONG",
            f"`card.reference_id` must be at most {rules.CARD_REFERENCE_ID_MAX} characters.",
            "card.reference_id",
        )
    rules.clean_address(card_in.get("billing_address") or {}, "card.billing_address")

    def produce() -> Result:
        if emu.store.get_customer(customer_id) is None:
            raise ApiError(
                404,
                INVALID_REQUEST,
                "CUSTOMER_NOT_FOUND",
                f"Customer with ID `{customer_id}` not found.",
                "card.customer_id",
            )
        _refuse_source(source, "source_id")
        if emu.store.source_card(source) is not None:
            raise bad_request("SOURCE_USED", "The source was already used.", "source_id")
        card = _make_card(
            emu, source, customer_id, name, card_in.get("billing_address"), ref or None
        )
        return 200, {"card": card}

    return emu.idempotent("CreateCard", key, body, produce)


@operation("RetrieveCard", "GET", "/v2/cards/{card_id}", "PAYMENTS_READ")
def retrieve_card(emu: Emulator, call: Call) -> Result:
    return 200, {"card": _require_card(emu, call.params["card_id"])}


@operation("DisableCard", "POST", "/v2/cards/{card_id}/disable", "PAYMENTS_WRITE")
def disable_card(emu: Emulator, call: Call) -> Result:
    card = _require_card(emu, call.params["card_id"])
    if card.get("enabled"):
        card["enabled"] = False
        card["version"] = int(card.get("version", 1)) + 1
        emu.store.put_card(card)
    return 200, {"card": card}


@operation("CreateCustomerCard", "POST", "/v2/customers/{customer_id}/cards", "CUSTOMERS_WRITE")
def create_customer_card(emu: Emulator, call: Call) -> Result:
    body = call.body
    rules.check_type(body, rules.CREATE_CUSTOMER_CARD)
    customer_id = call.params["customer_id"]
    nonce = _require(body.get("card_nonce"), "card_nonce")
    rules.check_max(nonce, rules.SOURCE_ID_MAX, "card_nonce")
    rules.check_max(body.get("cardholder_name"), rules.CARDHOLDER_NAME_MAX, "cardholder_name")
    rules.clean_address(body.get("billing_address") or {}, "billing_address")
    emu.require_customer(customer_id)
    _refuse_source(nonce, "card_nonce")
    used = emu.store.source_card(nonce)
    if used is not None:  # idempotent per nonce: the same nonce gives the same card
        card = _require_card(emu, used)
        if card.get("customer_id") != customer_id:
            raise bad_request("CARD_TOKEN_USED", "The card nonce was already used.", "card_nonce")
        return 200, {"card": card}
    card = _make_card(
        emu, nonce, customer_id, body.get("cardholder_name"), body.get("billing_address"), None
    )
    return 200, {"card": card}


@operation(
    "DeleteCustomerCard",
    "DELETE",
    "/v2/customers/{customer_id}/cards/{card_id}",
    "CUSTOMERS_WRITE",
)
def delete_customer_card(emu: Emulator, call: Call) -> Result:
    customer_id, card_id = call.params["customer_id"], call.params["card_id"]
    emu.require_customer(customer_id)
    card = emu.store.get_card(card_id)
    if card is None or card.get("customer_id") != customer_id:
        raise not_found(f"Card with ID `{card_id}` not found.", "card_id")
    if card.get("enabled"):
        card["enabled"] = False
        card["version"] = int(card.get("version", 1)) + 1
        emu.store.put_card(card)
    return 200, {}


operation("RetrieveTokenStatus", "POST", "/oauth2/token/status", "")(retrieve_token_status)


# --- the app --------------------------------------------------------------------------------


def server_error(status: int = 500) -> ApiError:
    code = {500: "INTERNAL_SERVER_ERROR", 503: "SERVICE_UNAVAILABLE"}.get(status, "BAD_GATEWAY")
    return ApiError(status, API, code, "An internal error occurred (emulated fault).")


def create_app(
    store: Store,
    *,
    tokens: Mapping[str, frozenset[str]] | None = None,
    faults: Faults | None = None,
    clock: Clock | None = None,
    id_seed: int | None = None,
    body_max: int = guard.BODY_MAX,
    body_timeout: float = guard.BODY_TIMEOUT,
) -> Starlette:
    """The emulator as an ASGI app over `store`.

    `tokens` maps bearer tokens to scopes (default: DEMO_TOKEN with every scope and
    DEMO_READONLY_TOKEN with read scopes); `faults` injects latency, errors, rate limits,
    dropped connections and list/search lag; `clock` stamps every write; `id_seed` makes
    the ids of new objects deterministic (tests); `body_max` (bytes) and `body_timeout`
    (seconds) bound each request body (see `guard`).
    """
    the_clock = clock or _utcnow
    rng = random.Random(id_seed) if id_seed is not None else random.Random()
    emulator = Emulator(
        store,
        tokens if tokens is not None else DEFAULT_TOKENS,
        the_clock,
        rng,
        body_max=body_max,
        body_timeout=body_timeout,
    )
    store.index.clock = the_clock
    store.index.lag_seconds = faults.lag_seconds if faults else 0.0
    # No routes: every method on every path reaches `Emulator.asgi`, which answers in
    # Square's envelope (Starlette's own 404 / 405 are plain text).
    app = EmulatorApp(routes=[], exception_handlers={Exception: _last_resort})
    app.router.default = emulator.asgi
    app.state.emulator = emulator
    app.state.store = store
    if faults is not None and faults.active():
        app.faults = FaultsMiddleware(
            app.inner, faults=faults, clock=the_clock, is_write=is_write_request
        )
    return app


def _internal_error() -> ApiError:
    return ApiError(500, API, "INTERNAL_SERVER_ERROR", "The emulator failed on this request.")


async def _last_resort(request: Request, exc: Exception) -> Response:
    """Starlette's handler for an exception nothing else caught: a 500 in Square's envelope."""
    version = request.headers.get("square-version") or SQUARE_VERSION
    return _json(500, _internal_error().body(), version)


def is_write_request(method: str, path: str) -> bool:
    """Whether `method path` is one of the write operations (a POST search is a read)."""
    return any(op.write and op.method == method.upper() for op, _ in _routes(path))


class EmulatorApp(Starlette):
    """Starlette with the fault layer outermost, where it sees the server's own `send`."""

    faults: FaultsMiddleware | None = None

    async def inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.faults is not None:
            await self.faults(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


__all__ = ["DEFAULT_TOKENS", "Emulator", "create_app"]
