"""Pagination cursors: opaque, tied to the query that made them, refused for any other.

A cursor is base64 of `{"q": <query id>, "p": <position>}`; the query id is a fingerprint
of what the query asked for, so a cursor replayed on another query answers 400
INVALID_CURSOR. Customers page by sort key, short lists (groups, segments, cards) by offset.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from .errors import bad_request
from .limits import CURSOR_MAX, GROUPS_LIMIT_DEFAULT, GROUPS_LIMIT_MAX
from .routing import Body, Call, Result
from .search_query import Key
from .validation import check_limit, query_int


def fingerprint(value: Any) -> str:
    """A stable hash of a JSON value (query ids, idempotent request bodies)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def encode_cursor(query_id: str, position: Any) -> str:
    raw = json.dumps({"q": query_id[:16], "p": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, query_id: str) -> Any:
    """The position stored in a cursor made for this query, else 400 INVALID_CURSOR."""
    try:
        if len(cursor) > CURSOR_MAX:
            raise ValueError("cursor too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(data, dict) or data.get("q") != query_id[:16]:
            raise ValueError("cursor of another query")
        return data["p"]
    except (ValueError, KeyError, binascii.Error, UnicodeDecodeError):
        raise bad_request(
            "INVALID_CURSOR", "The pagination cursor is not valid for this query.", "cursor"
        ) from None


def key_cursor(cursor: str | None, query_id: str) -> Key | None:
    """The sort key a customers cursor resumes after (None: the first page)."""
    if not cursor:
        return None
    position = decode_cursor(cursor, query_id)
    if (
        not isinstance(position, list)
        or len(position) != 2
        or not all(isinstance(p, str) for p in position)
    ):
        raise bad_request("INVALID_CURSOR", "The pagination cursor is not valid.", "cursor")
    return (position[0], position[1])


def offset_cursor(cursor: str | None, query_id: str) -> int:
    """The offset a short list's cursor resumes at (0: the first page)."""
    if not cursor:
        return 0
    position = decode_cursor(cursor, query_id)
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise bad_request("INVALID_CURSOR", "The pagination cursor is not valid.", "cursor")
    return position


def offset_page(
    call: Call,
    operation: str,
    key: str,
    items: list[Any],
    *,
    default: int = GROUPS_LIMIT_DEFAULT,
    maximum: int = GROUPS_LIMIT_MAX,
    query: Any = None,
) -> Result:
    """A page of a short list (groups, segments, custom attributes): `limit` 1–`maximum`
    (`default` when absent), an offset cursor valid only for the same `query`."""
    limit = check_limit(query_int(call.query, "limit"), default, maximum)
    query_id = fingerprint([operation] if query is None else [operation, query])
    start = offset_cursor(call.query.get("cursor"), query_id)
    chunk = items[start : start + limit]
    body: Body = {}
    if chunk:
        body[key] = chunk
    if start + limit < len(items):
        body["cursor"] = encode_cursor(query_id, start + limit)
    return 200, body
