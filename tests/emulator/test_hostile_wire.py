"""Hostile requests on the wire (issue 8, point 3), against a real uvicorn server on
loopback: raw request lines, control characters in paths, bodies that never arrive."""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.emulator import DEMO_TOKEN
from app.emulator.asgi import create_app
from app.emulator.runner import _bind
from app.emulator.store import Store

BODY_TIMEOUT = 1.0
WAIT_AT_MOST = 30.0  # a correctness bound: "never waits forever", with a wide margin
AUTH = f"Authorization: Bearer {DEMO_TOKEN}\r\n"


@dataclass
class Live:
    host: str
    port: int
    store: Store

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    """The emulator under uvicorn in a thread, with a 1 s body deadline; afterwards the
    database is intact and a normal request is still served."""
    import uvicorn

    store = Store(tmp_path / "wire.sqlite3")
    app = create_app(store, body_timeout=BODY_TIMEOUT)
    sock = _bind("127.0.0.1", 0)
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, lifespan="off", access_log=False, log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    live = Live("127.0.0.1", port, store)
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    with httpx.Client(base_url=live.url, headers=headers, timeout=WAIT_AT_MOST) as client:
        deadline = time.monotonic() + WAIT_AT_MOST
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        created = client.post("/v2/customers", json={"given_name": "Ada"})
        assert created.status_code == 200, created.text
        try:
            yield live
            with sqlite3.connect(store.path) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            cid = created.json()["customer"]["id"]
            again = client.get(f"/v2/customers/{cid}")
            assert again.status_code == 200 and again.json()["customer"]["given_name"] == "Ada"
        finally:
            server.should_exit = True
            thread.join(WAIT_AT_MOST)
            store.close()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def error(self) -> dict[str, str]:
        """The single error of Square's envelope (asserting the shape)."""
        assert self.headers.get("content-type", "").startswith("application/json"), self
        payload = json.loads(self.body)
        assert set(payload) == {"errors"}, payload
        (error,) = payload["errors"]
        assert error["category"] == "INVALID_REQUEST_ERROR", error
        assert error["detail"], error
        return dict(error)


def exchange(live: Live, request: bytes, *, then: bytes = b"") -> Answer:
    """Send raw bytes, read one HTTP answer (up to WAIT_AT_MOST seconds in all)."""
    with socket.create_connection((live.host, live.port), timeout=WAIT_AT_MOST) as sock:
        sock.sendall(request)
        if then:
            sock.sendall(then)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65_536)
            assert chunk, f"connection closed without an answer: {data!r}"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines)
        }
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(65_536)
            assert chunk, "connection closed mid-answer"
            body += chunk
    return Answer(int(status_line.split()[1]), headers, body[:length])


def request(method: str, target: str, extra: str = "") -> bytes:
    return f"{method} {target} HTTP/1.1\r\nHost: x\r\n{AUTH}{extra}\r\n".encode()


@pytest.mark.parametrize("path", ["/v2/customers", "/v2/customers/ABC", "/nowhere"])
def test_trace_on_any_path(live: Live, path: str) -> None:
    answer = exchange(live, request("TRACE", path))
    expected = (404, "NOT_FOUND") if path == "/nowhere" else (405, "METHOD_NOT_ALLOWED")
    assert (answer.status, answer.error()["code"]) == expected


@pytest.mark.parametrize(
    "target",
    ["/v2/customers%0a", "/v2/customers%0d%0a", "/v2/customers/%00", "/v2%00/customers",
     "/v2/customers/ABC%0aX-Injected:%201", "/v2/customers/%1b%5b2J", "/%ff"],
)  # fmt: skip
def test_control_characters_in_paths_are_not_found(live: Live, target: str) -> None:
    for method in ("GET", "PUT", "DELETE"):
        answer = exchange(live, request(method, target, "Content-Length: 2\r\n"), then=b"{}")
        assert (answer.status, answer.error()["code"]) == (404, "NOT_FOUND")
        assert "x-injected" not in answer.headers


def test_a_declared_body_that_never_arrives_times_out(live: Live) -> None:
    started = time.monotonic()
    answer = exchange(
        live, request("POST", "/v2/customers", "Content-Type: application/json\r\n"
                      "Content-Length: 100\r\n")
    )  # fmt: skip
    assert time.monotonic() - started < WAIT_AT_MOST
    assert (answer.status, answer.error()["code"]) == (408, "REQUEST_TIMEOUT")
    assert answer.headers["connection"] == "close"
    assert live.store.customer_count() == 1


def test_a_body_trickling_in_is_cut_off_at_the_deadline(live: Live) -> None:
    head = request("PUT", "/v2/customers/ABC", "Content-Length: 100000\r\n")
    with socket.create_connection((live.host, live.port), timeout=WAIT_AT_MOST) as sock:
        sock.sendall(head + b'{"note": "')
        answer = b""
        deadline = time.monotonic() + WAIT_AT_MOST
        while b"\r\n\r\n" not in answer and time.monotonic() < deadline:
            with contextlib.suppress(OSError):  # after its answer the server hangs up
                sock.sendall(b"x")  # one byte at a time, well within each read's patience
            sock.settimeout(BODY_TIMEOUT / 4)
            try:
                answer += sock.recv(65_536)
            except TimeoutError:
                continue
        sock.settimeout(WAIT_AT_MOST)
        while time.monotonic() < deadline:  # the body may follow the head in another packet
            try:
                chunk = sock.recv(65_536)
            except OSError:
                break
            if not chunk:  # the server hung up after its answer
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b'"REQUEST_TIMEOUT"' in answer


def test_a_50_mb_declared_body_is_refused_without_reading_it(live: Live) -> None:
    answer = exchange(
        live,
        request("POST", "/v2/customers", f"Content-Length: {50 * 1024 * 1024}\r\n"),
        then=b'{"note": "xxxx',
    )
    assert (answer.status, answer.error()["code"]) == (413, "REQUEST_ENTITY_TOO_LARGE")
    assert live.store.customer_count() == 1


def test_an_absurd_content_length_is_refused(live: Live) -> None:
    answer = exchange(live, request("POST", "/v2/customers", f"Content-Length: {'9' * 40}\r\n"))
    assert answer.status in (400, 413)
    if answer.headers.get("content-type", "").startswith("application/json"):
        assert answer.error()["code"] in ("BAD_REQUEST", "REQUEST_ENTITY_TOO_LARGE")


def test_options_star_and_unknown_methods(live: Live) -> None:
    answer = exchange(live, request("OPTIONS", "*"))
    assert (answer.status, answer.error()["code"]) == (404, "NOT_FOUND")
    answer = exchange(live, request("BREW", "/v2/customers"))
    assert (answer.status, answer.error()["code"]) == (405, "METHOD_NOT_ALLOWED")
