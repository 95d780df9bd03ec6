"""Hostile input (issue 8, point 3): every case answers a 4xx in Square's envelope, the
database stays intact and the emulator goes on serving. In-process over ASGI; the cases
that need a real HTTP server (raw request lines, bodies that never arrive) are in
test_hostile_wire.py."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.emulator import guard, limits
from app.emulator.store import Store

from .conftest import ClientFactory, create

ERROR_CODES = frozenset(
    {
        "BAD_REQUEST",
        "VALUE_TOO_LONG",
        "VALUE_TOO_HIGH",
        "VALUE_TOO_LOW",
        "INVALID_TIME",
        "NOT_FOUND",
        "METHOD_NOT_ALLOWED",
        "REQUEST_ENTITY_TOO_LARGE",
        "REQUEST_TIMEOUT",
        "EXPECTED_OBJECT",
        "EXPECTED_STRING",
        "EXPECTED_INTEGER",
        "MAP_KEY_LENGTH_TOO_LONG",
        "INVALID_CURSOR",
    }
)


def assert_envelope(response: httpx.Response, status: int | None = None) -> dict[str, str]:
    """A 4xx (or exactly `status`) with Square's envelope: one error, category and code."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    if status is not None:
        assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"}, body
    (error,) = body["errors"]
    assert error["category"] == "INVALID_REQUEST_ERROR", error
    assert error["code"] in ERROR_CODES, error
    assert isinstance(error["detail"], str) and error["detail"], error
    return dict(error)


def integrity_ok(store: Store) -> bool:
    with sqlite3.connect(store.path) as conn:
        return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


@pytest.fixture
async def api(make_client: ClientFactory, store: Store) -> AsyncIterator[httpx.AsyncClient]:
    """A client with one customer and one group in place; after the test, the store is
    intact and a normal request is still served."""
    async with make_client() as client:
        customer = await create(client, given_name="Ada", email_address="ada@example.com")
        group = await client.post("/v2/customers/groups", json={"group": {"name": "VIP"}})
        client.headers["x-customer"] = customer["id"]
        client.headers["x-group"] = group.json()["group"]["id"]
        yield client
        assert integrity_ok(store)
        after = await client.get(f"/v2/customers/{customer['id']}")
        assert after.status_code == 200 and after.json()["customer"]["given_name"] == "Ada"
        listed = await client.get("/v2/customers", params={"count": "true"})
        assert listed.status_code == 200 and listed.json()["count"] >= 1


def _path(client: httpx.AsyncClient, path: str) -> str:
    return path.format(cid=client.headers["x-customer"], gid=client.headers["x-group"])


async def _raw(
    client: httpx.AsyncClient, method: str, path: str, raw: bytes | str
) -> httpx.Response:
    content = raw.encode() if isinstance(raw, str) else raw
    headers = {"content-type": "application/json"}
    return await client.request(method, _path(client, path), content=content, headers=headers)


SURROGATE = '"\\ud800"'
STRING_SITES = [
    ("POST", "/v2/customers", '{"given_name": %s}'),
    ("POST", "/v2/customers", '{"given_name": "A", "note": %s}'),
    ("POST", "/v2/customers", '{"given_name": "A", "unknown_field": %s}'),
    ("POST", "/v2/customers", '{%s: 1, "given_name": "A"}'),
    ("POST", "/v2/customers", '{"given_name": "A", "idempotency_key": %s}'),
    ("PUT", "/v2/customers/{cid}", '{"family_name": %s}'),
    ("PUT", "/v2/customers/{cid}", '{"address": {"locality": %s}}'),
    ("POST", "/v2/customers/search", '{"query": {"filter": {"email_address": {"fuzzy": %s}}}}'),
    ("POST", "/v2/customers/search", '{"cursor": %s}'),
    ("POST", "/v2/customers/bulk-create", '{"customers": {"k1": {"given_name": %s}}}'),
    ("POST", "/v2/customers/bulk-create", '{"customers": {%s: {"given_name": "B"}}}'),
    ("POST", "/v2/customers/bulk-update", '{"customers": {"{cid}": {"note": %s}}}'),
    ("POST", "/v2/customers/bulk-delete", '{"customer_ids": [%s]}'),
    ("POST", "/v2/customers/bulk-retrieve", '{"customer_ids": [%s]}'),
    ("POST", "/v2/customers/groups", '{"group": {"name": %s}}'),
    ("PUT", "/v2/customers/groups/{gid}", '{"group": {"name": %s}}'),
    ("POST", "/v2/cards", '{"idempotency_key": "k", "source_id": %s, "card": {}}'),
    ("POST", "/v2/customers/{cid}/cards", '{"card_nonce": "cnon:card-nonce-ok", '
     '"cardholder_name": %s}'),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "template"), STRING_SITES)
