"""Fault injection for the emulator: latency, errors, rate limits, drops, lost answers,
search lag.

All off by default. Any randomness comes from a seeded RNG, so a run with the same seed
and the same request sequence fails the same way. Every fault but `lost_answer_rate`
strikes *before* the emulator runs the request; a lost answer strikes after a write has
committed — the case that a client's retries and idempotency keys must survive.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import SQUARE_VERSION


@dataclass
class Faults:
    """What goes wrong, per run. Rates are fractions of requests (0.0-1.0)."""

    latency_ms: float = 0.0
    """Fixed delay added to every request."""
    jitter_ms: float = 0.0
    """Extra random delay, uniform in [0, jitter_ms]."""
    error_rate: float = 0.0
    """Fraction of requests answered 500 or 503 (API_ERROR)."""
    rate_limit: float = 0.0
    """Sustained requests per second allowed (token bucket); above it: 429. 0 = no limit.
    The bucket refills with real (monotonic) time; a frozen emulator clock cannot stop it,
    and one that runs ahead (a test's virtual time) refills it faster."""
    burst: int = 10
    """Token bucket size for `rate_limit`."""
    drop_rate: float = 0.0
    """Fraction of requests whose connection is closed without any response."""
    lost_answer_rate: float = 0.0
    """Fraction of writes whose answer is lost: the write commits, then the connection is
    closed before the answer (a refused write is answered: nothing was committed)."""
    lag_seconds: float = 0.0
    """Writes become visible to list and search only after this many seconds."""
    seed: int = 0
    """Seed of the fault RNG."""

    def active(self) -> bool:
        return any(
            (
                self.latency_ms > 0,
                self.jitter_ms > 0,
                self.error_rate > 0,
                self.rate_limit > 0,
                self.drop_rate > 0,
                self.lost_answer_rate > 0,
            )
        )

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        """The `--latency-ms`, `--error-rate`, … options of `customer-desk emulator`."""
        group = parser.add_argument_group("faults (all off by default)")
        group.add_argument("--latency-ms", type=float, default=0.0, help="fixed delay per request")
        group.add_argument("--jitter-ms", type=float, default=0.0, help="extra random delay")
        group.add_argument(
            "--error-rate", type=float, default=0.0, help="fraction answered 500/503"
        )
        group.add_argument(
            "--rate-limit", type=float, default=0.0, help="requests per second before 429"
        )
        group.add_argument("--burst", type=int, default=10, help="token bucket size")
        group.add_argument(
            "--drop-rate", type=float, default=0.0, help="fraction of connections dropped"
        )
        group.add_argument(
            "--lost-answer-rate",
            type=float,
            default=0.0,
            help="fraction of writes committed whose answer is then lost (connection dropped)",
        )
        group.add_argument(
            "--lag-seconds", type=float, default=0.0, help="list/search lag behind writes"
        )
        group.add_argument("--fault-seed", type=int, default=0, help="seed of the fault RNG")

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> Faults:
        return cls(
            latency_ms=args.latency_ms,
            jitter_ms=args.jitter_ms,
            error_rate=args.error_rate,
            rate_limit=args.rate_limit,
            burst=args.burst,
            drop_rate=args.drop_rate,
            lost_answer_rate=args.lost_answer_rate,
            lag_seconds=args.lag_seconds,
            seed=args.fault_seed,
        )

    def describe(self) -> str:
        parts = [
            f"{f.name}={getattr(self, f.name)}"
            for f in fields(self)
            if f.name not in ("seed", "burst") and getattr(self, f.name)
        ]
        return ", ".join(parts) or "none"


class DroppedConnection(Exception):
    """Raised in-process (no socket to close) to stand for a dropped connection."""


def _never_a_write(method: str, path: str) -> bool:
    return False


class FaultsMiddleware:
    """Pure ASGI middleware applying `Faults` around the emulator.

    `is_write(method, path)` tells which requests are writes (for lost answers).
    The rate limiter's bucket refills with the time `monotonic` measures (real time by
    default), or with the time the emulator's `clock` moved when that is more (a test's
    virtual time, which jumps on the client's backoff sleeps). A frozen test clock
    therefore no longer starves it.
    """

    def __init__(
        self,
        app: ASGIApp,
        faults: Faults,
        clock: Callable[[], datetime],
        *,
        is_write: Callable[[str, str], bool] = _never_a_write,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.faults = faults
        self.clock = clock
        self.is_write = is_write
        self.monotonic = monotonic
        self.rng = random.Random(faults.seed)
        self.tokens = float(max(faults.burst, 1))
        self.last_refill: tuple[float, float] | None = None  # (monotonic, clock) seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        f = self.faults
        delay = f.latency_ms + (self.rng.uniform(0, f.jitter_ms) if f.jitter_ms > 0 else 0.0)
        drop = f.drop_rate > 0 and self.rng.random() < f.drop_rate
        error = f.error_rate > 0 and self.rng.random() < f.error_rate
        error_status = self.rng.choice((500, 503)) if error else 0
        lose = (
            f.lost_answer_rate > 0
            and self.is_write(scope["method"], scope["path"])
            and self.rng.random() < f.lost_answer_rate
        )
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        if drop:
            await drop_connection(send)
            return
        if f.rate_limit > 0:
            wait = self._take_token()
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                await _send_error(
                    scope,
                    send,
                    429,
                    "RATE_LIMIT_ERROR",
                    "RATE_LIMITED",
                    "Too many requests: slow down (emulated rate limit).",
                    [(b"retry-after", str(retry_after).encode())],
                )
                return
        if error_status:
            code = "INTERNAL_SERVER_ERROR" if error_status == 500 else "SERVICE_UNAVAILABLE"
            await _send_error(
                scope, send, error_status, "API_ERROR", code, "Emulated server error."
            )
            return
        if lose:
            await self._lose_answer(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _lose_answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the write; if it committed (a 2xx), drop the connection instead of answering."""
        answer: list[Message] = []

        async def hold(message: Message) -> None:
            answer.append(message)

        await self.app(scope, receive, hold)
        if answer and answer[0].get("status", 500) < 300:
            await drop_connection(send)
            return
        for message in answer:
            await send(message)

    def _take_token(self) -> float:
        """Take a token; returns 0 when allowed, else the seconds until one is free."""
        rate = self.faults.rate_limit
        now = (self.monotonic(), self.clock().timestamp())
        if self.last_refill is not None:
            elapsed = max(0.0, now[0] - self.last_refill[0], now[1] - self.last_refill[1])
            self.tokens = min(float(max(self.faults.burst, 1)), self.tokens + elapsed * rate)
        self.last_refill = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / rate


async def drop_connection(send: Send) -> None:
    """Close the client's connection without a response.

    Under uvicorn, `send` is bound to the request cycle that owns the transport: abort it,
    so the client sees the connection reset with no status line. With no transport at hand
    (in-process ASGI transports) raise, which such clients surface as a transport error.
    """
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        try:
            import httpx
        except ImportError:  # pragma: no cover - httpx is a dependency
            raise DroppedConnection("connection dropped by the emulator") from None
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
    transport.abort()
    if hasattr(cycle, "disconnected"):
        cycle.disconnected = True
    await asyncio.sleep(0)


async def _send_error(
    scope: Scope,
    send: Send,
    status: int,
    category: str,
    code: str,
    detail: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps({"errors": [{"category": category, "code": code, "detail": detail}]})
    version = SQUARE_VERSION.encode()
    for name, value in scope.get("headers", []):
        if name.lower() == b"square-version":
            version = value
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"square-version", version),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})
