"""SearchCustomers' `custom_attribute` filter on the emulator: each kind, ranges, AND, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.emulator import ALL_SCOPES, DEMO_TOKEN
from app.emulator.attribute_types import SELECTION_URL
from tests.conftest import FrozenClock

from .conftest import ClientFactory, create, error_of
from .test_custom_attributes import define, ref, upsert

OTHER_TOKEN = "another-application-token"


async def search(client: httpx.AsyncClient, *filters: dict[str, Any], **other: Any) -> Any:
    flt: dict[str, Any] = {"custom_attribute": {"filters": list(filters)}, **other}
    return await client.post("/v2/customers/search", json={"query": {"filter": flt}})


async def found(client: httpx.AsyncClient, *filters: dict[str, Any], **other: Any) -> set[str]:
    response = await search(client, *filters, **other)
    assert response.status_code == 200, response.text
    return {c["given_name"] for c in response.json().get("customers", [])}


@pytest.fixture
async def people(client: httpx.AsyncClient, clock: FrozenClock) -> dict[str, str]:
    """Four customers with one value of each type (Dan has none)."""
    colours = {
        "$schema": SELECTION_URL,
        "type": "array",
        "uniqueItems": True,
        "items": {"names": ["Red", "Green", "Blue"]},
    }
    kinds = {
        "motto": ref("String"),
        "mail": ref("Email"),
        "mobile": ref("PhoneNumber"),
        "score": ref("Number"),
        "since": ref("Date"),
        "member": ref("Boolean"),
        "home": ref("Address"),
    }
    for key, schema in kinds.items():
        await define(client, key, schema)
    made = await define(client, "colours", colours)
    red, green, blue = made["schema"]["items"]["enum"]
    rows: dict[str, dict[str, Any]] = {
        "Ann": {
            "motto": "The quick brown fox jumps",
            "mail": "ann.lee@gmail.com",
            "mobile": "+14152121200",
            "score": "10.5",
            "since": "2020-02-08",
            "member": True,
            "home": {"postal_code": "SW1A 1AA", "country": "GB"},
            "colours": [red, blue],
        },
        "Bea": {
            "motto": "Quick thinking",
            "mail": "bea@stevensbakery.com",
            "mobile": "+12124151234",
            "score": "-2",
            "since": "2023-12-31",
            "member": False,
            "home": {"postal_code": "10003", "country": "US"},
            "colours": [green],
        },
        "Cy": {"motto": "the QUICK brown FOX", "score": "99999.99999", "colours": [red]},
        "Dan": {},
    }
    ids: dict[str, str] = {}
    for name, values in rows.items():
        clock.advance(60)
        ids[name] = (await create(client, given_name=name))["id"]
        for key, value in values.items():
            assert (await upsert(client, ids[name], key, value)).status_code == 200
    return ids


async def test_text(client: httpx.AsyncClient, people: dict[str, str]) -> None:
    def text(**f: str) -> dict[str, Any]:
        return {"key": "motto", "filter": {"text": f}}

    assert await found(client, text(exact="the quick brown fox")) == {"Cy"}
    assert await found(client, text(fuzzy="quick fox")) == {"Ann", "Cy"}
    assert await found(client, text(fuzzy="QUICK")) == {"Ann", "Bea", "Cy"}
    assert await found(client, text(fuzzy="qui")) == set()  # whole words only
    assert await found(client, text(fuzzy="quick foxes")) == set()
    both = await search(client, text(exact="a", fuzzy="b"))
    assert (both.status_code, error_of(both)["code"]) == (400, "BAD_REQUEST")


async def test_email_and_phone(client: httpx.AsyncClient, people: dict[str, str]) -> None:
    def on(key: str, kind: str, **f: str) -> dict[str, Any]:
        return {"key": key, "filter": {kind: f}}

    assert await found(client, on("mail", "email", exact="ANN.LEE@gmail.com")) == {"Ann"}
    assert await found(client, on("mail", "email", fuzzy="gmail ann")) == {"Ann"}
    assert await found(client, on("mobile", "phone", exact="+1 (415) 212-1200")) == {"Ann"}
    assert await found(client, on("mobile", "phone", fuzzy="415")) == {"Ann", "Bea"}
    assert await found(client, on("mobile", "phone", fuzzy="415 123")) == {"Bea"}


async def test_number_date_boolean(client: httpx.AsyncClient, people: dict[str, str]) -> None:
    def on(key: str, flt: Any) -> dict[str, Any]:
        return {"key": key, "filter": flt}

    assert await found(client, on("score", {"number": {"start_at": "10.5"}})) == {"Ann", "Cy"}
    assert await found(client, on("score", {"number": {"end_at": "10.5"}})) == {"Ann", "Bea"}
    assert await found(client, on("score", {"number": {"start_at": "-2", "end_at": "0"}})) == {
        "Bea"
    }
    assert await found(client, on("since", {"date": {"start_at": "2020-02-08"}})) == {"Ann", "Bea"}
    assert await found(client, on("since", {"date": {"end_at": "2020-02-08T23:00:00Z"}})) == {"Ann"}
    assert await found(client, on("member", {"boolean": False})) == {"Bea"}
    backwards = await search(client, on("score", {"number": {"start_at": "5", "end_at": "1"}}))
    assert error_of(backwards)["code"] == "INVALID_TIME_RANGE"
    huge = await search(client, on("score", {"number": {"start_at": "92233720368548"}}))
    assert error_of(huge)["code"] == "VALUE_TOO_HIGH"


async def test_selection_and_address(client: httpx.AsyncClient, people: dict[str, str]) -> None:
    def colours(**f: list[str]) -> dict[str, Any]:
        return {"key": "colours", "filter": {"selection": f}}

    assert await found(client, colours(any=["Red"])) == {"Ann", "Cy"}
    assert await found(client, colours(any=["Blue", "Green"])) == {"Ann", "Bea"}
    assert await found(client, colours(all=["Red", "Blue"])) == {"Ann"}
    assert await found(client, colours(any=["red"])) == set()  # names are case-sensitive
    none = await search(client, colours(none=["Red"]))
    assert (error_of(none)["code"], error_of(none)["field"]) == (
        "BAD_REQUEST",
        "query.filter.custom_attribute.filters[0].filter.selection.none",
    )

    def home(**f: Any) -> dict[str, Any]:
        return {"key": "home", "filter": {"address": f}}

    assert await found(client, home(postal_code={"exact": "sw1a1aa"})) == {"Ann"}
    assert await found(client, home(country="US")) == {"Bea"}
    assert await found(client, home(country="US", postal_code={"exact": "SW1A 1AA"})) == set()
    fuzzy = await search(client, home(postal_code={"fuzzy": "SW1"}))
    assert error_of(fuzzy)["code"] == "BAD_REQUEST"


async def test_filters_and_together(
    client: httpx.AsyncClient, people: dict[str, str], clock: FrozenClock
) -> None:
    quick = {"key": "motto", "filter": {"text": {"fuzzy": "quick"}}}
    red = {"key": "colours", "filter": {"selection": {"any": ["Red"]}}}
    assert await found(client, quick, red) == {"Ann", "Cy"}
    assert await found(client, quick, red, reference_id={"exact": "none"}) == set()
    after = {"start_at": "2026-11-26T09:32:34Z"}  # the third customer's values onwards
    assert await found(client, {"key": "motto", "updated_at": after}) == {"Cy"}
    # with a customer filter: created before Cy
    created = {"end_at": "2026-11-26T09:32:34Z"}
    assert await found(client, quick, created_at=created) == {"Ann", "Bea"}


@pytest.mark.parametrize(
    ("filters", "status", "code", "field"),
    [
        ([{"key": "motto", "filter": {"number": {"start_at": "1"}}}],
         400, "BAD_REQUEST", ".filter.number"),
        ([{"key": "nope", "filter": {"text": {"exact": "x"}}}], 404, "NOT_FOUND", ".key"),
        ([{"key": "motto"}], 400, "BAD_REQUEST", ""),
        ([{"filter": {"text": {"exact": "x"}}}], 400, "MISSING_REQUIRED_PARAMETER", ".key"),
        ([{"key": "motto", "filter": {"text": {"exact": 3}}}],
         400, "EXPECTED_STRING", ".filter.text.exact"),
    ],
)  # fmt: skip
async def test_filter_errors(
    client: httpx.AsyncClient,
    people: dict[str, str],
    filters: list[dict[str, Any]],
    status: int,
    code: str,
    field: str,
) -> None:
    response = await search(client, *filters)
    assert response.status_code == status, response.text
    err = error_of(response)
    assert (err["code"], err["field"]) == (code, "query.filter.custom_attribute.filters[0]" + field)


async def test_too_many_or_repeated_filters(
    client: httpx.AsyncClient, people: dict[str, str]
) -> None:
    one = {"key": "motto", "filter": {"text": {"fuzzy": "quick"}}}
    assert error_of(await search(client, one, one))["code"] == "BAD_REQUEST"
    many = await search(client, *[{"key": f"k{n}", "updated_at": {}} for n in range(11)])
    assert error_of(many)["code"] == "ARRAY_LENGTH_TOO_LONG"


async def test_a_caller_filters_only_on_what_it_sees(
    client: httpx.AsyncClient, make_client: ClientFactory, people: dict[str, str]
) -> None:
    await define(client, "private", visibility="VISIBILITY_HIDDEN")
    await upsert(client, people["Ann"], "private", "x")
    assert await found(client, {"key": "private", "filter": {"text": {"exact": "x"}}}) == {"Ann"}
    tokens = {DEMO_TOKEN: ALL_SCOPES, OTHER_TOKEN: ALL_SCOPES}
    async with make_client(
        token=OTHER_TOKEN, tokens=tokens, applications={OTHER_TOKEN: "sq0idp-other"}
    ) as other:
        owner = "sq0idp-customer-desk-emulator"
        hidden = await search(
            other, {"key": f"{owner}:private", "filter": {"text": {"exact": "x"}}}
        )
        assert hidden.status_code == 404
        assert await found(
            other, {"key": f"{owner}:motto", "filter": {"text": {"fuzzy": "thinking"}}}
        ) == {"Bea"}