async def test_a_lone_surrogate_in_any_string_is_refused(
    api: httpx.AsyncClient, method: str, path: str, template: str
) -> None:
    body = template.replace("{cid}", api.headers["x-customer"]) % SURROGATE
    error = assert_envelope(await _raw(api, method, path, body), 400)
    assert error["code"] == "BAD_REQUEST"
    assert "surrogate" in error["detail"]


@pytest.mark.parametrize("depth", [guard.JSON_DEPTH_MAX + 1, 1_000, 100_000])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v2/customers"),
        ("PUT", "/v2/customers/{cid}"),
        ("POST", "/v2/customers/search"),
        ("POST", "/v2/customers/bulk-create"),
        ("POST", "/v2/customers/groups"),
    ],
)
async def test_deeply_nested_json_is_refused(
    api: httpx.AsyncClient, method: str, path: str, depth: int
) -> None:
    for nested in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        body = '{"given_name": "A", "note": ' + nested + "}"
        error = assert_envelope(await _raw(api, method, path, body), 400)
        assert error["code"] == "BAD_REQUEST"
        assert "nested deeper" in error["detail"]


async def test_nesting_within_the_bound_is_accepted(api: httpx.AsyncClient) -> None:
    depth = guard.JSON_DEPTH_MAX - 1  # the body object itself is one level
    body = '{"given_name": "Deep", "x": ' + "[" * depth + "]" * depth + "}"
    response = await _raw(api, "POST", "/v2/customers", body)
    assert response.status_code == 200, response.text
    assert response.json()["customer"]["given_name"] == "Deep"


EDGE_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "0000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-01-01T25:00:00Z",
]


@pytest.mark.parametrize("moment", EDGE_TIMES)
@pytest.mark.parametrize("range_field", ["created_at", "updated_at"])
@pytest.mark.parametrize("end", ["start_at", "end_at"])
async def test_timestamps_past_the_calendar_edge_are_invalid_time(
    api: httpx.AsyncClient, moment: str, range_field: str, end: str
) -> None:
    body = {"query": {"filter": {range_field: {end: moment}}}}
    error = assert_envelope(await api.post("/v2/customers/search", json=body), 400)
    assert error["code"] == "INVALID_TIME"
    assert error["field"] == f"query.filter.{range_field}.{end}"


async def test_the_calendar_edges_themselves_still_search(api: httpx.AsyncClient) -> None:
    window = {"start_at": "0001-01-01T00:00:00Z", "end_at": "9999-12-31T23:59:59Z"}
    body = {"query": {"filter": {"created_at": window}}, "count": True}
    response = await api.post("/v2/customers/search", json=body)
    assert response.status_code == 200 and response.json()["count"] >= 1


HUGE = "9" * 5_000


@pytest.mark.parametrize(
    ("path", "param", "code"),
    [
        ("/v2/customers", HUGE, "VALUE_TOO_HIGH"),
        ("/v2/customers", "-" + HUGE, "VALUE_TOO_LOW"),
        ("/v2/customers/groups", HUGE, "VALUE_TOO_HIGH"),
        ("/v2/customers/segments", HUGE, "VALUE_TOO_HIGH"),
    ],
)
async def test_a_5000_digit_limit_in_the_query_string(
    api: httpx.AsyncClient, path: str, param: str, code: str
) -> None:
    error = assert_envelope(await api.get(path, params={"limit": param}), 400)
    assert (error["code"], error["field"]) == (code, "limit")


async def test_a_5000_digit_version_on_delete(api: httpx.AsyncClient) -> None:
    response = await api.delete(_path(api, "/v2/customers/{cid}"), params={"version": HUGE})
    assert assert_envelope(response, 400)["field"] == "version"


