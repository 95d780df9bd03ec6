"""Fault injection: latency, errors, 429 with Retry-After, dropped connections, lag."""

from __future__ import annotations

import time

import httpx
import pytest

from app.emulator.faults import Faults

from .conftest import ClientFactory, FrozenClock, create, error_of


async def test_faults_are_off_by_default(client: httpx.AsyncClient) -> None:
    for _ in range(30):
        assert (await client.get("/v2/customers")).status_code == 200
    assert not Faults().active()


async def test_latency_fixed_and_jittered(make_client: ClientFactory) -> None:
    async with make_client(faults=Faults(latency_ms=40, jitter_ms=20, seed=3)) as c:
        start = time.perf_counter()
        assert (await c.get("/v2/customers")).status_code == 200
        elapsed = time.perf_counter() - start
    assert 0.040 <= elapsed < 1.0


async def test_error_rate_answers_500_or_503_deterministically(
    make_client: ClientFactory,
) -> None:
    async with make_client(faults=Faults(error_rate=1.0, seed=1)) as c:
        response = await c.get("/v2/customers", headers={"Square-Version": "2025-08-20"})
        assert response.status_code in (500, 503)
        err = error_of(response)
        assert err["category"] == "API_ERROR"
        assert err["code"] in ("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE")
        assert response.headers["square-version"] == "2025-08-20"

    async def statuses(seed: int) -> list[int]:
        async with make_client(faults=Faults(error_rate=0.5, seed=seed)) as c:
            return [(await c.get("/v2/customers")).status_code for _ in range(20)]

    first = await statuses(5)
    assert first == await statuses(5)
    assert 200 in first and set(first) - {200}  # some answered, some failed
    assert set(first) <= {200, 500, 503}


async def test_rate_limit_429_with_retry_after(
    make_client: ClientFactory, clock: FrozenClock
) -> None:
    async with make_client(faults=Faults(rate_limit=2.0, burst=2)) as c:
        assert (await c.get("/v2/customers")).status_code == 200
        assert (await c.get("/v2/customers")).status_code == 200
        limited = await c.get("/v2/customers")
        assert limited.status_code == 429
        assert (error_of(limited)["category"], error_of(limited)["code"]) == (
            "RATE_LIMIT_ERROR",
            "RATE_LIMITED",
        )
        assert int(limited.headers["retry-after"]) >= 1
        clock.advance(0.5)  # one token back at 2 per second
        assert (await c.get("/v2/customers")).status_code == 200
        assert (await c.get("/v2/customers")).status_code == 429


async def test_dropped_connection_in_process(make_client: ClientFactory) -> None:
    async with make_client(faults=Faults(drop_rate=1.0)) as c:
        with pytest.raises(httpx.TransportError):
            await c.get("/v2/customers")


async def test_list_and_search_lag_behind_writes(
    make_client: ClientFactory, clock: FrozenClock
) -> None:
    async with make_client(faults=Faults(lag_seconds=30)) as c:
        customer = await create(c, given_name="Lagging", email_address="lag@example.com")
        # Retrieve is consistent at once; list and search are not yet.
        assert (await c.get(f"/v2/customers/{customer['id']}")).status_code == 200
        assert (await c.get("/v2/customers")).json() == {}
        flt = {"query": {"filter": {"email_address": {"exact": "lag@example.com"}}}}
        assert (await c.post("/v2/customers/search", json=flt)).json() == {}
        clock.advance(30)
        assert len((await c.get("/v2/customers")).json()["customers"]) == 1
        await c.put(f"/v2/customers/{customer['id']}", json={"nickname": "Late"})
        listed = (await c.get("/v2/customers")).json()["customers"][0]
        assert "nickname" not in listed and listed["version"] == 0  # the old version
        clock.advance(29)
        assert "nickname" not in (await c.get("/v2/customers")).json()["customers"][0]
        clock.advance(1)
        assert (await c.get("/v2/customers")).json()["customers"][0]["nickname"] == "Late"
        await c.delete(f"/v2/customers/{customer['id']}")
        assert (await c.get(f"/v2/customers/{customer['id']}")).status_code == 404
        assert len((await c.get("/v2/customers")).json()["customers"]) == 1
        clock.advance(30)
        assert (await c.get("/v2/customers")).json() == {}


def test_fault_options_parse() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    Faults.add_arguments(parser)
    args = parser.parse_args(
        ["--latency-ms", "5", "--jitter-ms", "2", "--error-rate", "0.1", "--rate-limit", "50",
         "--burst", "5", "--drop-rate", "0.01", "--lag-seconds", "3", "--fault-seed", "9"]
    )  # fmt: skip
    faults = Faults.from_arguments(args)
    assert faults == Faults(5, 2, 0.1, 50, 5, 0.01, 3, 9)
    assert "error_rate=0.1" in faults.describe()
