"""The client's ceilings on what a server may send: answer size, nesting, cursors, waits.

Square's own answers stay far inside each; a server the desk does not control may not.
"""

from __future__ import annotations

__all__ = [
    "MAX_CURSOR_LENGTH",
    "MAX_DETAIL_LENGTH",
    "MAX_JSON_DEPTH",
    "MAX_PAGES",
    "MAX_RESPONSE_BYTES",
    "RETRY_AFTER_CEILING",
]

MAX_RESPONSE_BYTES = 10 * 1024 * 1024
"""The most a single answer may hold, decoded (Square's pages are far smaller)."""
MAX_PAGES = 12_000
"""The longest cursor chain followed: 1M customers at 100 a page is 10,000 pages."""
MAX_CURSOR_LENGTH = 16_384
"""A longer page cursor is refused (Square's are a few hundred characters)."""
MAX_JSON_DEPTH = 64
"""A more deeply nested answer is refused (Square's objects nest a few levels)."""
RETRY_AFTER_CEILING = 86_400.0
"""A ``Retry-After`` further away than this (or unreadable) counts as this far."""
MAX_DETAIL_LENGTH = 300
"""An error detail is cut to this many characters in a message."""
