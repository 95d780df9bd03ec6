"""Bearer tokens, scopes, Square-Version, unknown paths and methods."""

from __future__ import annotations

import httpx

from app.emulator import DEMO_READONLY_TOKEN, SQUARE_VERSION
from app.emulator.faults import Faults

from .conftest import ClientFactory, error_of

UNAUTHORIZED = {
    "category": "AUTHENTICATION_ERROR",
    "code": "UNAUTHORIZED",
    "detail": "This request could not be authorized.",
}


async def test_missing_or_wrong_token_is_401(make_client: ClientFactory) -> None:
    async with make_client(token=None) as anonymous:
        response = await anonymous.get("/v2/customers")
        assert response.status_code == 401
        assert error_of(response) == UNAUTHORIZED
    async with make_client(token="wrong") as wrong:
        response = await wrong.post("/v2/customers/search", json={})
        assert response.status_code == 401
        assert error_of(response) == UNAUTHORIZED


async def test_read_only_token_reads_but_cannot_write(make_client: ClientFactory) -> None:
    async with make_client(token=DEMO_READONLY_TOKEN) as reader:
        assert (await reader.get("/v2/customers")).status_code == 200
        response = await reader.post("/v2/customers", json={"given_name": "X"})
        assert response.status_code == 403
        assert error_of(response)["code"] == "INSUFFICIENT_SCOPES"
        assert error_of(response)["category"] == "AUTHENTICATION_ERROR"


async def test_custom_tokens_and_scopes(make_client: ClientFactory) -> None:
    tokens = {"cards-only": frozenset({"PAYMENTS_READ"})}
    async with make_client(token="cards-only", tokens=tokens) as c:
        assert (await c.get("/v2/cards")).status_code == 200
        assert (await c.get("/v2/customers")).status_code == 403


async def test_square_version_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/customers", headers={"Square-Version": "2024-01-18"})
    assert response.headers["square-version"] == "2024-01-18"
    response = await client.get("/v2/customers/NOPE", headers={"Square-Version": "2025-01-23"})
    assert response.headers["square-version"] == "2025-01-23"
    assert (await client.get("/v2/customers")).headers["square-version"] == SQUARE_VERSION


async def test_square_version_is_echoed_on_every_kind_of_answer(
    make_client: ClientFactory,
) -> None:
    version = {"Square-Version": "2023-12-13"}
    statuses = set()
    async with make_client(**{"Square-Version": "2023-12-13"}) as c:
        for response in (
            await c.post("/v2/customers", json={"email_address": "nope"}),  # 400
            await c.get("/v2/customers/NOPE"),  # 404
            await c.patch("/v2/customers"),  # 405
            await c.post("/v2/customers", content=b"{not json"),  # 400, unparsed body
        ):
            statuses.add(response.status_code)
            assert response.headers["square-version"] == "2023-12-13"
    for token in ("wrong", DEMO_READONLY_TOKEN):  # 401, 403
        async with make_client(token=token) as c:
            response = await c.post("/v2/customers", json={"given_name": "A"}, headers=version)
            statuses.add(response.status_code)
            assert response.headers["square-version"] == "2023-12-13"
    for faults in (Faults(rate_limit=1.0, burst=1), Faults(error_rate=1.0)):  # 429, 5xx
        async with make_client(faults=faults) as c:
            await c.get("/v2/customers", headers=version)
            response = await c.get("/v2/customers", headers=version)
            statuses.add(response.status_code)
            assert response.headers["square-version"] == "2023-12-13"
    assert {400, 401, 403, 404, 405, 429} <= statuses and statuses & {500, 503}


async def test_unknown_path_is_404_and_wrong_method_405(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/nothing-here")
    assert response.status_code == 404
    assert error_of(response)["code"] == "NOT_FOUND"
    response = await client.patch("/v2/customers")
    assert response.status_code == 405
    assert error_of(response)["code"] == "METHOD_NOT_ALLOWED"
    response = await client.delete("/v2/customers/search")
    assert response.status_code == 405
