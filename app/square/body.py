"""Reads an answer's body: within a byte budget, gzip/deflate inflated in steps, JSON checked.

A server the desk does not control may send a body of any size, or a small compressed
body that inflates to gigabytes (a "gzip bomb"). :func:`read_capped` counts the
*decoded* bytes as they come and stops at the budget; each compressed piece is inflated
at most :data:`STEP` bytes at a time, so stopping costs no more memory than the budget.
Only the encodings the service asks for (:data:`ACCEPT_ENCODING`) are read; any other is
refused rather than guessed at.

The decoded bytes are then parsed by :func:`load_json`, which refuses what is not UTF-8
JSON or nests deeper than :data:`~app.square.limits.MAX_JSON_DEPTH`.

Errors are this module's own (:class:`BodyTooLarge`, :class:`BodyUnreadable`,
:class:`JsonUnreadable`): the client's core turns them into its typed errors.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterable, Iterable, Iterator
from typing import Any

import httpx

from app.square.limits import MAX_JSON_DEPTH

__all__ = [
    "ACCEPT_ENCODING",
    "STEP",
    "BodyTooLarge",
    "BodyUnreadable",
    "JsonUnreadable",
    "load_json",
    "read_body",
    "read_capped",
]

ACCEPT_ENCODING = "gzip, deflate"
"""What the service says it reads; nothing else is decoded."""

STEP = 64 * 1024
"""At most this many bytes are inflated at a time."""


class BodyTooLarge(Exception):
    """The decoded body would exceed the budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        super().__init__(f"the answer is larger than {budget} bytes")


class BodyUnreadable(Exception):
    """The body's encoding is unknown or its compressed data is broken."""


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        return iter(())


class _Inflate:
    """gzip (``wbits`` 16+15) or deflate: zlib-wrapped, or raw as some servers send it."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
        self._first = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._first and data and not self._gzip:
            self._first = False
            # "deflate" is meant to be zlib-wrapped, but raw deflate is common: a zlib
            # stream starts with a header byte whose low nibble is 8 (CM = deflate).
            if data[0] & 0x0F != 8:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        if self._zlib.eof:
            return  # bytes after the end of the compressed stream: ignored (and counted)
        while True:
            try:
                out = self._zlib.decompress(data, STEP)
            except zlib.error as exc:
                raise BodyUnreadable(f"broken compressed data ({exc})") from None
            data = self._zlib.unconsumed_tail
            if out:
                yield out
            if self._zlib.eof or (not data and len(out) < STEP):
                return

    def finish(self) -> Iterator[bytes]:
        yield from self.feed(b"")
        try:
            tail = self._zlib.flush(STEP)
        except zlib.error as exc:
            raise BodyUnreadable(f"broken compressed data ({exc})") from None
        if tail:
            yield tail


def _decoder(content_encoding: str | None) -> _Identity | _Inflate:
    names = [part.strip().lower() for part in (content_encoding or "").split(",") if part.strip()]
    names = [name for name in names if name != "identity"]
    if not names:
        return _Identity()
    if len(names) == 1 and names[0] in ("gzip", "x-gzip"):
        return _Inflate(gzip=True)
    if len(names) == 1 and names[0] == "deflate":
        return _Inflate(gzip=False)
    raise BodyUnreadable("an encoding the desk does not read")


async def read_capped(
    raw: AsyncIterable[bytes], content_encoding: str | None, budget: int
) -> bytes:
    """The decoded body from ``raw`` (the bytes as sent), or ``BodyTooLarge`` as soon as
    more than ``budget`` decoded bytes have come; ``BodyUnreadable`` for an unknown
    encoding or broken compressed data."""
    decoder = _decoder(content_encoding)
    parts: list[bytes] = []
    size = 0

    def keep(pieces: Iterator[bytes]) -> None:
        nonlocal size
        for piece in pieces:
            size += len(piece)
            if size > budget:
                raise BodyTooLarge(budget)
            parts.append(piece)

    sent = 0
    async for chunk in raw:
        sent += len(chunk)
        if sent > budget:  # the bytes as sent count too (trailing junk, poor compression)
            raise BodyTooLarge(budget)
        keep(decoder.feed(chunk))
    keep(decoder.finish())
    return b"".join(parts)


async def read_body(response: httpx.Response, budget: int) -> bytes:
    """The decoded body, within ``budget`` bytes (see :func:`read_capped`)."""
    if response.is_stream_consumed:  # built in memory (a test transport): decoded already
        content = response.content
        if len(content) > budget:
            raise BodyTooLarge(budget)
        return content
    return await read_capped(response.aiter_raw(), response.headers.get("Content-Encoding"), budget)


class JsonUnreadable(Exception):
    """A body that is not JSON the desk will read."""


def load_json(raw: bytes) -> Any:
    """The JSON in ``raw`` (``{}`` for an empty body); ``JsonUnreadable`` when it is not
    UTF-8 JSON, or nests deeper than ``MAX_JSON_DEPTH``."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except RecursionError:
        raise JsonUnreadable("nested too deep") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, huge integers
        raise JsonUnreadable(f"not JSON: {type(exc).__name__}") from None
    if _too_deep(data, MAX_JSON_DEPTH):
        raise JsonUnreadable("nested too deep")
    return data


def _too_deep(data: Any, limit: int) -> bool:
    """Does ``data`` nest lists and objects deeper than ``limit``? (No recursion.)"""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
