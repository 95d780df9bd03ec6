"""A hostile Square: a raw ASGI app that answers what a test tells it to, served in-process
(``httpx.ASGITransport``) or over a real loopback socket (uvicorn, which streams).

It is a server, not a stand-in for our code: the service talks HTTP to it exactly as it
talks to Square.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import socket
import threading
import zlib
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Handler = Callable[[Scope, Receive, Send], Awaitable[None]]

CUSTOMER = {"id": "C1", "given_name": "Ada", "created_at": "2026-01-01T00:00:00Z", "version": 1}
ITEMS: dict[str, tuple[str, dict[str, Any]]] = {
    "/v2/customers": ("customers", CUSTOMER),
    "/v2/customers/search": ("customers", CUSTOMER),
    "/v2/customers/groups": ("groups", {"id": "G1", "name": "VIP"}),
    "/v2/customers/segments": ("segments", {"id": "S1", "name": "Regulars"}),
    "/v2/cards": ("cards", {"id": "ccof:1", "customer_id": "C1"}),
}


async def answer(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    head = [(b"content-type", b"application/json"), *(headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


async def read_request(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += bytes(message.get("body", b""))
        if not message.get("more_body"):
            return body


@dataclass
class Hostile:
    """The app. ``handler`` answers every request; ``requests`` records (method, path,
    body) of each."""

    handler: Handler | None = None
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await read_request(receive)
        self.requests.append((scope["method"], scope["path"], body))
        assert self.handler is not None, "the test set no handler"
        await self.handler(scope, receive, send)

    # -- ready-made handlers --------------------------------------------------------------

    def pages(self, cursors: Iterator[str | None], per_page: int = 1) -> Handler:
        """Each listing answers a page of ``per_page`` items with the next cursor."""

        async def handle(scope: Scope, receive: Receive, send: Send) -> None:
            key, item = ITEMS[scope["path"]]
            page: dict[str, Any] = {key: [item] * per_page, "count": 1_000}
            cursor = next(cursors)
            if cursor is not None:
                page["cursor"] = cursor
            await answer(send, 200, json.dumps(page).encode())

        return handle


def cycling(*cursors: str) -> Iterator[str | None]:
    """A, B, A, B… for ever."""
    return itertools.cycle(cursors)


def fresh_cursors() -> Iterator[str | None]:
    """n1, n2, n3… never the same, never ending."""
    return (f"n{i}" for i in itertools.count(1))


def gzip_bomb(decoded_size: int, chunk: int = 1 << 20) -> bytes:
    """``decoded_size`` zero bytes, gzip-compressed without ever holding them all."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(chunk)
    parts = [packer.compress(zeros) for _ in range(decoded_size // chunk)]
    parts.append(packer.flush())
    return b"".join(parts)


@dataclass
class Loopback:
    """``app`` served by uvicorn on 127.0.0.1 in a daemon thread."""

    app: Hostile
    base_url: str = ""
    _server: Any = None
    _thread: threading.Thread | None = None

    def start(self) -> Loopback:
        import uvicorn

        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logging.getLogger(name).propagate = False
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(
            self.app,
            lifespan="off",
            access_log=False,
            log_config=None,
            log_level="critical",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        started = threading.Event()

        def run() -> None:
            started.set()
            self._server.run(sockets=[sock])

        self._thread = threading.Thread(target=run, name="hostile-square", daemon=True)
        self._thread.start()
        started.wait(5)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)


async def until_disconnect(receive: Receive, every: float) -> bool:
    """Wait ``every`` seconds for the client to hang up; True when it did."""
    try:
        message = await asyncio.wait_for(receive(), every)
    except TimeoutError:
        return False
    return message.get("type") == "http.disconnect"
