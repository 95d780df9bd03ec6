"""The emulator as an ASGI app: `create_app`, and the dispatch of each request to its operation.

`create_app(store, *, tokens=None, faults=None, clock=None)` returns a Starlette app that
answers like Square's Customers, Customer Groups, Customer Segments, Customer Custom
Attributes and Cards APIs: every request is read under `guard`'s bounds, routed through
`operations.OPERATIONS`, authenticated, run (a write in one store transaction), shaped for
the request's `Square-Version` (`versions.py`) and answered in Square's envelope.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from . import (
    ALL_SCOPES,
    DEMO_READONLY_TOKEN,
    DEMO_TOKEN,
    READ_SCOPES,
    SQUARE_VERSION,
    guard,
    versions,
)
from .core import Clock, Emulator
from .errors import API, INVALID_REQUEST, ApiError, bad_request, insufficient_scopes, not_found
from .faults import Faults, FaultsMiddleware
from .operations import OPERATIONS, is_write_request
from .routing import Body, Call, Operation, Result, match
from .store import Store

log = logging.getLogger(__name__)
DEFAULT_TOKENS: dict[str, frozenset[str]] = {
    DEMO_TOKEN: ALL_SCOPES,
    DEMO_READONLY_TOKEN: READ_SCOPES,
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    """Every request, whatever its method and path, answered in Square's envelope."""

    def __init__(self, emulator: Emulator, operations: Sequence[Operation] = OPERATIONS) -> None:
        self.emulator = emulator
        self.operations = operations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry: the body read under `guard`'s bounds."""
        if scope["type"] != "http":  # websockets: refused; lifespan: nothing to do
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        emu = self.emulator
        bounded = guard.bounded_receive(receive, limit=emu.body_max, timeout=emu.body_timeout)
        response = await self.dispatch(Request(scope, bounded))
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> Response:
        started = time.perf_counter()
        version = request.headers.get("square-version") or SQUARE_VERSION
        try:
            status, body = await self._handle(request)
            body = versions.adapt(body, request.headers.get("square-version"), self._cards_of)
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

    def _cards_of(self, customer_id: str) -> list[Body]:
        return self.emulator.store.cards_of(customer_id, include_disabled=False)

    async def _handle(self, request: Request) -> Result:
        emu = self.emulator
        path = request.scope.get("path", "")
        method = request.method.upper()
        guard.declared_length(request.headers, emu.body_max)
        found = [] if guard.bad_path(path) else match(self.operations, path)
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
        op, found_match = chosen
        scopes = emu.authenticate(request.headers)
        if op.scope and op.scope not in scopes:  # no scope: any valid token
            raise insufficient_scopes(op.scope)
        body: Body = {}
        if method in ("POST", "PUT"):
            body = await _read_json(request)
        call = Call(
            params={k: v for k, v in found_match.groupdict().items()},
            query=request.query_params,
            body=body,
            headers=request.headers,
        )
        if op.write:
            with emu.store.transaction():
                return op.handler(emu, call)
        return op.handler(emu, call)


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


def _internal_error() -> ApiError:
    return ApiError(500, API, "INTERNAL_SERVER_ERROR", "The emulator failed on this request.")


async def _last_resort(request: Request, exc: Exception) -> Response:
    """Starlette's handler for an exception nothing else caught: a 500 in Square's envelope."""
    version = request.headers.get("square-version") or SQUARE_VERSION
    return _json(500, _internal_error().body(), version)


def create_app(
    store: Store,
    *,
    tokens: Mapping[str, frozenset[str]] | None = None,
    faults: Faults | None = None,
    clock: Clock | None = None,
    id_seed: int | None = None,
    body_max: int = guard.BODY_MAX,
    body_timeout: float = guard.BODY_TIMEOUT,
    applications: Mapping[str, str] | None = None,
) -> Starlette:
    """The emulator as an ASGI app over `store`.

    `tokens` maps bearer tokens to scopes (default: DEMO_TOKEN with every scope and
    DEMO_READONLY_TOKEN with read scopes); `faults` injects latency, errors, rate limits,
    dropped connections and list/search lag; `clock` stamps every write; `id_seed` makes
    the ids of new objects deterministic (tests); `body_max` (bytes) and `body_timeout`
    (seconds) bound each request body (see `guard`); `applications` maps a token to the
    application it was issued to (default: the emulator's own, `APPLICATION_ID`), which
    decides the custom attribute definitions it owns and sees.
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
        applications=applications,
    )
    store.replica.clock = the_clock
    store.replica.lag_seconds = faults.lag_seconds if faults else 0.0
    # No routes: every method on every path reaches the `Dispatcher`, which answers in
    # Square's envelope (Starlette's own 404 / 405 are plain text).
    app = EmulatorApp(routes=[], exception_handlers={Exception: _last_resort})
    app.router.default = Dispatcher(emulator)
    app.state.emulator = emulator
    app.state.store = store
    if faults is not None and faults.active():
        app.faults = FaultsMiddleware(
            app.inner, faults=faults, clock=the_clock, is_write=is_write_request
        )
    return app


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


__all__ = ["DEFAULT_TOKENS", "Dispatcher", "create_app"]