@pytest.mark.parametrize("digits", [HUGE, "9" * 31, "-" + HUGE])
async def test_a_huge_integer_in_a_body(api: httpx.AsyncClient, digits: str) -> None:
    response = await _raw(api, "POST", "/v2/customers/search", '{"limit": ' + digits + "}")
    assert assert_envelope(response, 400)["code"] == "BAD_REQUEST"
    response = await _raw(api, "PUT", "/v2/customers/{cid}", '{"note": "x", "version": ' +
                          digits + "}")  # fmt: skip
    assert assert_envelope(response, 400)["code"] == "BAD_REQUEST"


async def test_a_long_but_parseable_limit_in_a_body_is_too_high(api: httpx.AsyncClient) -> None:
    response = await _raw(api, "POST", "/v2/customers/search", '{"limit": ' + "9" * 30 + "}")
    error = assert_envelope(response, 400)
    assert (error["code"], error["field"]) == ("VALUE_TOO_HIGH", "limit")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
async def test_non_json_numbers(api: httpx.AsyncClient, literal: str) -> None:
    response = await _raw(api, "POST", "/v2/customers/search", '{"limit": ' + literal + "}")
    assert_envelope(response, 400)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v2/customers/bulk-create", {"customers": {"k1": None}}, "customers.k1"),
        ("/v2/customers/bulk-create", {"customers": {"k1": {"given_name": "A"}, "k2": None}},
         "customers.k2"),
        ("/v2/customers/bulk-update", {"customers": {"{cid}": None}}, "customers.{cid}"),
        ("/v2/customers/bulk-delete", {"customer_ids": [None]}, "customer_ids[0]"),
        ("/v2/customers/bulk-retrieve", {"customer_ids": ["{cid}", None]}, "customer_ids[1]"),
        ("/v2/customers/search", {"query": {"filter": {"group_ids": {"any": [None]}}}},
         "query.filter.group_ids.any[0]"),
        ("/v2/customers/search",
         {"query": {"filter": {"creation_source": {"values": [None]}}}},
         "query.filter.creation_source.values[0]"),
    ],
)  # fmt: skip
async def test_a_null_entry_in_a_bulk_map_or_list(
    api: httpx.AsyncClient, store: Store, path: str, body: dict[str, Any], field: str
) -> None:
    cid = api.headers["x-customer"]
    raw = json.dumps(body).replace("{cid}", cid)
    before = store.customer_count()
    response = await _raw(api, "POST", path, raw)
    error = assert_envelope(response, 400)
    assert error["code"].startswith("EXPECTED_")
    assert error["field"] == field.replace("{cid}", cid)
    assert store.customer_count() == before  # nothing of the batch was applied


@pytest.mark.parametrize("method", ["TRACE", "PATCH", "OPTIONS", "CONNECT", "FOO"])
@pytest.mark.parametrize("path", ["/v2/customers", "/v2/customers/{cid}", "/nowhere"])
async def test_any_other_method_on_any_path(api: httpx.AsyncClient, method: str, path: str) -> None:
    response = await api.request(method, _path(api, path))
    error = assert_envelope(response)
    expected = ("NOT_FOUND", 404) if path == "/nowhere" else ("METHOD_NOT_ALLOWED", 405)
    assert (error["code"], response.status_code) == expected


@pytest.mark.parametrize(
    "path",
    ["/", "/v1/customers", "/v2", "/v2/customers/{cid}/nothing", "/v2/cards/x/y/z",
     "/v2/customers%0a", "/v2/customers/{cid}%0a", "/v2/customers/{cid}%00",
     "/v2/customers/%00", "/v2/customers\u202e", "/v2/customers/%ff%fe", "/v2/customers/%7f"],
)  # fmt: skip
async def test_unknown_or_control_character_paths_are_not_found(
    api: httpx.AsyncClient, path: str
) -> None:
    for method in ("GET", "POST", "DELETE"):
        response = await api.request(method, _path(api, path))
        error = assert_envelope(response, 404)
        assert error["code"] == "NOT_FOUND"


