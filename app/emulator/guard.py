"""Bounds on what a client may send the emulator: body size and read time, JSON shape, paths.

Everything here answers a hostile or broken request with a 4xx in Square's envelope
(`ApiError`) instead of letting it reach the handlers, the store or the JSON encoder.
Every bound is a named constant: Square documents none of them, so each is a **default**.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any

from starlette.types import Message, Receive

from .errors import INVALID_REQUEST, ApiError, bad_request

# --- defaults chosen where Square is silent ---------------------------------------------
BODY_MAX = 2 * 1024 * 1024
"""Largest request body accepted, in bytes (a full bulk call is far below it)."""
BODY_TIMEOUT = 5.0
"""Seconds allowed to receive a whole request body once the handler asks for it."""
JSON_DEPTH_MAX = 32
"""Deepest nesting of arrays and objects in a request body (Square's go ~6 deep)."""
JSON_STRING_MAX = 65_536
"""Longest string (or object key) anywhere in a body, in characters; fields have tighter
limits of their own (see `limits.MAX_LENGTH`)."""
INT_DIGITS_MAX = 30
"""Longest integer literal in a body; longer ones cannot be any field's value."""

CLOSE = {"Connection": "close"}


def too_large(limit: int = BODY_MAX) -> ApiError:
    return ApiError(
        413,
        INVALID_REQUEST,
        "REQUEST_ENTITY_TOO_LARGE",
        f"The request body is larger than {limit} bytes.",
        headers=dict(CLOSE),
    )


def timed_out(seconds: float) -> ApiError:
    return ApiError(
        408,
        INVALID_REQUEST,
        "REQUEST_TIMEOUT",
        f"The request body did not arrive within {seconds:g} seconds.",
        headers=dict(CLOSE),
    )


def declared_length(headers: Mapping[str, str], limit: int = BODY_MAX) -> int | None:
    """The Content-Length a request declares (None when absent); 413 above `limit`."""
    raw = headers.get("content-length")
    if raw is None:
        return None
    text = raw.strip()
    if not text.isdigit() or len(text) > 18:
        if text.isdigit():
            raise too_large(limit)
        raise bad_request("BAD_REQUEST", "The Content-Length header is not a number.")
    length = int(text)
    if length > limit:
        raise too_large(limit)
    return length


def bounded_receive(
    receive: Receive, *, limit: int = BODY_MAX, timeout: float = BODY_TIMEOUT
) -> Receive:
    """`receive` that refuses a body over `limit` bytes (413) and one that takes longer
    than `timeout` seconds in all to arrive (408), counting from the first read."""
    received = 0
    deadline: float | None = None

    async def guarded() -> Message:
        nonlocal received, deadline
        now = time.monotonic()
        if deadline is None:
            deadline = now + timeout
        left = deadline - now
        if left <= 0:
            raise timed_out(timeout)
        try:
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow the caller's
            # own cancellation when the message arrives at the same moment.
            async with asyncio.timeout(left):
                message = await receive()
        except TimeoutError:
            raise timed_out(timeout) from None
        if message.get("type") == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise too_large(limit)
        return message

    return guarded


# --- JSON -------------------------------------------------------------------------------


class _Refused(ValueError):
    """A literal the parser hooks refuse (a huge integer, NaN, Infinity)."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > INT_DIGITS_MAX:
        raise _Refused(f"an integer of more than {INT_DIGITS_MAX} digits")
    return int(text)


def _parse_constant(text: str) -> Any:
    raise _Refused(f"`{text}` (not JSON)")


def parse_json(raw: bytes) -> Any:
    """Parse a request body, refusing what Square's JSON reader would not take.

    400 `BAD_REQUEST` for invalid JSON, UTF-8 or Unicode (a lone surrogate escape such as
    `"\\ud800"`), NaN / Infinity, integers longer than `INT_DIGITS_MAX` digits, nesting
    deeper than `JSON_DEPTH_MAX`; 400 `VALUE_TOO_LONG` for a string over `JSON_STRING_MAX`.
    """
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_int=_parse_int, parse_constant=_parse_constant)
    except _Refused as exc:
        raise bad_request("BAD_REQUEST", f"The request body holds {exc}.") from None
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request("BAD_REQUEST", f"The request body is not valid JSON: {exc}.") from None
    check_json(value)
    return value


def _too_deep() -> ApiError:
    return bad_request(
        "BAD_REQUEST", f"The request body is nested deeper than {JSON_DEPTH_MAX} levels."
    )


def _check_string(text: str, path: str) -> None:
    if len(text) > JSON_STRING_MAX:
        raise bad_request(
            "VALUE_TOO_LONG",
            f"Strings in a request may be at most {JSON_STRING_MAX} characters.",
            path or None,
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request(
            "BAD_REQUEST",
            "The request holds a lone UTF-16 surrogate (not a Unicode character).",
            path or None,
        ) from None


def check_json(value: Any) -> None:
    """Walk a parsed body without recursion: depth, string lengths, valid Unicode."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            _check_string(item, path)
        elif isinstance(item, dict):
            if depth >= JSON_DEPTH_MAX:
                raise _too_deep()
            for key, sub in item.items():
                _check_string(key, path)
                stack.append((sub, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(item, list):
            if depth >= JSON_DEPTH_MAX:
                raise _too_deep()
            stack.extend((sub, f"{path}[{i}]", depth + 1) for i, sub in enumerate(item))


# --- paths ------------------------------------------------------------------------------


def bad_path(path: str) -> bool:
    """Whether a (decoded) request path can never name a resource: not absolute, or
    holding a control character (`%0a`, `%00`, …) or a replaced invalid byte."""
    if not path.startswith("/"):
        return True
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch == "\ufffd" for ch in path)


__all__ = [
    "BODY_MAX",
    "BODY_TIMEOUT",
    "JSON_DEPTH_MAX",
    "bad_path",
    "bounded_receive",
    "check_json",
    "declared_length",
    "parse_json",
]
