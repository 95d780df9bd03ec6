"""Hypothesis: arbitrary JSON posted to every write endpoint never gets a 5xx, and every
refusal is in Square's envelope."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.emulator import DEMO_TOKEN, shapes
from app.emulator.asgi import create_app
from app.emulator.store import Store

WRITES: list[tuple[str, str, shapes.JsonType]] = [
    ("POST", "/v2/customers", shapes.CREATE_CUSTOMER),
    ("PUT", "/v2/customers/{cid}", shapes.UPDATE_CUSTOMER),
    ("POST", "/v2/customers/search", shapes.SEARCH_CUSTOMERS),
    ("POST", "/v2/customers/bulk-create", shapes.BULK_CREATE),
    ("POST", "/v2/customers/bulk-update", shapes.BULK_UPDATE),
    ("POST", "/v2/customers/bulk-delete", shapes.BULK_IDS),
    ("POST", "/v2/customers/bulk-retrieve", shapes.BULK_IDS),
    ("POST", "/v2/customers/groups", shapes.GROUP_BODY),
    ("PUT", "/v2/customers/groups/{gid}", shapes.GROUP_BODY),
    ("POST", "/v2/cards", shapes.CREATE_CARD),
    ("POST", "/v2/cards/{card}/disable", ("object", {})),
    ("POST", "/v2/customers/{cid}/cards", shapes.CREATE_CUSTOMER_CARD),
]

# Names the endpoints read, so that generated objects reach the field rules.
KEYS = sorted(
    {*shapes.CUSTOMER_FIELDS, *shapes.ADDRESS_FIELDS, "eu_vat", "version", "idempotency_key"}
    | {"customers", "customer_ids", "group", "name", "query", "filter", "sort", "limit"}
    | {"cursor", "count", "created_at", "updated_at", "start_at", "end_at", "exact", "fuzzy"}
    | {"email_address", "group_ids", "segment_ids", "any", "all", "none", "creation_source"}
    | {"values", "rule", "field", "order", "source_id", "card", "card_nonce", "customer_id"}
    | {"cardholder_name", "billing_address", "reference_id", "{cid}"}
)
TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["", " ", "a@b.com", "+14155550100", "1990-01-01", "0001-01-01T00:00:00+01:00",
         "9999-12-31T23:59:59-01:00", "2026-01-01T00:00:00Z", "US", "ASC", "DESC",
         "CREATED_AT", "INCLUDE", "THIRD_PARTY", "cnon:card-nonce-ok", "{cid}", "\x00"]
    ),
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner, max_size=5),
    ),
    max_leaves=25,
)
BODIES = st.one_of(JSON, st.dictionaries(st.sampled_from(KEYS), JSON, max_size=6))


def shaped(jtype: shapes.JsonType) -> st.SearchStrategy[Any]:
    """Values of the emulator's own JSON schema for a body, any node of which may instead
    be arbitrary JSON (null included): they get past the type checks to the field rules."""
    shape: st.SearchStrategy[Any]
    if jtype == "string":
        shape = TEXT
    elif jtype == "integer":
        shape = st.integers(min_value=-(10**30), max_value=10**30)
    elif jtype == "boolean":
        shape = st.booleans()
    else:
        assert isinstance(jtype, tuple)
        kind, arg = jtype
        if kind == "enum":
            shape = st.one_of(st.sampled_from(sorted(arg)), TEXT)
        elif kind == "object":
            shape = st.fixed_dictionaries({}, optional={k: shaped(v) for k, v in arg.items()})
        elif kind == "array":
            shape = st.lists(shaped(arg), max_size=3)
        else:  # map
            shape = st.dictionaries(TEXT, shaped(arg), max_size=3)
    return st.one_of(shape, shape, st.none(), JSON)


class Client:
    """A synchronous face on an in-process ASGI client (Hypothesis drives sync tests)."""

    def __init__(self, store: Store) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(store, id_seed=3)),
            base_url="http://emulator.test",
            headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
        )

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, path, **kwargs))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Client, Store, dict[str, Any]]]:
    store = Store(Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.sqlite3")
    client = Client(store)
    created = client.request("POST", "/v2/customers", json={"given_name": "Ada"})
    cid = created.json()["customer"]["id"]
    group = client.request("POST", "/v2/customers/groups", json={"group": {"name": "G"}})
    card_body = {"idempotency_key": "k", "source_id": "cnon:card-nonce-ok",
                 "card": {"customer_id": cid}}  # fmt: skip
    card = client.request("POST", "/v2/cards", json=card_body).json()["card"]["id"]
    yield client, store, {"{cid}": cid, "{gid}": group.json()["group"]["id"], "{card}": card}
    client.close()
    store.close()


def _fill(text: str, ids: dict[str, str]) -> str:
    for placeholder, value in ids.items():
        text = text.replace(placeholder, value)
    return text


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.parametrize("endpoint", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
@given(data=st.data())
def test_arbitrary_json_never_gets_a_5xx(
    world: tuple[Client, Store, dict[str, str]],
    data: st.DataObject,
    endpoint: tuple[str, str, shapes.JsonType],
) -> None:
    client, _, ids = world
    method, path, schema = endpoint
    body = data.draw(st.one_of(shaped(schema), BODIES), label="body")
    raw = _fill(json.dumps(body), ids)
    response = client.request(
        method, _fill(path, ids), content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, (method, path, raw, response.text)
    if response.status_code >= 400:
        payload = response.json()
        assert set(payload) == {"errors"}, payload
        assert all({"category", "code"} <= set(e) for e in payload["errors"]), payload


def test_the_store_is_intact_after_fuzzing(
    world: tuple[Client, Store, dict[str, str]],
) -> None:
    client, store, ids = world
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert client.request("GET", f"/v2/customers/{ids['{cid}']}").status_code in (200, 404)
    assert client.request("GET", "/v2/customers").status_code == 200
