"""Fault injection: latency, errors, 429 with Retry-After, dropped connections, lag."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from app.emulator.faults import Faults, FaultsMiddleware
from app.emulator.operations import is_write_request
from app.emulator.store import Store
from tests.conftest import FrozenClock

from .conftest import ClientFactory, create, error_of


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


async def test_rate_limit_refills_in_real_time_under_a_frozen_clock(
    make_client: ClientFactory, clock: FrozenClock
) -> None:
    """The emulator's clock is frozen in tests; the bucket still refills as time passes."""
    async with make_client(faults=Faults(rate_limit=40.0, burst=1)) as c:
        assert (await c.get("/v2/customers")).status_code == 200
        assert (await c.get("/v2/customers")).status_code == 429
        time.sleep(0.05)  # two tokens' worth of real time; the clock has not moved
        assert (await c.get("/v2/customers")).status_code == 200


def test_rate_limit_bucket_counts_the_larger_of_real_and_emulated_time() -> None:
    now = [100.0]
    clock = FrozenClock()

    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
        raise AssertionError("not called")

    limiter = FaultsMiddleware(
        app, Faults(rate_limit=2.0, burst=2), clock, monotonic=lambda: now[0]
    )
    assert limiter._take_token() == 0 and limiter._take_token() == 0
    assert limiter._take_token() == pytest.approx(0.5)  # empty: one token in 0.5 s
    now[0] += 0.5  # real time passes, the emulator's clock stays frozen
    assert limiter._take_token() == 0
    assert limiter._take_token() > 0
    clock.advance(1.0)  # emulated time runs ahead (a test's virtual sleep)
    assert limiter._take_token() == 0 and limiter._take_token() == 0
    assert limiter._take_token() > 0
    clock.advance(-3600)  # a clock going backwards takes nothing away
    now[0] += 0.5
    assert limiter._take_token() == 0


async def test_lost_answers_after_the_write_commits(
    make_client: ClientFactory, store: Store
) -> None:
    async with make_client(faults=Faults(lost_answer_rate=1.0)) as c:
        body = {"idempotency_key": "lost-1", "given_name": "Lost", "reference_id": "lost"}
        with pytest.raises(httpx.RemoteProtocolError):
            await c.post("/v2/customers", json=body)
        # the write committed: reads (a POST search included) are answered and see it
        found = await c.post(
            "/v2/customers/search", json={"query": {"filter": {"reference_id": {"exact": "lost"}}}}
        )
        assert found.status_code == 200
        (customer,) = found.json()["customers"]
        # a retry with the same key replays the same customer: no duplicate
        with pytest.raises(httpx.RemoteProtocolError):
            await c.post("/v2/customers", json=body)
        assert store.customer_count() == 1
        # an update's answer is lost too, after it landed
        with pytest.raises(httpx.RemoteProtocolError):
            await c.put(f"/v2/customers/{customer['id']}", json={"note": "landed", "version": 0})
        after = (await c.get(f"/v2/customers/{customer['id']}")).json()["customer"]
        assert (after["note"], after["version"]) == ("landed", 1)
        # a refused write committed nothing: its answer arrives
        refused = await c.post("/v2/customers", json={"email_address": "nope"})
        assert refused.status_code == 400
        assert error_of(refused)["code"] == "INVALID_EMAIL_ADDRESS"


async def test_lost_answers_are_deterministic(make_client: ClientFactory) -> None:
    async def outcomes() -> list[str]:
        seen = []
        async with make_client(faults=Faults(lost_answer_rate=0.5, seed=7)) as c:
            for i in range(16):
                try:
                    r = await c.post("/v2/customers", json={"given_name": f"N{i}"})
                    seen.append(str(r.status_code))
                except httpx.RemoteProtocolError:
                    seen.append("lost")
        return seen

    first = await outcomes()
    assert first == await outcomes()
    assert set(first) == {"200", "lost"}


def test_which_requests_are_writes() -> None:
    assert is_write_request("POST", "/v2/customers")
    assert is_write_request("PUT", "/v2/customers/ABC/groups/G1")
    assert is_write_request("POST", "/v2/cards/ccof:x/disable")
    assert not is_write_request("POST", "/v2/customers/search")
    assert not is_write_request("POST", "/v2/customers/bulk-retrieve")
    assert not is_write_request("GET", "/v2/customers/ABC")
    assert not is_write_request("POST", "/v2/nowhere")


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
         "--burst", "5", "--drop-rate", "0.01", "--lost-answer-rate", "0.2", "--lag-seconds", "3",
         "--fault-seed", "9"]
    )  # fmt: skip
    faults = Faults.from_arguments(args)
    assert faults == Faults(
        latency_ms=5,
        jitter_ms=2,
        error_rate=0.1,
        rate_limit=50,
        burst=5,
        drop_rate=0.01,
        lost_answer_rate=0.2,
        lag_seconds=3,
        seed=9,
    )
    assert "error_rate=0.1" in faults.describe()
    assert "lost_answer_rate=0.2" in faults.describe()
    assert Faults(lost_answer_rate=0.1).active()