async def test_an_oversized_body_is_refused_before_it_is_read(
    api: httpx.AsyncClient, store: Store
) -> None:
    before = store.customer_count()
    note = "n" * (guard.BODY_MAX + 1)
    response = await api.post("/v2/customers", json={"given_name": "Big", "note": note})
    error = assert_envelope(response, 413)
    assert error["code"] == "REQUEST_ENTITY_TOO_LARGE"
    assert response.headers["connection"] == "close"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"given_name": "Big", "note": "'
        for _ in range(guard.BODY_MAX // 65_536 + 1):
            yield b"n" * 65_536
        yield b'"}'

    response = await api.post("/v2/customers", content=chunks())
    assert assert_envelope(response, 413)["code"] == "REQUEST_ENTITY_TOO_LARGE"
    assert store.customer_count() == before


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "limit"),
    [
        ("POST", "/v2/customers", {"given_name": "A", "note": "{n}"}, "note", limits.NOTE_MAX),
        ("PUT", "/v2/customers/{cid}", {"note": "{n}"}, "note", limits.NOTE_MAX),
        ("POST", "/v2/customers/bulk-update", {"customers": {"{cid}": {"note": "{n}"}}},
         None, limits.NOTE_MAX),
        ("PUT", "/v2/customers/{cid}", {"address": {"address_line_1": "{n}"}},
         "address.address_line_1", limits.ADDRESS_PART_MAX),
        ("POST", "/v2/customers/groups", {"group": {"name": "{n}"}}, "group.name",
         limits.GROUP_NAME_MAX),
        ("POST", "/v2/customers", {"given_name": "A", "idempotency_key": "{n}"},
         "idempotency_key", limits.OTHER_KEY_MAX),
        ("POST", "/v2/customers/search",
         {"query": {"filter": {"reference_id": {"fuzzy": "{n}"}}}},
         "query.filter.reference_id.fuzzy", limits.FILTER_TEXT_MAX),
        ("POST", "/v2/customers/{cid}/cards",
         {"card_nonce": "cnon:card-nonce-ok", "billing_address": {"locality": "{n}"}},
         "billing_address.locality", limits.ADDRESS_PART_MAX),
    ],
)  # fmt: skip
async def test_string_length_limits(
    api: httpx.AsyncClient,
    store: Store,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str | None,
    limit: int,
) -> None:
    def fill(n: int) -> Any:
        text = json.dumps(body).replace("{n}", "é" * n)
        return json.loads(text.replace("{cid}", api.headers["x-customer"]))

    before = store.get_customer(api.headers["x-customer"])
    response = await api.request(method, _path(api, path), json=fill(limit + 1))
    if field is None:  # a bulk entry: its own error, the batch answered 200
        assert response.status_code == 200
        (entry,) = response.json()["responses"].values()
        assert entry["errors"][0]["code"] == "VALUE_TOO_LONG"
    else:
        error = assert_envelope(response, 400)
        assert (error["code"], error["field"]) == ("VALUE_TOO_LONG", field)
    assert store.get_customer(api.headers["x-customer"]) == before
    accepted = await api.request(method, _path(api, path), json=fill(limit))
    assert accepted.status_code == 200, accepted.text[:300]


async def test_a_50_mb_note_is_never_stored(api: httpx.AsyncClient, store: Store) -> None:
    cid = api.headers["x-customer"]
    response = await api.put(f"/v2/customers/{cid}", json={"note": "x" * 50_000_000})
    assert assert_envelope(response, 413)["code"] == "REQUEST_ENTITY_TOO_LARGE"
    response = await api.put(f"/v2/customers/{cid}", json={"note": "x" * (limits.NOTE_MAX + 1)})
    assert assert_envelope(response, 400)["code"] == "VALUE_TOO_LONG"
    assert "note" not in (store.get_customer(cid) or {})


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe{}", b'{"given_name": "\xc3"}', b"{", b"[]", b'"x"', b"null", b"1", b"{}}"],
)
async def test_bodies_that_are_not_a_json_object(api: httpx.AsyncClient, raw: bytes) -> None:
    assert_envelope(await _raw(api, "POST", "/v2/customers", raw), 400)


async def test_an_overlong_cursor_is_invalid(api: httpx.AsyncClient) -> None:
    response = await api.get("/v2/customers", params={"cursor": "A" * (limits.CURSOR_MAX + 1)})
    error = assert_envelope(response, 400)
    assert (error["code"], error["field"]) == ("INVALID_CURSOR", "cursor")
