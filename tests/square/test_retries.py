"""Retries, backoff, idempotency keys and reconciliation, against a scripted HTTP peer.

The peer is httpx's own MockTransport answering from a script, so every timing and
failure is exact; the same behaviour is exercised against the emulator in
test_against_emulator.py and test_chaos.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import load_settings
from app.square import (
    ConflictError,
    CustomerFields,
    NetworkError,
    NetworkTimeoutError,
    NotFoundError,
    PaginationError,
    RateLimitedError,
    ReadOnlyError,
    ServerError,
    SquareService,
    ValidationError,
)

TOKEN = "sq0atp-very-secret-token"
CUSTOMER = {"id": "C1", "given_name": "Ada", "family_name": "Lovelace", "version": 3}

Answer = httpx.Response | Exception
Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


def ok(body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json=body)


def fail(status: int, code: str, headers: dict[str, str] | None = None) -> httpx.Response:
    category = "RATE_LIMIT_ERROR" if status == 429 else "API_ERROR"
    if status < 429:
        category = "INVALID_REQUEST_ERROR"
    return httpx.Response(
        status, json={"errors": [{"category": category, "code": code}]}, headers=headers
    )


class Script:
    """Answers requests in order; records what was asked and every backoff sleep."""

    def __init__(self, *answers: Answer | Callable[[httpx.Request], Answer]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if callable(answer) and not isinstance(answer, httpx.Response | Exception):
            answer = answer(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def service(self, **kwargs: Any) -> SquareService:
        return SquareService(
            "https://square.test",
            TOKEN,
            transport=httpx.MockTransport(self.handle),
            sleep=self.sleep,
            rng=random.Random(1),
            **kwargs,
        )

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) if r.content else {} for r in self.requests]


async def test_token_and_version_headers_and_nothing_leaks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script(ok({"customer": CUSTOMER}), fail(401, "UNAUTHORIZED"))
    async with script.service() as service:
        assert TOKEN not in repr(service) and TOKEN not in str(service)
        assert TOKEN not in repr(vars(service))
        await service.retrieve_customer("C1")
        with pytest.raises(Exception) as info:
            await service.retrieve_customer("C1")
    request = script.requests[0]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Square-Version"] == "2025-08-20"
    assert request.url.path == "/v2/customers/C1"
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)
    assert TOKEN not in caplog.text


async def test_server_errors_are_retried_with_full_jitter_backoff() -> None:
    script = Script(
        fail(500, "INTERNAL_SERVER_ERROR"),
        fail(503, "SERVICE_UNAVAILABLE"),
        httpx.ConnectError("refused"),
        ok({"customer": CUSTOMER}),
    )
    async with script.service(backoff_base=0.5, backoff_cap=1.5) as service:
        customer = await service.retrieve_customer("C1")
    assert customer.given_name == "Ada"
    assert len(script.requests) == 4
    ceilings = [0.5, 1.0, 1.5]  # base * 2**attempt, capped
    assert len(script.sleeps) == 3
    assert all(0 <= s <= c for s, c in zip(script.sleeps, ceilings, strict=True))
    expected = random.Random(1)
    assert script.sleeps == [expected.uniform(0, c) for c in ceilings]


async def test_retries_give_up_after_max_retries() -> None:
    script = Script(*[fail(502, "BAD_GATEWAY") for _ in range(3)])
    async with script.service(max_retries=2) as service:
        with pytest.raises(ServerError) as info:
            await service.list_customers()
    assert info.value.attempts == 3 and info.value.status == 502
    assert "HTTP 502" in str(info.value)


async def test_retry_after_is_honoured() -> None:
    script = Script(fail(429, "RATE_LIMITED", {"Retry-After": "2"}), ok({}))
    async with script.service() as service:
        page = await service.list_customers()
    assert page.customers == [] and page.cursor is None
    assert script.sleeps[0] >= 2


async def test_a_long_retry_after_is_raised_at_once() -> None:
    script = Script(fail(429, "RATE_LIMITED", {"Retry-After": "120"}))
    async with script.service() as service:
        with pytest.raises(RateLimitedError) as info:
            await service.list_customers()
    assert info.value.retry_after == 120 and script.sleeps == []
    assert "try again in 120 s" in str(info.value)


async def test_client_errors_are_not_retried() -> None:
    script = Script(
        httpx.Response(
            400,
            json={
                "errors": [
                    {
                        "category": "INVALID_REQUEST_ERROR",
                        "code": "INVALID_EMAIL_ADDRESS",
                        "detail": "Expected a valid email address.",
                        "field": "email_address",
                    }
                ]
            },
        )
    )
    async with script.service() as service:
        with pytest.raises(ValidationError) as info:
            await service.create_customer(CustomerFields(email_address="nope"))
    assert info.value.field_errors == {"email_address": "Expected a valid email address."}
    assert len(script.requests) == 1 and script.sleeps == []


async def test_create_reuses_one_idempotency_key_across_retries() -> None:
    script = Script(
        httpx.ReadError("connection reset"),
        fail(500, "INTERNAL_SERVER_ERROR"),
        ok({"customer": CUSTOMER}),
        ok({"customer": CUSTOMER}),
    )
    async with script.service() as service:
        await service.create_customer(CustomerFields(given_name="Ada"))
        await service.create_customer(CustomerFields(given_name="Ada"))
    keys = [body["idempotency_key"] for body in script.bodies()]
    assert keys[0] == keys[1] == keys[2]  # one call, three attempts
    assert keys[3] != keys[0]  # a new call, a new key
    assert script.bodies()[0] == {"given_name": "Ada", "idempotency_key": keys[0]}


async def test_idempotency_keys_of_groups_cards_and_bulk_create_survive_retries() -> None:
    group = {"group": {"id": "G1", "name": "VIP"}}
    card = {"card": {"id": "ccof:1", "last_4": "5858", "enabled": True}}
    script = Script(
        fail(503, "SERVICE_UNAVAILABLE"),
        ok(group),
        fail(503, "SERVICE_UNAVAILABLE"),
        ok(card),
        fail(503, "SERVICE_UNAVAILABLE"),
        lambda request: ok(
            {
                "responses": {
                    key: {"customer": {**CUSTOMER, "id": f"N{i}"}}
                    for i, key in enumerate(json.loads(request.content)["customers"])
                }
            }
        ),
    )
    async with script.service() as service:
        await service.create_customer_group("VIP")
        await service.create_card("cnon:card-nonce-ok", customer_id="C1")
        created = await service.bulk_create_customers(
            [CustomerFields(given_name="A"), CustomerFields(given_name="B")]
        )
    bodies = script.bodies()
    assert bodies[0]["idempotency_key"] == bodies[1]["idempotency_key"]
    assert bodies[2]["idempotency_key"] == bodies[3]["idempotency_key"]
    assert list(bodies[4]["customers"]) == list(bodies[5]["customers"])
    assert [c.id for c in created.values() if not isinstance(c, Exception)] == ["N0", "N1"]


async def test_versioned_update_whose_first_attempt_landed_returns_the_fresh_customer() -> None:
    landed = {**CUSTOMER, "given_name": "Augusta", "version": 4}
    script = Script(
        httpx.RemoteProtocolError("server disconnected"),  # it had committed
        fail(400, "VERSION_MISMATCH"),
        ok({"customer": landed}),  # the re-read
    )
    async with script.service() as service:
        customer = await service.update_customer(
            "C1", CustomerFields(given_name="Augusta"), version=3
        )
    assert customer.version == 4 and customer.given_name == "Augusta"
    assert [r.method for r in script.requests] == ["PUT", "PUT", "GET"]


async def test_conflict_after_a_retry_stays_a_conflict_when_the_values_differ() -> None:
    other = {**CUSTOMER, "given_name": "Someone else", "version": 4}
    script = Script(
        fail(500, "INTERNAL_SERVER_ERROR"),
        fail(400, "VERSION_MISMATCH"),
        ok({"customer": other}),
    )
    async with script.service() as service:
        with pytest.raises(ConflictError) as info:
            await service.update_customer("C1", CustomerFields(given_name="Augusta"), version=3)
    assert info.value.after_ambiguous_attempt and info.value.attempts == 2


async def test_a_plain_conflict_is_never_retried_nor_reconciled() -> None:
    script = Script(fail(429, "RATE_LIMITED"), fail(400, "VERSION_MISMATCH"))
    async with script.service() as service:
        with pytest.raises(ConflictError) as info:
            await service.update_customer("C1", CustomerFields(given_name="Augusta"), version=3)
    # a 429 never commits, so the conflict is real: no re-read
    assert [r.method for r in script.requests] == ["PUT", "PUT"]
    assert not info.value.after_ambiguous_attempt
    assert "reload" in str(info.value)


async def test_update_sends_nulls_to_clear() -> None:
    script = Script(ok({"customer": CUSTOMER}))
    async with script.service() as service:
        await service.update_customer("C1", CustomerFields(note=None, nickname="Ada"), version=3)
    assert script.bodies() == [{"note": None, "nickname": "Ada", "version": 3}]
    assert script.requests[0].headers["X-Clear-Null"] == "true"


async def test_delete_that_is_gone_on_retry_after_an_ambiguous_attempt_is_done() -> None:
    script = Script(
        httpx.ReadTimeout("slow"),
        fail(404, "NOT_FOUND"),
        fail(404, "NOT_FOUND"),
    )
    async with script.service() as service:
        await service.delete_customer("C1", version=3)
        with pytest.raises(NotFoundError):  # a plain 404 is still an error
            await service.delete_customer("C1")
    assert script.requests[0].url.params["version"] == "3"


async def test_network_errors_say_whether_the_request_left() -> None:
    script = Script(httpx.ConnectError("refused"), httpx.ReadError("reset"))
    async with script.service(max_retries=0) as service:
        with pytest.raises(NetworkError) as first:
            await service.retrieve_customer("C1")
        with pytest.raises(NetworkError) as second:
            await service.retrieve_customer("C1")
    assert not first.value.sent and second.value.sent
    assert "square.test" in str(first.value)


async def test_every_call_has_a_timeout() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return ok({})

    service = SquareService(
        "https://square.test",
        TOKEN,
        timeout=0.05,
        max_retries=0,
        transport=httpx.MockTransport(slow),
    )
    async with service:
        with pytest.raises(NetworkTimeoutError) as info:
            await service.list_customers()
    assert isinstance(info.value, TimeoutError)
    assert "did not answer within 0.05 s" in str(info.value)


async def test_read_only_refuses_writes_before_sending() -> None:
    script = Script(ok({"customer": CUSTOMER}))
    async with script.service(read_only=True) as service:
        assert (await service.retrieve_customer("C1")).id == "C1"
        with pytest.raises(ReadOnlyError) as info:
            await service.update_customer("C1", CustomerFields(given_name="X"))
    assert len(script.requests) == 1
    assert "read-only" in str(info.value).lower()


async def test_an_answer_that_is_not_square_json_is_a_server_error() -> None:
    script = Script(httpx.Response(200, text="<html>proxy</html>"))
    async with script.service(max_retries=0) as service:
        with pytest.raises(ServerError):
            await service.retrieve_customer("C1")


async def test_ids_cannot_escape_their_path_segment() -> None:
    script = Script(*[ok({"customer": CUSTOMER})] * 2, ok({"card": {"id": "ccof:x/y"}}))
    async with script.service() as service:
        await service.retrieve_customer("../cards")
        await service.retrieve_customer("..")
        await service.retrieve_card("ccof:x/y")
    assert script.requests[0].url.raw_path == b"/v2/customers/..%2Fcards"
    assert script.requests[1].url.raw_path == b"/v2/customers/%2E%2E"
    assert script.requests[2].url.raw_path == b"/v2/cards/ccof:x%2Fy"


async def test_retry_after_as_an_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=20)
    script = Script(
        fail(429, "RATE_LIMITED", {"Retry-After": format_datetime(when, usegmt=True)}), ok({})
    )
    async with script.service() as service:
        await service.list_customers()
    assert 15 <= script.sleeps[0] <= 20


async def test_a_repeated_cursor_stops_the_listing() -> None:
    page = {"customers": [CUSTOMER], "cursor": "same"}
    script = Script(ok(page), ok(page))
    async with script.service() as service:
        with pytest.raises(PaginationError, match="repeated a page cursor"):
            _ = [c async for c in service.iter_customers()]


async def test_service_from_settings(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "SQUARE_ACCESS_TOKEN": TOKEN,
            "CUSTOMER_DESK_READ_ONLY": "1",
            "SQUARE_VERSION": "2024-12-18",
        },
        config_file=tmp_path / "none.toml",
        use_keyring=False,
    )
    script = Script(ok({"customer": CUSTOMER}))
    service = SquareService.from_settings(settings, transport=httpx.MockTransport(script.handle))
    async with service:
        assert service.base_url == "https://connect.squareupsandbox.com" and service.read_only
        await service.retrieve_customer("C1")
        with pytest.raises(ReadOnlyError):
            await service.delete_customer("C1")
    assert script.requests[0].headers["Square-Version"] == "2024-12-18"
    assert script.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
